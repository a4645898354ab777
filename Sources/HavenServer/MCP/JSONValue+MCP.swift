import Foundation
import HavenInference
import MCP

extension JSONValue {
    /// This value in the MCP SDK's terms. Whole numbers become `.int`, so an integer default
    /// in a schema reads `5`, not `5.0`.
    var mcpValue: Value {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 { .int(Int(number)) } else { .double(number) }
        case .string(let text): .string(text)
        case .array(let values): .array(values.map(\.mcpValue))
        case .object(let values, _): .object(values.mapValues(\.mcpValue))
        }
    }

    /// An SDK value as JSON. The SDK decodes a string that looks like a data URL as `.data`;
    /// it comes back as a data URL again, re-encoded in base64, which may differ from the string
    /// sent (so tool arguments are read from the request's own bytes where they can be).
    init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .number(Double(number))
        case .double(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .data(let mimeType, let data): self = .string(data.dataURLEncoded(mimeType: mimeType))
        case .array(let values): self = .array(values.map(JSONValue.init))
        case .object(let values): self = .object(values.mapValues(JSONValue.init), order: values.keys.sorted())
        }
    }
}
