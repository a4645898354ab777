import Foundation

/// A structured header value such as Content-Type or Content-Disposition: its lower-cased
/// essence (`multipart/mixed`, `attachment`) and its `name=value` parameters, names lower-cased.
struct HeaderValue {
    let essence: String
    let parameters: [String: String]

    init(_ value: String) {
        var fields = HeaderValue.fields(value)[...]
        essence = (fields.popFirst() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var parameters: [String: String] = [:]
        for field in fields {
            guard let equals = field.firstIndex(of: "=") else { continue }
            let name = field[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = field[field.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = HeaderValue.unquoted(value.dropFirst().dropLast())
            }
            if parameters[name] == nil { parameters[name] = value }
        }
        self.parameters = parameters
    }

    /// The value split at semicolons that are not inside a quoted string.
    private static func fields(_ value: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                fields.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        fields.append(current)
        return fields
    }

    private static func unquoted(_ text: Substring) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if character == "\\" && !escaped {
                escaped = true
                continue
            }
            escaped = false
            result.append(character)
        }
        return result
    }
}
