/// One intended use of licensed content, to be decided against a ``LicencePolicy``: who
/// (`assignee`), what (`action`), on what (`target`), why (`purpose`, if stated), when
/// (`time`), to whom (`recipient`, when distributing), and how many times each counted
/// permission has been used so far (`usesSoFar`, keyed by ``LicenceRuleKey``; absent = 0).
///
/// The caller supplies all of it, including the clock and the counters, so evaluation stays
/// a pure function of its inputs.
public struct LicenceRequest: Sendable, Equatable {
    public var assignee: LicenceParty
    public var action: LicenceAction
    public var target: LicenceTarget
    public var purpose: DPVPurpose?
    public var time: PolicyTime
    public var recipient: LicenceParty?
    public var usesSoFar: [LicenceRuleKey: Int]

    public init(
        assignee: LicenceParty,
        action: LicenceAction,
        target: LicenceTarget,
        purpose: DPVPurpose? = nil,
        time: PolicyTime,
        recipient: LicenceParty? = nil,
        usesSoFar: [LicenceRuleKey: Int] = [:]
    ) {
        self.assignee = assignee
        self.action = action
        self.target = target
        self.purpose = purpose
        self.time = time
        self.recipient = recipient
        self.usesSoFar = usesSoFar
    }
}
