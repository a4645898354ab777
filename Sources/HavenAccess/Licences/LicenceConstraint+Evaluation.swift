/// The three-valued result of checking a constraint against a request (Kleene logic): it
/// holds, it does not, or the request lacks what is needed to tell. Each carries the words
/// that go into the decision's reason.
enum ConstraintOutcome: Sendable, Equatable {
    /// Holds; the text says under which condition ("until 2027-01-01T00:00:00Z").
    case satisfied(String)
    /// Does not hold; the text says why ("it is 2027-02-01T00:00:00Z, not until …").
    case unsatisfied(String)
    /// Cannot be evaluated; the text says what the request must add.
    case undetermined(String)

    /// All of `outcomes` (an empty list holds): false wins over unknown, unknown over true.
    /// The conditions that held are joined with `separator`.
    static func all(_ outcomes: [ConstraintOutcome], separator: String = " ") -> ConstraintOutcome {
        if let failed = outcomes.first(where: { if case .unsatisfied = $0 { true } else { false } }) { return failed }
        if let unknown = outcomes.first(where: { if case .undetermined = $0 { true } else { false } }) { return unknown }
        let parts = outcomes.compactMap { if case .satisfied(let text) = $0, !text.isEmpty { text } else { nil } }
        return .satisfied(parts.joined(separator: separator))
    }
}

extension LicenceConstraint {
    /// Checks the constraint for `request`, where the rule has been used `usesSoFar` times.
    func evaluate(for request: LicenceRequest, usesSoFar: Int) -> ConstraintOutcome {
        switch self {
        case .dateTime(let op, let bound):
            return Self.evaluateTime(op, bound, now: request.time)
        case .purpose(let op, let purposes):
            return Self.evaluatePurpose(op, purposes, stated: request.purpose)
        case .count(let op, let limit):
            guard usesSoFar >= 0 else {
                return .undetermined("the use count given for this permission is negative (\(usesSoFar))")
            }
            // `count` includes this use: it is allowed while the uses so far stay below the limit.
            let allowedUses = op == .lt ? limit - 1 : limit
            guard usesSoFar < allowedUses else {
                return .unsatisfied("all \(max(allowedUses, 0)) allowed uses have been made")
            }
            return .satisfied("(\(allowedUses - usesSoFar - 1) of \(allowedUses) uses left)")
        case .recipient(let op, let parties):
            return Self.evaluateRecipient(op, parties, recipient: request.recipient)
        case .and(let parts):
            return ConstraintOutcome.all(parts.map { $0.evaluate(for: request, usesSoFar: usesSoFar) }, separator: " and ")
        case .or(let parts):
            let outcomes = parts.map { $0.evaluate(for: request, usesSoFar: usesSoFar) }
            let alternatives = parts.count == 1 ? "" : " (one of \(parts.count) alternatives)"
            for outcome in outcomes {
                if case .satisfied(let text) = outcome { return .satisfied(text + alternatives) }
            }
            for outcome in outcomes {
                if case .undetermined(let text) = outcome { return .undetermined(text) }
            }
            guard case .unsatisfied(let first) = outcomes.first else { return .unsatisfied("no alternative holds") }
            return .unsatisfied(parts.count == 1 ? first : "none of \(parts.count) alternatives holds (for example: \(first))")
        }
    }

    private static func evaluateTime(_ op: ConstraintOperator, _ bound: PolicyTime, now: PolicyTime) -> ConstraintOutcome {
        let holds: Bool
        let phrase: String
        switch op {
        case .lt: (holds, phrase) = (now < bound, "before \(bound)")
        case .lteq: (holds, phrase) = (now <= bound, "until \(bound)")
        case .gt: (holds, phrase) = (now > bound, "after \(bound)")
        case .gteq: (holds, phrase) = (now >= bound, "from \(bound)")
        case .eq: (holds, phrase) = (now == bound, "at \(bound)")
        case .neq: (holds, phrase) = (now != bound, "at any time but \(bound)")
        default: return .unsatisfied("dateTime does not support \(op)")
        }
        if holds { return .satisfied(phrase) }
        return .unsatisfied(op == .neq ? "it is \(now), the one excluded time" : "it is \(now), not \(phrase)")
    }

    private static func evaluatePurpose(_ op: ConstraintOperator, _ purposes: [DPVPurpose], stated: DPVPurpose?) -> ConstraintOutcome {
        let listed = purposes.map(\.term).joined(separator: ", ")
        guard let stated else {
            return .undetermined("the request states no purpose (required: purpose \(op) \(listed))")
        }
        let within = purposes.contains { stated.isA($0) }
        switch op {
        case .eq, .isA:
            let named = purposes[0]
            return within
                ? .satisfied("for purpose \(named)" + (stated == named ? "" : " (stated: \(stated))"))
                : .unsatisfied("the stated purpose \(stated) is not \(named) or narrower")
        case .isAnyOf:
            return within
                ? .satisfied("for purpose \(stated) (one of \(listed))")
                : .unsatisfied("the stated purpose \(stated) is none of \(listed) or narrower")
        case .neq, .isNoneOf:
            return within
                ? .unsatisfied("the stated purpose \(stated) falls under excluded \(listed)")
                : .satisfied("for purpose \(stated) (not \(listed))")
        default:
            return .unsatisfied("purpose does not support \(op)")
        }
    }

    private static func evaluateRecipient(
        _ op: ConstraintOperator, _ parties: [LicenceParty], recipient: LicenceParty?
    ) -> ConstraintOutcome {
        let listed = parties.map(\.did).joined(separator: ", ")
        guard let recipient else {
            return .undetermined("the request names no recipient (required: recipient \(op) \(listed))")
        }
        let isListed = parties.contains(recipient)
        switch op {
        case .eq:
            return isListed ? .satisfied("to recipient \(recipient)") : .unsatisfied("recipient \(recipient) is not \(listed)")
        case .isAnyOf, .isPartOf:
            return isListed
                ? .satisfied("to recipient \(recipient) (one of \(listed))")
                : .unsatisfied("recipient \(recipient) is none of \(listed)")
        case .neq, .isNoneOf:
            return isListed
                ? .unsatisfied("recipient \(recipient) is excluded")
                : .satisfied("to recipient \(recipient) (not \(listed))")
        default:
            return .unsatisfied("recipient does not support \(op)")
        }
    }
}
