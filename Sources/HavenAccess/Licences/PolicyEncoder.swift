/// Writes a ``LicencePolicy`` as compact JSON-LD in one canonical layout: the ODRL context with
/// the `dpv` and `haven` prefixes, Haven's profile, every rule with its own target and
/// assignee, lists always as arrays, times as typed `xsd:dateTime` literals in UTC, purposes
/// and parties as `{"@id": …}` references.
enum PolicyEncoder {
    static let context: PolicyJSON = .array([
        .string(LicencePolicy.odrlContext),
        .object([
            .init(key: "dpv", value: .string(DPVPurpose.namespace)),
            .init(key: "haven", value: .string(LicenceAction.havenNamespace)),
        ]),
    ])

    static func encode(_ policy: LicencePolicy) -> PolicyJSON {
        var members: [PolicyJSON.Member] = [
            .init(key: "@context", value: context),
            .init(key: "@type", value: .string(policy.kind.rawValue)),
            .init(key: "uid", value: .string(policy.uid)),
            .init(key: "profile", value: .string(LicencePolicy.profile)),
        ]
        if let title = policy.title { members.append(.init(key: "dct:title", value: .string(title))) }
        if let summary = policy.summary { members.append(.init(key: "dct:description", value: .string(summary))) }
        if let assigner = policy.assigner { members.append(.init(key: "assigner", value: .string(assigner.did))) }
        if !policy.permissions.isEmpty { members.append(.init(key: "permission", value: .array(policy.permissions.map(encode)))) }
        if !policy.prohibitions.isEmpty { members.append(.init(key: "prohibition", value: .array(policy.prohibitions.map(encode)))) }
        if !policy.obligations.isEmpty { members.append(.init(key: "obligation", value: .array(policy.obligations.map(encode)))) }
        return .object(members)
    }

    private static func encode(_ rule: LicenceRule) -> PolicyJSON {
        var members: [PolicyJSON.Member] = [.init(key: "action", value: .string(rule.action.term))]
        if let uid = rule.uid { members.append(.init(key: "uid", value: .string(uid))) }
        if let target = rule.target { members.append(.init(key: "target", value: .string(target.id))) }
        if let assignee = rule.assignee { members.append(.init(key: "assignee", value: .string(assignee.did))) }
        if !rule.constraints.isEmpty { members.append(.init(key: "constraint", value: .array(rule.constraints.map(encode)))) }
        if !rule.duties.isEmpty { members.append(.init(key: "duty", value: .array(rule.duties.map(encode)))) }
        return .object(members)
    }

    private static func encode(_ duty: LicenceDuty) -> PolicyJSON {
        var members: [PolicyJSON.Member] = [.init(key: "action", value: .string(duty.action.rawValue))]
        if let uid = duty.uid { members.append(.init(key: "uid", value: .string(uid))) }
        if let assignee = duty.assignee { members.append(.init(key: "assignee", value: .string(assignee.did))) }
        if let target = duty.target { members.append(.init(key: "target", value: .string(target.id))) }
        return .object(members)
    }

    private static func encode(_ constraint: LicenceConstraint) -> PolicyJSON {
        switch constraint {
        case .dateTime(let op, let time):
            return atomic("dateTime", op, .object([
                .init(key: "@type", value: .string("xsd:dateTime")),
                .init(key: "@value", value: .string(time.iso8601)),
            ]))
        case .purpose(let op, let purposes):
            return atomic("purpose", op, references(purposes.map(\.term), list: op.takesList))
        case .count(let op, let limit):
            return atomic("count", op, .integer(limit))
        case .recipient(let op, let parties):
            return atomic("recipient", op, references(parties.map(\.did), list: op.takesList))
        case .and(let parts):
            return .object([.init(key: "and", value: .array(parts.map(encode)))])
        case .or(let parts):
            return .object([.init(key: "or", value: .array(parts.map(encode)))])
        }
    }

    private static func atomic(_ leftOperand: String, _ op: ConstraintOperator, _ rightOperand: PolicyJSON) -> PolicyJSON {
        .object([
            .init(key: "leftOperand", value: .string(leftOperand)),
            .init(key: "operator", value: .string(op.rawValue)),
            .init(key: "rightOperand", value: rightOperand),
        ])
    }

    private static func references(_ ids: [String], list: Bool) -> PolicyJSON {
        let values = ids.map { PolicyJSON.object([.init(key: "@id", value: .string($0))]) }
        return list ? .array(values) : values[0]
    }
}
