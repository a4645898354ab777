/// Turns a JSON Schema into a GBNF grammar (llama.cpp's grammar format) whose every sentence is
/// a JSON document valid against the schema. Generation constrained by it cannot produce text
/// that fails to parse or to validate.
///
/// Supported: `type` (one or a list), `properties`/`required` (properties in schema order;
/// `additionalProperties` other than `false` is treated as `false`), `items` with
/// `minItems`/`maxItems`, `enum`, `const`, `anyOf`/`oneOf`, `$ref` into `$defs` or
/// `definitions`, `minLength`/`maxLength` on strings. Keywords that constrain values in ways the
/// grammar cannot express (`pattern`, `minimum`, `format`, …) are refused rather than ignored,
/// so a schema is never silently weakened.
public struct JSONSchemaGrammar {
    private var rules: [(name: String, body: String)] = []
    private var ruleNames: Set<String> = []
    private var references: [String: String] = [:]
    /// The schema that `$ref`s resolve against; tool grammars convert several in turn.
    private var root: JSONValue
    /// Distinguishes the `$ref`s of different root schemas.
    private var scope = ""

    static let ignoredKeywords: Set<String> = [
        "$schema", "$id", "title", "description", "default", "examples", "$comment", "additionalProperties",
        "strict", "readOnly", "writeOnly", "deprecated", "$defs", "definitions", "name",
    ]
    static let handledKeywords: Set<String> = [
        "type", "properties", "required", "items", "minItems", "maxItems", "enum", "const", "anyOf", "oneOf", "$ref",
        "minLength", "maxLength",
    ]

    /// The grammar for documents valid against `schema`; its start rule is `root`.
    public static func grammar(for schema: JSONValue) throws(InferenceError) -> String {
        var converter = JSONSchemaGrammar(root: schema)
        let body = try converter.rule(for: schema, path: "root")
        converter.add(name: "root", body: body)
        return converter.render()
    }

    /// The grammar for any JSON object (`response_format: json_object`).
    public static var anyObject: String {
        var converter = JSONSchemaGrammar(root: .null)
        converter.addGenericValueRules()
        converter.add(name: "root", body: "object")
        return converter.render()
    }

    /// A grammar for one to four tool calls, `<tool_call>{"name": …, "arguments": …}</tool_call>`,
    /// each naming one of `tools` with arguments valid against that tool's parameter schema.
    public static func toolCalls(_ tools: [(name: String, parameters: JSONValue?)]) throws(InferenceError) -> String {
        guard !tools.isEmpty else { throw .invalidParameter("no tools to call") }
        var converter = JSONSchemaGrammar(root: .null)
        converter.addPrimitiveRules()
        var alternatives: [String] = []
        for (index, tool) in tools.enumerated() {
            converter.root = tool.parameters ?? .object([:], order: [])
            converter.scope = "tool\(index)"
            let arguments: String
            if let parameters = tool.parameters {
                let body = try converter.rule(for: parameters, path: "tool-\(index)-arguments")
                arguments = converter.name(for: "tool-\(index)-arguments")
                converter.add(name: arguments, body: body)
            } else {
                converter.addGenericValueRules()
                arguments = "object"
            }
            let call = converter.name(for: "tool-\(index)")
            converter.add(
                name: call,
                body: literal(.string(tool.name)) + #" space "," space "\"arguments\"" space ":" space "# + arguments)
            alternatives.append(call)
        }
        converter.add(
            name: "call",
            body: #""<tool_call>" "\n"? "{" space "\"name\"" space ":" space ("#
                + alternatives.joined(separator: " | ") + #") "}" space "\n"? "</tool_call>""#)
        // Parallel calls are allowed, a few at most: a small model must not call forever.
        converter.add(name: "root", body: #"call ("\n" call){0,3}"#)
        return converter.render()
    }

    private init(root: JSONValue) {
        self.root = root
    }

    private func render() -> String {
        // `root` first, then the rest in the order they were made.
        let ordered = rules.filter { $0.name == "root" } + rules.filter { $0.name != "root" }
        return ordered.map { "\($0.name) ::= \($0.body)" }.joined(separator: "\n") + "\n"
    }

    private mutating func add(name: String, body: String) {
        guard !ruleNames.contains(name) else { return }
        ruleNames.insert(name)
        rules.append((name, body))
    }

    /// A fresh rule name derived from a schema path.
    private mutating func name(for path: String) -> String {
        let base = String(path.map { $0.isLetter || $0.isNumber ? $0 : "-" }).lowercased()
        var candidate = base.isEmpty ? "rule" : base
        var counter = 1
        while ruleNames.contains(candidate) || references.values.contains(candidate) {
            counter += 1
            candidate = "\(base)-\(counter)"
        }
        return candidate
    }

    // MARK: Schemas

    private mutating func rule(for schema: JSONValue, path: String) throws(InferenceError) -> String {
        if case .bool(true) = schema { return valueRule() }
        guard case .object(let keywords, _) = schema else {
            throw .invalidParameter("schema at \(path) must be an object")
        }
        for key in keywords.keys where !Self.ignoredKeywords.contains(key) && !Self.handledKeywords.contains(key) {
            throw .invalidParameter("JSON schema keyword '\(key)' (at \(path)) is not supported")
        }
        if let reference = keywords["$ref"] {
            return try ruleForReference(reference, path: path)
        }
        if let constant = keywords["const"] {
            return Self.literal(constant) + " space"
        }
        if case .array(let values) = keywords["enum"] {
            guard !values.isEmpty else { throw .invalidParameter("enum at \(path) is empty") }
            return "(" + values.map { Self.literal($0) }.joined(separator: " | ") + ") space"
        }
        for key in ["anyOf", "oneOf"] {
            if case .array(let options) = keywords[key] {
                var alternatives: [String] = []
                for (index, option) in options.enumerated() {
                    let body = try rule(for: option, path: "\(path)-\(key)-\(index)")
                    let optionName = name(for: "\(path)-\(index)")
                    add(name: optionName, body: body)
                    alternatives.append(optionName)
                }
                return "(" + alternatives.joined(separator: " | ") + ")"
            }
        }
        switch keywords["type"] {
        case .string(let type):
            return try rule(forType: type, keywords: keywords, path: path)
        case .array(let types):
            var alternatives: [String] = []
            for case .string(let type) in types {
                let body = try rule(forType: type, keywords: keywords, path: "\(path)-\(type)")
                let typeName = name(for: "\(path)-\(type)")
                add(name: typeName, body: body)
                alternatives.append(typeName)
            }
            return "(" + alternatives.joined(separator: " | ") + ")"
        case nil:
            if keywords["properties"] != nil { return try rule(forType: "object", keywords: keywords, path: path) }
            if keywords["items"] != nil { return try rule(forType: "array", keywords: keywords, path: path) }
            return valueRule()
        default:
            throw .invalidParameter("'type' at \(path) must be a string or a list of strings")
        }
    }

    private mutating func rule(forType type: String, keywords: [String: JSONValue], path: String) throws(InferenceError) -> String {
        addPrimitiveRules()
        switch type {
        case "string":
            let (minimum, maximum) = try Self.bounds("minLength", "maxLength", in: keywords, path: path)
            if let maximum {
                return "\"\\\"\" char{\(minimum),\(maximum)} \"\\\"\" space"
            }
            return minimum > 0 ? "\"\\\"\" char{\(minimum),} \"\\\"\" space" : "string"
        case "number": return "number"
        case "integer": return "integer"
        case "boolean": return "boolean"
        case "null": return "null"
        case "array":
            let item = try keywords["items"].map { schema throws(InferenceError) in
                let body = try rule(for: schema, path: "\(path)-item")
                let itemName = name(for: "\(path)-item")
                add(name: itemName, body: body)
                return itemName
            } ?? valueRule()
            let (minimum, maximum) = try Self.bounds("minItems", "maxItems", in: keywords, path: path)
            let more = maximum.map { "{\(max(minimum - 1, 0)),\(max($0 - 1, 0))}" } ?? (minimum > 1 ? "{\(minimum - 1),}" : "*")
            if maximum == 0 { return "\"[\" space \"]\" space" }
            let items = "\(item) (\",\" space \(item))\(more)"
            return minimum > 0 ? "\"[\" space \(items) \"]\" space" : "\"[\" space (\(items))? \"]\" space"
        case "object":
            return try objectRule(keywords: keywords, path: path)
        default:
            throw .invalidParameter("unknown JSON schema type '\(type)' at \(path)")
        }
    }

    /// The most characters or items a length keyword may ask for. llama.cpp writes a repetition
    /// `x{m,n}` out as rules, one per repeat, so a larger bound costs memory when the grammar is
    /// compiled rather than constraining anything a model would write.
    static let maximumRepetition = 100_000

    /// A pair of length keywords (`minLength`/`maxLength`, `minItems`/`maxItems`): each absent or
    /// a whole number from 0 to ``maximumRepetition``, the minimum (0 when absent) at most the
    /// maximum. Anything else is refused, naming the keyword and where it is.
    private static func bounds(
        _ minimumName: String, _ maximumName: String, in keywords: [String: JSONValue], path: String
    ) throws(InferenceError) -> (minimum: Int, maximum: Int?) {
        func count(_ name: String) throws(InferenceError) -> Int? {
            guard let value = keywords[name] else { return nil }
            guard let count = value.intValue, (0...maximumRepetition).contains(count) else {
                throw .invalidParameter("'\(name)' at \(path) must be a whole number from 0 to \(maximumRepetition)")
            }
            return count
        }
        let minimum = try count(minimumName) ?? 0
        let maximum = try count(maximumName)
        if let maximum, minimum > maximum {
            throw .invalidParameter("'\(minimumName)' at \(path) is above its '\(maximumName)'")
        }
        return (minimum, maximum)
    }

    private mutating func objectRule(keywords: [String: JSONValue], path: String) throws(InferenceError) -> String {
        guard case .object(let properties, let order)? = keywords["properties"] else {
            addGenericValueRules()
            return "object"
        }
        var required: Set<String> = []
        if case .array(let names) = keywords["required"] {
            for case .string(let name) in names {
                guard properties[name] != nil else {
                    throw .invalidParameter("required property '\(name)' at \(path) is not among the properties")
                }
                required.insert(name)
            }
        }
        var pairs: [(name: String, rule: String, required: Bool)] = []
        for property in order {
            let body = try rule(for: properties[property]!, path: "\(path)-\(property)")
            let valueName = name(for: "\(path)-\(property)")
            add(name: valueName, body: body)
            let pair = Self.literal(.string(property)) + " space \":\" space " + valueName
            pairs.append((property, pair, required.contains(property)))
        }
        let mandatory = pairs.filter(\.required).map(\.rule)
        let optional = pairs.filter { !$0.required }.map(\.rule)
        var body = "\"{\" space "
        if !mandatory.isEmpty {
            body += mandatory.joined(separator: " \",\" space ")
            body += optional.map { " (\",\" space \($0))?" }.joined()
        } else if !optional.isEmpty {
            // Any subset of the optional properties, in schema order.
            let alternatives = optional.indices.map { start in
                ([optional[start]] + optional[(start + 1)...].map { "(\",\" space \($0))?" }).joined(separator: " ")
            }
            body += "(" + alternatives.joined(separator: " | ") + ")?"
        }
        return body + " \"}\" space"
    }

    private mutating func ruleForReference(_ reference: JSONValue, path: String) throws(InferenceError) -> String {
        guard let target = reference.stringValue else { throw .invalidParameter("$ref at \(path) must be a string") }
        if let existing = references[scope + target] { return existing }
        let parts = target.split(separator: "/").map(String.init)
        guard parts.count == 3, parts[0] == "#", parts[1] == "$defs" || parts[1] == "definitions",
            let definition = root[parts[1]]?[parts[2]]
        else {
            throw .invalidParameter("$ref '\(target)' must point into #/$defs or #/definitions of the same schema")
        }
        let referenceName = name(for: scope + "ref-" + parts[2])
        references[scope + target] = referenceName  // set before descending: recursive schemas terminate
        let body = try rule(for: definition, path: scope + "ref-" + parts[2])
        add(name: referenceName, body: body)
        return referenceName
    }

    // MARK: Building blocks

    private mutating func valueRule() -> String {
        addGenericValueRules()
        return "value"
    }

    private mutating func addPrimitiveRules() {
        add(name: "space", body: "| \" \"")
        add(name: "char", body: #"[^"\\\x7F\x00-\x1F] | [\\] (["\\/bfnrt] | "u" [0-9a-fA-F]{4})"#)
        add(name: "string", body: #""\"" char* "\"" space"#)
        add(name: "integer", body: #"("-"? ([0-9] | [1-9] [0-9]{1,15})) space"#)
        add(name: "number", body: #"("-"? ([0-9] | [1-9] [0-9]{1,15})) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})? space"#)
        add(name: "boolean", body: #"("true" | "false") space"#)
        add(name: "null", body: #""null" space"#)
    }

    private mutating func addGenericValueRules() {
        addPrimitiveRules()
        add(name: "value", body: "object | array | string | number | boolean | null")
        add(name: "object", body: #""{" space (string ":" space value ("," space string ":" space value)*)? "}" space"#)
        add(name: "array", body: #""[" space (value ("," space value)*)? "]" space"#)
    }

    /// A GBNF literal matching exactly the JSON text of `value`.
    static func literal(_ value: JSONValue) -> String {
        let json = jsonText(value)
        var escaped = "\""
        for scalar in json.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }

    /// Compact JSON text of a value.
    static func jsonText(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text):
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        case .array(let values): return "[" + values.map(jsonText).joined(separator: ",") + "]"
        case .object(let values, let order):
            return "{" + order.map { jsonText(.string($0)) + ":" + jsonText(values[$0]!) }.joined(separator: ",") + "}"
        }
    }
}
