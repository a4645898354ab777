/// Reads compact ODRL JSON-LD into a ``LicencePolicy``, refusing every term outside the subset
/// with its JSON path. Accepted spellings beyond the canonical one: a single object where a
/// list is expected, `{"@id": …}` or a plain string for parties, purposes and content, a plain
/// string for a date-time, full IRIs for ODRL, DPV and Haven terms, `{"@list": […]}` around the
/// operands of `and`/`or`. Compact `dpv:`/`haven:` names need their prefix in `@context`.
struct PolicyParser {
    private var usesDPVPrefix = false
    private var usesHavenPrefix = false

    static func parse(_ bytes: [UInt8]) throws(PolicyError) -> LicencePolicy {
        guard bytes.count <= LicencePolicy.maximumSize else {
            throw .tooLarge(size: bytes.count, limit: LicencePolicy.maximumSize)
        }
        let json = try PolicyJSONParser.parse(bytes, maximumDepth: LicencePolicy.maximumDepth)
        var parser = PolicyParser()
        return try parser.policy(json)
    }

    private static let policyProperties = [
        "@context", "@type", "uid", "profile", "conflict", "dct:title", "dct:description",
        "assigner", "assignee", "target", "permission", "prohibition", "obligation",
    ]

    private mutating func policy(_ json: PolicyJSON) throws(PolicyError) -> LicencePolicy {
        let root = JSONPath.root
        let fields = try PolicyObjectFields(json, at: root, what: "a policy", allowed: Self.policyProperties)

        guard let context = fields["@context"] else {
            throw .missingProperty("\"@context\": \"\(LicencePolicy.odrlContext)\"", path: root.description)
        }
        let declared = try Self.prefixes(declaredBy: context, at: root.appending("@context"))

        var kind = LicencePolicy.Kind.set
        if let type = fields["@type"] {
            let term = try Self.string(type, at: root.appending("@type"), what: "a policy type")
            guard let known = LicencePolicy.Kind(rawValue: Self.odrlName(term)) else {
                throw .unsupportedTerm(
                    term, path: root.appending("@type").description, supported: LicencePolicy.Kind.allCases.map(\.rawValue)
                )
            }
            kind = known
        }
        guard let uidValue = fields["uid"] else { throw .missingProperty("a uid", path: root.description) }
        let uid = try Self.string(uidValue, at: root.appending("uid"), what: "a uid")

        if let profile = fields["profile"] {
            let term = try Self.string(profile, at: root.appending("profile"), what: "a profile IRI")
            guard term == LicencePolicy.profile else {
                throw .unsupportedTerm(term, path: root.appending("profile").description, supported: [LicencePolicy.profile])
            }
        }
        if let conflict = fields["conflict"] {
            let term = try Self.string(conflict, at: root.appending("conflict"), what: "a conflict strategy")
            guard Self.odrlName(term) == "invalid" else {
                throw .unsupportedTerm(term, path: root.appending("conflict").description, supported: ["invalid (ODRL's default)"])
            }
        }
        let title = try fields["dct:title"].map { value throws(PolicyError) in
            try Self.string(value, at: root.appending("dct:title"), what: "a title")
        }
        let summary = try fields["dct:description"].map { value throws(PolicyError) in
            try Self.string(value, at: root.appending("dct:description"), what: "a description")
        }
        let assigner = try fields["assigner"].map { value throws(PolicyError) in
            try Self.party(value, at: root.appending("assigner"))
        }
        let defaults = RuleDefaults(
            assignee: try fields["assignee"].map { value throws(PolicyError) in try Self.party(value, at: root.appending("assignee")) },
            target: try fields["target"].map { value throws(PolicyError) in try Self.target(value, at: root.appending("target")) }
        )

        var permissions: [LicenceRule] = []
        for (element, path) in try Self.elements(fields["permission"], at: root.appending("permission")) {
            permissions.append(try rule(element, at: path, isPermission: true, defaults: defaults))
        }
        var prohibitions: [LicenceRule] = []
        for (element, path) in try Self.elements(fields["prohibition"], at: root.appending("prohibition")) {
            prohibitions.append(try rule(element, at: path, isPermission: false, defaults: defaults))
        }
        var obligations: [LicenceDuty] = []
        for (element, path) in try Self.elements(fields["obligation"], at: root.appending("obligation")) {
            obligations.append(try duty(element, at: path, isObligation: true, defaults: defaults))
        }

        if usesDPVPrefix, !declared.dpv {
            throw .invalidValue(path: root.appending("@context").description,
                                reason: "dpv: terms are used, so the context must declare \"dpv\": \"\(DPVPurpose.namespace)\"")
        }
        if usesHavenPrefix, !declared.haven {
            throw .invalidValue(path: root.appending("@context").description,
                                reason: "haven: terms are used, so the context must declare \"haven\": \"\(LicenceAction.havenNamespace)\"")
        }
        return try LicencePolicy(
            kind: kind, uid: uid, title: title, summary: summary, assigner: assigner,
            permissions: permissions, prohibitions: prohibitions, obligations: obligations
        )
    }

    /// `target` and `assignee` given on the policy, which apply to every rule without its own.
    private struct RuleDefaults {
        let assignee: LicenceParty?
        let target: LicenceTarget?
    }

    private mutating func rule(
        _ json: PolicyJSON, at path: JSONPath, isPermission: Bool, defaults: RuleDefaults
    ) throws(PolicyError) -> LicenceRule {
        let allowed = isPermission
            ? ["uid", "action", "target", "assignee", "constraint", "duty"]
            : ["uid", "action", "target", "assignee", "constraint"]
        let fields = try PolicyObjectFields(json, at: path, what: isPermission ? "a permission" : "a prohibition", allowed: allowed)
        let uid = try fields["uid"].map { value throws(PolicyError) in try Self.string(value, at: path.appending("uid"), what: "a uid") }
        guard let actionValue = fields["action"] else { throw .missingProperty("an action", path: path.description) }
        let action = try self.action(actionValue, at: path.appending("action"))

        let (assignee, target) = try Self.partyAndTarget(fields, at: path, defaults: defaults)
        var constraints: [LicenceConstraint] = []
        for (element, elementPath) in try Self.elements(fields["constraint"], at: path.appending("constraint")) {
            constraints.append(try constraint(element, at: elementPath, nesting: 0))
        }
        var duties: [LicenceDuty] = []
        for (element, elementPath) in try Self.elements(fields["duty"], at: path.appending("duty")) {
            duties.append(try duty(element, at: elementPath, isObligation: false, defaults: RuleDefaults(assignee: nil, target: nil)))
        }
        return LicenceRule(uid: uid, action: action, target: target, assignee: assignee, constraints: constraints, duties: duties)
    }

    /// A rule's own assignee and target, or the policy's; naming one where the policy already
    /// does is a conflict, not an override.
    private static func partyAndTarget(
        _ fields: PolicyObjectFields, at path: JSONPath, defaults: RuleDefaults
    ) throws(PolicyError) -> (LicenceParty?, LicenceTarget?) {
        var assignee = defaults.assignee
        if let value = fields["assignee"] {
            guard defaults.assignee == nil else { throw .conflictingProperty("assignee", path: path.appending("assignee").description) }
            assignee = try party(value, at: path.appending("assignee"))
        }
        var target = defaults.target
        if let value = fields["target"] {
            guard defaults.target == nil else { throw .conflictingProperty("target", path: path.appending("target").description) }
            target = try Self.target(value, at: path.appending("target"))
        }
        return (assignee, target)
    }

    private mutating func duty(
        _ json: PolicyJSON, at path: JSONPath, isObligation: Bool, defaults: RuleDefaults
    ) throws(PolicyError) -> LicenceDuty {
        let allowed = isObligation ? ["uid", "action", "assignee", "target"] : ["uid", "action"]
        let fields = try PolicyObjectFields(json, at: path, what: isObligation ? "an obligation" : "a duty", allowed: allowed)
        let uid = try fields["uid"].map { value throws(PolicyError) in try Self.string(value, at: path.appending("uid"), what: "a uid") }
        guard let actionValue = fields["action"] else { throw .missingProperty("an action", path: path.description) }
        let term = try Self.actionTerm(actionValue, at: path.appending("action"))
        let action = try LicenceDuty.Action(parsing: term.value, at: term.path)
        let (assignee, target) = try Self.partyAndTarget(fields, at: path, defaults: defaults)
        return LicenceDuty(uid: uid, action: action, assignee: assignee, target: target)
    }

    private mutating func action(_ json: PolicyJSON, at path: JSONPath) throws(PolicyError) -> LicenceAction {
        let term = try Self.actionTerm(json, at: path)
        let action = try LicenceAction(parsing: term.value, at: term.path)
        if action == .ai, term.value.hasPrefix("haven:") { usesHavenPrefix = true }
        return action
    }

    private mutating func constraint(_ json: PolicyJSON, at path: JSONPath, nesting: Int) throws(PolicyError) -> LicenceConstraint {
        guard case .object(let members) = json else {
            throw .invalidValue(path: path.description, reason: "a constraint is a JSON object, not \(json.kindName)")
        }
        let logical = ["and", "or", "xone", "andSequence"]
        if members.contains(where: { logical.contains($0.key) }) {
            _ = try PolicyObjectFields(json, at: path, what: "a logical constraint", allowed: ["and", "or"])
            guard members.count == 1, let member = members.first else {
                throw .invalidValue(path: path.description, reason: "a logical constraint has exactly one of and, or")
            }
            guard nesting < LicencePolicy.maximumLogicalNesting else {
                throw .tooDeep(path: path.description, limit: LicencePolicy.maximumLogicalNesting)
            }
            let operandsPath = path.appending(member.key)
            var operands = member.value
            if case .object(let wrapper) = operands, wrapper.count == 1, wrapper[0].key == "@list" {
                operands = wrapper[0].value
            }
            guard case .array(let items) = operands, !items.isEmpty else {
                throw .invalidValue(path: operandsPath.description, reason: "\(member.key) takes a non-empty list of constraints")
            }
            var parts: [LicenceConstraint] = []
            for (index, item) in items.enumerated() {
                parts.append(try constraint(item, at: operandsPath.appending(index), nesting: nesting + 1))
            }
            return member.key == "and" ? .and(parts) : .or(parts)
        }

        let fields = try PolicyObjectFields(json, at: path, what: "a constraint", allowed: ["leftOperand", "operator", "rightOperand"])
        guard let leftValue = fields["leftOperand"] else { throw .missingProperty("a leftOperand", path: path.description) }
        guard let operatorValue = fields["operator"] else { throw .missingProperty("an operator", path: path.description) }
        guard let right = fields["rightOperand"] else { throw .missingProperty("a rightOperand", path: path.description) }
        let leftTerm = try Self.string(leftValue, at: path.appending("leftOperand"), what: "a left operand")
        let operatorTerm = try Self.string(operatorValue, at: path.appending("operator"), what: "an operator")
        let operatorPath = path.appending("operator")
        let rightPath = path.appending("rightOperand")

        switch Self.odrlName(leftTerm) {
        case "dateTime":
            let op = try ConstraintOperator(parsing: operatorTerm, at: operatorPath, allowed: LicenceConstraint.dateTimeOperators)
            return .dateTime(op, try Self.dateTime(right, at: rightPath))
        case "purpose":
            let op = try ConstraintOperator(parsing: operatorTerm, at: operatorPath, allowed: LicenceConstraint.purposeOperators)
            var purposes: [DPVPurpose] = []
            for (value, valuePath) in try Self.references(right, at: rightPath, list: op.takesList, op: op) {
                if value.hasPrefix("dpv:") { usesDPVPrefix = true }
                purposes.append(try DPVPurpose(parsing: value, at: valuePath))
            }
            return .purpose(op, purposes)
        case "count":
            let op = try ConstraintOperator(parsing: operatorTerm, at: operatorPath, allowed: LicenceConstraint.countOperators)
            return .count(op, try Self.count(right, at: rightPath))
        case "recipient":
            let op = try ConstraintOperator(parsing: operatorTerm, at: operatorPath, allowed: LicenceConstraint.recipientOperators)
            var parties: [LicenceParty] = []
            for (value, valuePath) in try Self.references(right, at: rightPath, list: op.takesList, op: op) {
                parties.append(try LicenceParty(parsing: value, at: valuePath))
            }
            return .recipient(op, parties)
        default:
            throw .unsupportedTerm(leftTerm, path: path.appending("leftOperand").description, supported: LicenceConstraint.leftOperands)
        }
    }
}
