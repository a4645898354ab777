/// Which rule of a policy decided: its kind, its index in the policy's list, its `uid` and
/// the key its uses are counted under.
public struct LicenceRuleReference: Sendable, Equatable, CustomStringConvertible {
    /// Whether the rule is a permission or a prohibition.
    public enum Kind: String, Sendable {
        case permission
        case prohibition
    }

    public let kind: Kind
    public let index: Int
    public let uid: String?
    public let key: LicenceRuleKey

    public init(kind: Kind, index: Int, uid: String?, key: LicenceRuleKey) {
        self.kind = kind
        self.index = index
        self.uid = uid
        self.key = key
    }

    /// `permission 1 (urn:uuid:…)`, as reasons name rules; the index counts from 0, as in the
    /// policy's JSON paths.
    public var description: String {
        "\(kind.rawValue) \(index)" + (uid.map { " (\($0))" } ?? "")
    }
}
