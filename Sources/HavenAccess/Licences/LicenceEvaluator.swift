/// Decides a ``LicenceRequest`` against a ``LicencePolicy``: a pure function of the two.
///
/// 1. Prohibitions first. One that covers the party and content, whose action overlaps the
///    requested one (either includes the other: a prohibition of `read` forbids a request to
///    `use`), and whose constraints hold, denies — as `conflict` when a permission would also
///    allow the request, since ODRL 2.2's default conflict strategy is `invalid` (a conflicting
///    policy is void), and the subset accepts no other. A prohibition whose constraints cannot
///    be evaluated also denies: it might apply, and the request must say more.
/// 2. Then permissions, in order: the first that covers the party and content, whose action
///    includes the requested one, and whose constraints all hold, allows.
/// 3. Otherwise deny by default, naming the closest permission and why it did not apply
///    (a missing input before a failed condition, since stating it may help).
///
/// On conflicts: ODRL 2.2 says a policy without a `conflict` property uses `invalid` — "the
/// entire Policy MUST be void if any conflict is detected" — not `prohibit`. Haven detects
/// conflicts per request, as evaluators do: a request that a permission allows and a
/// prohibition forbids is a conflict, and is denied (a void policy allows nothing), which for
/// that request is also what `prohibit` would decide. Requests that no prohibition covers are
/// decided by the permissions alone, so "use, but not AI" can be written without a strategy.
/// `perm`, which would let a permission beat a prohibition, is refused at parse time, and so is
/// an explicit `prohibit` (only the default is in the subset).
enum LicenceEvaluator {
    static func evaluate(_ policy: LicencePolicy, _ request: LicenceRequest) -> LicenceDecision {
        var undeterminedProhibition: (LicenceRuleReference, String)?
        for (index, rule) in policy.prohibitions.enumerated() {
            guard rule.covers(assignee: request.assignee, target: request.target),
                  request.action.isIncluded(in: rule.action) || rule.action.isIncluded(in: request.action)
            else { continue }
            let reference = policy.reference(to: .prohibition, at: index)
            switch ConstraintOutcome.all(rule.constraints.map { $0.evaluate(for: request, usesSoFar: 0) }) {
            case .satisfied(let conditions):
                let scope = describe(rule, request: request, conditions: conditions)
                if let permitted = firstAllowing(policy, request) {
                    return LicenceDecision(
                        isAllowed: false, basis: .conflict, rule: reference,
                        reason: "\(reference): \(rule.action) prohibited\(scope); it conflicts with \(permitted.reference), "
                            + "and under ODRL's default conflict strategy (invalid) a conflicting policy allows nothing"
                    )
                }
                return LicenceDecision(
                    isAllowed: false, basis: .prohibited, rule: reference,
                    reason: "\(reference): \(rule.action) prohibited\(scope)"
                )
            case .undetermined(let missing):
                if undeterminedProhibition == nil { undeterminedProhibition = (reference, missing) }
            case .unsatisfied:
                continue
            }
        }
        if let (reference, missing) = undeterminedProhibition {
            return LicenceDecision(
                isAllowed: false, basis: .constraintUndetermined, rule: reference,
                reason: "\(reference) may forbid \(request.action) of \(request.target): \(missing)"
            )
        }

        if let permitted = firstAllowing(policy, request) {
            let rule = policy.permissions[permitted.reference.index]
            let verb = rule.action == request.action ? "\(request.action)" : "\(request.action) (included in \(rule.action))"
            var reason = "\(permitted.reference): \(verb) allowed" + describe(rule, request: request, conditions: permitted.conditions)
            let duties = rule.duties + policy.obligations.filter {
                ($0.assignee == nil || $0.assignee == request.assignee) && ($0.target == nil || $0.target == request.target)
            }
            if !duties.isEmpty {
                reason += "; duties: " + duties.map(\.action.rawValue).joined(separator: ", ")
            }
            return LicenceDecision(
                isAllowed: true, basis: .permitted, rule: permitted.reference, reason: reason,
                countUse: LicenceConstraint.counts(rule.constraints) ? permitted.reference.key : nil,
                duties: duties
            )
        }

        var unsatisfied: (LicenceRuleReference, String)?
        for (index, rule) in policy.permissions.enumerated() {
            guard rule.covers(assignee: request.assignee, target: request.target), request.action.isIncluded(in: rule.action) else {
                continue
            }
            let reference = policy.reference(to: .permission, at: index)
            switch outcome(of: rule, reference: reference, request) {
            case .undetermined(let missing):
                return LicenceDecision(
                    isAllowed: false, basis: .constraintUndetermined, rule: reference,
                    reason: "\(reference) could allow \(request.action) of \(request.target), but \(missing)"
                )
            case .unsatisfied(let why):
                if unsatisfied == nil { unsatisfied = (reference, why) }
            case .satisfied:
                continue
            }
        }
        if let (reference, why) = unsatisfied {
            return LicenceDecision(
                isAllowed: false, basis: .constraintUnsatisfied, rule: reference,
                reason: "\(reference) does not allow \(request.action) of \(request.target) now: \(why)"
            )
        }
        return LicenceDecision(
            isAllowed: false, basis: .noMatchingPermission, rule: nil,
            reason: "no permission covers \(request.action) of \(request.target) by \(request.assignee): denied by default"
        )
    }

    private static func firstAllowing(
        _ policy: LicencePolicy, _ request: LicenceRequest
    ) -> (reference: LicenceRuleReference, conditions: String)? {
        for (index, rule) in policy.permissions.enumerated() {
            guard rule.covers(assignee: request.assignee, target: request.target), request.action.isIncluded(in: rule.action) else {
                continue
            }
            let reference = policy.reference(to: .permission, at: index)
            if case .satisfied(let conditions) = outcome(of: rule, reference: reference, request) {
                return (reference, conditions)
            }
        }
        return nil
    }

    private static func outcome(of rule: LicenceRule, reference: LicenceRuleReference, _ request: LicenceRequest) -> ConstraintOutcome {
        let uses = request.usesSoFar[reference.key] ?? 0
        return ConstraintOutcome.all(rule.constraints.map { $0.evaluate(for: request, usesSoFar: uses) })
    }

    /// " for did:key:… on bafk… until …": who, what content, and the conditions that held.
    private static func describe(_ rule: LicenceRule, request: LicenceRequest, conditions: String) -> String {
        var text = " for " + (rule.assignee.map(\.did) ?? "anyone")
        text += " on " + (rule.target.map(\.id) ?? "any content")
        if !conditions.isEmpty { text += " " + conditions }
        return text
    }
}
