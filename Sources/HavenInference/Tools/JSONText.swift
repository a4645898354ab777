import Foundation

/// Reading JSON as the text a model wrote rather than as values: a member's raw value, and
/// the text without the whitespace between tokens. Both assume text already known to be valid
/// JSON (they are used after a decoder accepted it).
enum JSONText {
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// `text` with the whitespace outside strings removed.
    static func minified(_ text: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var strings = JSONStringState()
        for byte in text {
            let inString = strings.inString
            strings.consume(byte)
            if !inString && isWhitespace(byte) { continue }
            out.append(byte)
        }
        return out
    }

    /// The raw text of the top-level object's member `key` (its last occurrence, as a decoder
    /// keeps), or `nil` when the object has no such member.
    static func member(_ key: String, of object: [UInt8]) -> ArraySlice<UInt8>? {
        var index = skipWhitespace(object, from: 0)
        guard index < object.count, object[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var found: ArraySlice<UInt8>?
        while true {
            index = skipWhitespace(object, from: index)
            guard index < object.count, object[index] == UInt8(ascii: "\"") else { return found }
            let keyEnd = valueEnd(object, from: index)
            let name = try? JSONDecoder().decode([String].self, from: Data([UInt8(ascii: "[")] + object[index..<keyEnd] + [UInt8(ascii: "]")]))
            index = skipWhitespace(object, from: keyEnd)
            guard index < object.count, object[index] == UInt8(ascii: ":") else { return found }
            let start = skipWhitespace(object, from: index + 1)
            let end = valueEnd(object, from: start)
            if name?.first == key { found = object[start..<end] }
            index = skipWhitespace(object, from: end)
            guard index < object.count, object[index] == UInt8(ascii: ",") else { return found }
            index += 1
        }
    }

    private static func skipWhitespace(_ text: [UInt8], from start: Int) -> Int {
        var index = start
        while index < text.count, isWhitespace(text[index]) { index += 1 }
        return index
    }

    /// Where the value starting at `start` ends (one past its last byte).
    private static func valueEnd(_ text: [UInt8], from start: Int) -> Int {
        var index = start
        var depth = 0
        var inString = false
        var escaped = false
        while index < text.count {
            let byte = text[index]
            index += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return index }
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return index - 1 }
                depth -= 1
                if depth == 0 { return index }
            case UInt8(ascii: ","):
                if depth == 0 { return index - 1 }
            default:
                if depth == 0, isWhitespace(byte) { return index - 1 }
            }
        }
        return index
    }
}
