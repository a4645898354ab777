/// A permission or prohibition of a licence: who (`assignee`, absent = anyone) may or may not
/// do what (`action`, with ODRL's `includedIn` hierarchy) to which content (`target`, absent =
/// any content the policy governs), under which conditions (`constraints`, all must hold).
/// Only permissions carry `duties`.
public struct LicenceRule: Sendable, Equatable {
    public var uid: String?
    public var action: LicenceAction
    public var target: LicenceTarget?
    public var assignee: LicenceParty?
    public var constraints: [LicenceConstraint]
    public var duties: [LicenceDuty]

    public init(
        uid: String? = nil,
        action: LicenceAction,
        target: LicenceTarget? = nil,
        assignee: LicenceParty? = nil,
        constraints: [LicenceConstraint] = [],
        duties: [LicenceDuty] = []
    ) {
        self.uid = uid
        self.action = action
        self.target = target
        self.assignee = assignee
        self.constraints = constraints
        self.duties = duties
    }

    /// Whether the rule is about this party and this content (constraints aside).
    func covers(assignee party: LicenceParty, target content: LicenceTarget) -> Bool {
        (assignee == nil || assignee == party) && (target == nil || target == content)
    }
}
