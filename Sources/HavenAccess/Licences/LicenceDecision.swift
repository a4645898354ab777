/// The answer to a ``LicenceRequest``: allowed or denied, the rule that decided and why in
/// words, whether this use must be counted (and under which key), and the duties owed.
///
/// A caller that acts on an allowed decision with ``countUse`` set must record one more use
/// under that key before (or atomically with) the use, or the `count` limit is not enforced.
public struct LicenceDecision: Sendable, Equatable {
    /// How the decision was reached.
    public enum Basis: String, Sendable {
        /// A permission covers the request and all its constraints hold.
        case permitted
        /// A prohibition covers the request and its constraints hold.
        case prohibited
        /// A prohibition and a permission both cover the request. Under ODRL's default conflict
        /// strategy, `invalid`, a conflicting policy is void, so nothing is allowed.
        case conflict
        /// A permission covers the party, action and content, but a constraint does not hold.
        case constraintUnsatisfied
        /// A constraint cannot be evaluated from the request (no purpose or recipient stated,
        /// a negative use count); the request is denied until it says more.
        case constraintUndetermined
        /// No permission covers the party, action and content: denied by default.
        case noMatchingPermission
    }

    public let isAllowed: Bool
    public let basis: Basis
    /// The rule that decided: the permission that allowed; the prohibition that forbade; the
    /// permission (or prohibition) whose constraint failed or could not be evaluated. `nil`
    /// when no rule covers the request.
    public let rule: LicenceRuleReference?
    /// A sentence for people and audit logs, e.g. "permission 1: read allowed for did:key:… on
    /// bafk… until 2027-01-01T00:00:00Z for purpose dpv:ResearchAndDevelopment (2 of 3 uses left)".
    public let reason: String
    /// Set when the use is allowed by a permission with a `count` limit: count it under this key.
    public let countUse: LicenceRuleKey?
    /// Duties of the deciding permission and the policy's obligations that fall on the
    /// assignee for this content; empty when denied.
    public let duties: [LicenceDuty]

    public init(
        isAllowed: Bool,
        basis: Basis,
        rule: LicenceRuleReference?,
        reason: String,
        countUse: LicenceRuleKey? = nil,
        duties: [LicenceDuty] = []
    ) {
        self.isAllowed = isAllowed
        self.basis = basis
        self.rule = rule
        self.reason = reason
        self.countUse = countUse
        self.duties = duties
    }
}
