/// One use an allowed decision must count before it is acted on: the grant or capability
/// token whose licence allowed it (`basis`) and the permission's counting key.
public struct CountedUse: Sendable, Hashable {
    public let basis: String
    public let key: LicenceRuleKey

    public init(basis: String, key: LicenceRuleKey) {
        self.basis = basis
        self.key = key
    }
}
