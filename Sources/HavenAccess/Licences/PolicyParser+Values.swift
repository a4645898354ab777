/// Reading the values of a policy document: identifiers, parties, content ids, date-times,
/// counts and the right operands that name things, each checked where it stands.
extension PolicyParser {
    static func prefixes(declaredBy context: PolicyJSON, at path: JSONPath) throws(PolicyError) -> (dpv: Bool, haven: Bool) {
        let supported = [LicencePolicy.odrlContext, "[\"\(LicencePolicy.odrlContext)\", {\"dpv\": …, \"haven\": …}]"]
        switch context {
        case .string(LicencePolicy.odrlContext):
            return (false, false)
        case .array(let items) where items.first == .string(LicencePolicy.odrlContext):
            var declared = (dpv: false, haven: false)
            for (index, item) in items.enumerated().dropFirst() {
                let itemPath = path.appending(index)
                let fields = try PolicyObjectFields(item, at: itemPath, what: "a context prefix map", allowed: ["dpv", "haven"])
                if let dpv = fields["dpv"] {
                    guard dpv == .string(DPVPurpose.namespace) else {
                        throw .invalidValue(path: itemPath.appending("dpv").description, reason: "dpv must be \(DPVPurpose.namespace)")
                    }
                    declared.dpv = true
                }
                if let haven = fields["haven"] {
                    guard haven == .string(LicenceAction.havenNamespace) else {
                        throw .invalidValue(
                            path: itemPath.appending("haven").description, reason: "haven must be \(LicenceAction.havenNamespace)"
                        )
                    }
                    declared.haven = true
                }
            }
            return declared
        case .string(let other):
            throw .unsupportedTerm(other, path: path.description, supported: supported)
        default:
            throw .invalidValue(
                path: path.description,
                reason: "the context is \"\(LicencePolicy.odrlContext)\", optionally in a list followed by the dpv and haven prefixes"
            )
        }
    }

    /// The action's name, and where it was found (inside a one-element list, say).
    static func actionTerm(_ json: PolicyJSON, at path: JSONPath) throws(PolicyError) -> (value: String, path: JSONPath) {
        switch json {
        case .string(let term):
            return (term, path)
        case .array(let items) where items.count == 1:
            return try actionTerm(items[0], at: path.appending(0))
        case .array:
            throw .invalidValue(path: path.description, reason: "a rule has exactly one action")
        case .object(let members):
            if members.contains(where: { $0.key == "refinement" }) {
                throw .unsupportedTerm("refinement", path: path.appending("refinement").description, supported: [])
            }
            throw .invalidValue(path: path.description, reason: "an action is written as its name, such as \"read\"")
        default:
            throw .invalidValue(path: path.description, reason: "an action is a name such as \"read\", not \(json.kindName)")
        }
    }

    static func party(_ json: PolicyJSON, at path: JSONPath) throws(PolicyError) -> LicenceParty {
        try LicenceParty(parsing: try identifier(json, at: path, what: "a party (one DID)"), at: path)
    }

    static func target(_ json: PolicyJSON, at path: JSONPath) throws(PolicyError) -> LicenceTarget {
        try LicenceTarget(parsing: try identifier(json, at: path, what: "a target (one content id)"), at: path)
    }

    /// A plain string or `{"@id": …}`; a typed node (a `PartyCollection`, an `AssetCollection`)
    /// or a refined one is outside the subset.
    static func identifier(_ json: PolicyJSON, at path: JSONPath, what: String) throws(PolicyError) -> String {
        switch json {
        case .string(let value):
            return value
        case .object(let members):
            if let type = members.first(where: { $0.key == "@type" }) {
                let name = if case .string(let text) = type.value { text } else { "@type" }
                throw .unsupportedTerm(name, path: path.appending("@type").description, supported: ["\(what) as a string"])
            }
            if members.contains(where: { $0.key == "refinement" }) {
                throw .unsupportedTerm("refinement", path: path.appending("refinement").description, supported: [])
            }
            let fields = try PolicyObjectFields(json, at: path, what: what, allowed: ["@id"])
            guard let id = fields["@id"] else { throw .missingProperty("@id", path: path.description) }
            return try string(id, at: path.appending("@id"), what: what)
        default:
            throw .invalidValue(path: path.description, reason: "expected \(what), not \(json.kindName)")
        }
    }

    /// Right operands that name things: one value, or a list for the set operators.
    static func references(
        _ json: PolicyJSON, at path: JSONPath, list: Bool, op: ConstraintOperator
    ) throws(PolicyError) -> [(String, JSONPath)] {
        if list {
            guard case .array(let items) = json, !items.isEmpty else {
                throw .invalidValue(path: path.description, reason: "\(op) takes a non-empty list")
            }
            var values: [(String, JSONPath)] = []
            for (index, item) in items.enumerated() {
                values.append((try identifier(item, at: path.appending(index), what: "a value"), path.appending(index)))
            }
            return values
        }
        if case .array = json {
            throw .invalidValue(path: path.description, reason: "\(op) compares with exactly one value; use isAnyOf for a list")
        }
        return [(try identifier(json, at: path, what: "a value"), path)]
    }

    static func dateTime(_ json: PolicyJSON, at path: JSONPath) throws(PolicyError) -> PolicyTime {
        switch json {
        case .string(let text):
            return try PolicyTime(parsing: text, at: path)
        case .object:
            let fields = try PolicyObjectFields(json, at: path, what: "a typed date-time", allowed: ["@value", "@type"])
            if let type = fields["@type"] {
                let name = try string(type, at: path.appending("@type"), what: "a datatype")
                guard name == "xsd:dateTime" || name == "http://www.w3.org/2001/XMLSchema#dateTime" else {
                    throw .unsupportedTerm(name, path: path.appending("@type").description, supported: ["xsd:dateTime"])
                }
            }
            guard let value = fields["@value"] else { throw .missingProperty("@value", path: path.description) }
            let valuePath = path.appending("@value")
            return try PolicyTime(parsing: try string(value, at: valuePath, what: "a date-time"), at: valuePath)
        default:
            throw .invalidValue(path: path.description, reason: "expected an xsd:dateTime, not \(json.kindName)")
        }
    }

    static func count(_ json: PolicyJSON, at path: JSONPath) throws(PolicyError) -> Int {
        var value = json
        var valuePath = path
        if case .object = json {
            let fields = try PolicyObjectFields(json, at: path, what: "a typed integer", allowed: ["@value", "@type"])
            if let type = fields["@type"] {
                let name = try string(type, at: path.appending("@type"), what: "a datatype")
                guard ["xsd:integer", "xsd:nonNegativeInteger"].contains(name) else {
                    throw .unsupportedTerm(
                        name, path: path.appending("@type").description, supported: ["xsd:integer", "xsd:nonNegativeInteger"]
                    )
                }
            }
            guard let inner = fields["@value"] else { throw .missingProperty("@value", path: path.description) }
            value = inner
            valuePath = path.appending("@value")
        }
        guard case .integer(let limit) = value, limit >= 0 else {
            throw .invalidValue(path: valuePath.description, reason: "a count limit is a whole number, 0 or more")
        }
        return limit
    }

    static func string(_ json: PolicyJSON, at path: JSONPath, what: String) throws(PolicyError) -> String {
        guard case .string(let value) = json else {
            throw .invalidValue(path: path.description, reason: "expected \(what) as a string, not \(json.kindName)")
        }
        return value
    }

    /// The ODRL term behind a compact name or a full ODRL IRI.
    static func odrlName(_ term: String) -> String {
        term.hasPrefix(LicenceAction.odrlNamespace) ? String(term.dropFirst(LicenceAction.odrlNamespace.count)) : term
    }

    /// The members of a list property: each element of an array, or a lone object.
    static func elements(_ json: PolicyJSON?, at path: JSONPath) throws(PolicyError) -> [(PolicyJSON, JSONPath)] {
        switch json {
        case nil:
            return []
        case .array(let items)?:
            return items.enumerated().map { ($0.element, path.appending($0.offset)) }
        case .object?:
            return [(json!, path)]
        case let other?:
            throw .invalidValue(path: path.description, reason: "expected a list of objects, not \(other.kindName)")
        }
    }
}

/// The members of one JSON object, checked against the properties the subset allows there.
struct PolicyObjectFields {
    private let values: [String: PolicyJSON]

    init(_ json: PolicyJSON, at path: JSONPath, what: String, allowed: [String]) throws(PolicyError) {
        guard case .object(let members) = json else {
            throw .invalidValue(path: path.description, reason: "expected \(what) as a JSON object, not \(json.kindName)")
        }
        for member in members where !allowed.contains(member.key) {
            throw .unsupportedTerm(member.key, path: path.appending(member.key).description, supported: allowed)
        }
        var values: [String: PolicyJSON] = [:]
        for member in members { values[member.key] = member.value }
        self.values = values
    }

    subscript(key: String) -> PolicyJSON? { values[key] }
}
