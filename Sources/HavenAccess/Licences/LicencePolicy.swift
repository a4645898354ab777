/// A licence: a policy in Haven's strict subset of W3C ODRL 2.2, read from and written to
/// compact JSON-LD with the ODRL context, and decided by a pure function.
///
/// The subset: policy types `Set`, `Offer` and `Agreement`; `permission`, `prohibition` and
/// `obligation`; rules with one `action` (``LicenceAction``: `use`, `read`, `reproduce`,
/// `distribute`, `derive`, `aggregate`, `haven:ai`), a `target` content id, an `assignee` DID
/// and `constraint`s (``LicenceConstraint``: `dateTime`, DPV `purpose`, `count`, `recipient`,
/// with `and`/`or`); `duty` on permissions (``LicenceDuty``). `target`, `assignee` and
/// `assigner` may be given on the policy, which applies them to every rule. Anything else —
/// an unknown property, class, action, operand, operator or value, a `refinement`,
/// `inheritFrom`, a conflict strategy other than ODRL's default (`invalid`) — is refused when
/// the policy is read, with a ``PolicyError`` naming the term and its JSON path: a licence must
/// never be enforced as something weaker than it says.
///
/// This type only decides; it performs no I/O. Counters of uses and the clock are inputs of
/// ``evaluate(_:)``, and the ledger signs the bytes of ``canonicalJSON``.
public struct LicencePolicy: Sendable, Equatable {
    /// ODRL 2.2's policy subclasses in the subset.
    public enum Kind: String, Sendable, CaseIterable {
        /// Rules with no particular parties required.
        case set = "Set"
        /// Offered by an `assigner`, to be turned into an agreement.
        case offer = "Offer"
        /// Granted by an `assigner` to the `assignee` of every rule.
        case agreement = "Agreement"
    }

    /// The largest policy document accepted, in bytes.
    public static let maximumSize = 64 << 10
    /// The deepest nesting of JSON objects and arrays accepted.
    public static let maximumDepth = 16
    /// The deepest nesting of `and`/`or` constraints accepted.
    public static let maximumLogicalNesting = 4
    /// The ODRL 2.2 JSON-LD context.
    public static let odrlContext = "http://www.w3.org/ns/odrl.jsonld"
    /// Haven's ODRL profile, which defines `haven:ai` and the subset's semantics.
    public static let profile = "https://haven.example/ns/odrl-profile"

    public let kind: Kind
    public let uid: String
    /// `dct:title`, for people.
    public let title: String?
    /// `dct:description`, for people.
    public let summary: String?
    /// Who grants the licence: required for offers and agreements.
    public let assigner: LicenceParty?
    public let permissions: [LicenceRule]
    public let prohibitions: [LicenceRule]
    public let obligations: [LicenceDuty]

    /// Makes a policy, with the checks that reading one applies: identifiers, at least one
    /// rule, operators that suit their left operands, `count` only directly on permissions,
    /// duties only on permissions, unique rule keys, and the parties ODRL requires of offers
    /// (an assigner) and agreements (an assigner, and an assignee on every rule).
    public init(
        kind: Kind = .set,
        uid: String,
        title: String? = nil,
        summary: String? = nil,
        assigner: LicenceParty? = nil,
        permissions: [LicenceRule] = [],
        prohibitions: [LicenceRule] = [],
        obligations: [LicenceDuty] = []
    ) throws(PolicyError) {
        self.kind = kind
        self.uid = uid
        self.title = title
        self.summary = summary
        self.assigner = assigner
        self.permissions = permissions
        self.prohibitions = prohibitions
        self.obligations = obligations
        try validate()
    }

    /// Reads a policy document: at most ``maximumSize`` bytes of UTF-8 JSON, nested at most
    /// ``maximumDepth`` deep, in the subset. Throws on anything else.
    public init(parsing bytes: [UInt8]) throws(PolicyError) {
        self = try PolicyParser.parse(bytes)
    }

    /// The canonical JSON-LD bytes (RFC 8785 style: sorted keys, no whitespace), the form a
    /// licence is signed and stored in. Reading them back gives an equal policy.
    public var canonicalJSON: [UInt8] {
        PolicyEncoder.encode(self).canonicalBytes
    }

    /// Decides `request`, purely. Prohibitions come first: one that covers the party and
    /// content, whose action overlaps the requested one (either includes the other) and whose
    /// constraints hold denies — as a `conflict` when a permission would also allow, since under
    /// ODRL's default strategy (`invalid`) a conflicting policy allows nothing; one whose
    /// constraints cannot be evaluated denies too. Then the first permission that covers the
    /// request and whose constraints all hold allows. Otherwise the request is denied by default.
    public func evaluate(_ request: LicenceRequest) -> LicenceDecision {
        LicenceEvaluator.evaluate(self, request)
    }

    /// The key that the uses of permission `index` are counted under.
    public func key(ofPermission index: Int) -> LicenceRuleKey {
        reference(to: .permission, at: index).key
    }

    func reference(to kind: LicenceRuleReference.Kind, at index: Int) -> LicenceRuleReference {
        let rule = kind == .permission ? permissions[index] : prohibitions[index]
        return LicenceRuleReference(
            kind: kind, index: index, uid: rule.uid,
            key: LicenceRuleKey(rule.uid ?? "\(uid)#\(kind.rawValue)[\(index)]")
        )
    }

    private func validate() throws(PolicyError) {
        let root = JSONPath.root
        guard LicenceTarget.isIdentifier(uid) else {
            throw .invalidValue(
                path: root.appending("uid").description, reason: "a policy uid is an IRI without spaces, such as urn:uuid:…"
            )
        }
        guard !(permissions.isEmpty && prohibitions.isEmpty && obligations.isEmpty) else {
            throw .missingProperty("at least one permission, prohibition or obligation", path: root.description)
        }
        if kind != .set, assigner == nil {
            throw .missingProperty("an assigner (an \(kind.rawValue) is made by someone)", path: root.description)
        }
        var keys: Set<String> = [uid]
        for (name, rules) in [("permission", permissions), ("prohibition", prohibitions)] {
            for (index, rule) in rules.enumerated() {
                let path = root.appending(name).appending(index)
                let key = rule.uid ?? "\(uid)#\(name)[\(index)]"
                if let ruleUID = rule.uid, !LicenceTarget.isIdentifier(ruleUID) {
                    throw .invalidValue(path: path.appending("uid").description, reason: "a rule uid is an IRI without spaces")
                }
                guard keys.insert(key).inserted else {
                    throw .invalidValue(
                        path: path.appending("uid").description,
                        reason: "'\(key)' names another rule or the policy too; uids must be unique"
                    )
                }
                if kind == .agreement, rule.assignee == nil {
                    throw .missingProperty("an assignee (every rule of an Agreement is granted to someone)", path: path.description)
                }
                for (position, constraint) in rule.constraints.enumerated() {
                    let constraintPath = path.appending("constraint").appending(position)
                    try constraint.validate(at: constraintPath, countAllowed: name == "permission", nesting: 0)
                }
                if name == "prohibition", !rule.duties.isEmpty {
                    throw .unsupportedTerm("duty", path: path.appending("duty").description, supported: ["duty on permissions"])
                }
                for (position, duty) in rule.duties.enumerated() {
                    let dutyPath = path.appending("duty").appending(position)
                    try Self.validate(duty, at: dutyPath, keys: &keys)
                    if duty.assignee != nil {
                        throw .unsupportedTerm("assignee", path: dutyPath.appending("assignee").description, supported: ["uid", "action"])
                    }
                    if duty.target != nil {
                        throw .unsupportedTerm("target", path: dutyPath.appending("target").description, supported: ["uid", "action"])
                    }
                }
            }
        }
        for (index, duty) in obligations.enumerated() {
            let path = root.appending("obligation").appending(index)
            try Self.validate(duty, at: path, keys: &keys)
            if kind == .agreement, duty.assignee == nil {
                throw .missingProperty("an assignee (every obligation of an Agreement falls on someone)", path: path.description)
            }
        }
    }

    private static func validate(_ duty: LicenceDuty, at path: JSONPath, keys: inout Set<String>) throws(PolicyError) {
        guard let dutyUID = duty.uid else { return }
        guard LicenceTarget.isIdentifier(dutyUID) else {
            throw .invalidValue(path: path.appending("uid").description, reason: "a duty uid is an IRI without spaces")
        }
        guard keys.insert(dutyUID).inserted else {
            throw .invalidValue(
                path: path.appending("uid").description,
                reason: "'\(dutyUID)' names another rule or the policy too; uids must be unique"
            )
        }
    }
}
