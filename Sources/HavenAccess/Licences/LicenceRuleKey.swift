/// The key under which a permission's uses are counted: the rule's `uid`, or, for a rule
/// without one, the policy's uid and the rule's place (`urn:…#permission[0]`). A licence is
/// immutable once signed, so the place is stable.
public struct LicenceRuleKey: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { value }
}
