/// A strict RFC 8259 parser for licence documents: UTF-8 only, no duplicate member names, a
/// nesting limit enforced while reading (so hostile input cannot exhaust the stack), and
/// nothing but whitespace after the value.
struct PolicyJSONParser {
    private let bytes: [UInt8]
    private let maximumDepth: Int
    private var position = 0

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    static func parse(_ bytes: [UInt8], maximumDepth: Int) throws(PolicyError) -> PolicyJSON {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .malformedJSON(offset: 0, reason: "the document is not valid UTF-8")
        }
        var parser = PolicyJSONParser(bytes: bytes, maximumDepth: maximumDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(path: .root, depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw .malformedJSON(offset: parser.position, reason: "unexpected text after the JSON value")
        }
        return value
    }

    private mutating func parseValue(path: JSONPath, depth: Int) throws(PolicyError) -> PolicyJSON {
        guard let byte = peek() else { throw malformed("the document ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "{"):
            return try parseObject(path: path, depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(path: path, depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw malformed("unexpected character '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func parseObject(path: JSONPath, depth: Int) throws(PolicyError) -> PolicyJSON {
        guard depth <= maximumDepth else { throw .tooDeep(path: path.description, limit: maximumDepth) }
        position += 1
        var members: [PolicyJSON.Member] = []
        var seen: Set<String> = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw malformed("expected a member name in double quotes") }
            let key = try parseString()
            guard seen.insert(key).inserted else {
                throw .duplicateKey(key, path: path.description)
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw malformed("expected ':' after member name \"\(key)\"") }
            position += 1
            skipWhitespace()
            let value = try parseValue(path: path.appending(key), depth: depth)
            members.append(.init(key: key, value: value))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default:
                throw malformed("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray(path: JSONPath, depth: Int) throws(PolicyError) -> PolicyJSON {
        guard depth <= maximumDepth else { throw .tooDeep(path: path.description, limit: maximumDepth) }
        position += 1
        var elements: [PolicyJSON] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(path: path.appending(elements.count), depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default:
                throw malformed("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func parseString() throws(PolicyError) -> String {
        position += 1
        var text = ""
        var runStart = position
        while true {
            guard let byte = peek() else { throw malformed("a string is not closed") }
            switch byte {
            case UInt8(ascii: "\""):
                text += String(decoding: bytes[runStart..<position], as: UTF8.self)
                position += 1
                return text
            case UInt8(ascii: "\\"):
                text += String(decoding: bytes[runStart..<position], as: UTF8.self)
                position += 1
                text.unicodeScalars.append(try parseEscape())
                runStart = position
            case 0x00..<0x20:
                throw malformed("a control character must be escaped inside a string")
            default:
                position += 1
            }
        }
    }

    private mutating func parseEscape() throws(PolicyError) -> Unicode.Scalar {
        guard let byte = peek() else { throw malformed("a string ends inside an escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            if (0xD800...0xDBFF).contains(unit) {
                guard peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") else {
                    throw malformed("a high surrogate escape is not followed by a low one")
                }
                position += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw malformed("a high surrogate escape is not followed by a low one") }
                let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw malformed("an escape names no Unicode scalar") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(UInt32(unit)) else { throw malformed("a lone low surrogate escape") }
            return scalar
        default:
            throw malformed("unknown escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func parseHex4() throws(PolicyError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw malformed("a \\u escape needs four hex digits") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw malformed("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(PolicyError) -> PolicyJSON {
        let start = position
        var isInteger = true
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw malformed("a number needs digits") }
        if first == UInt8(ascii: "0") {
            position += 1
            if let next = peek(), isDigit(next) { throw malformed("a number may not have leading zeros") }
        } else {
            skipDigits()
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let next = peek(), isDigit(next) else { throw malformed("a fraction needs digits") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let next = peek(), isDigit(next) else { throw malformed("an exponent needs digits") }
            skipDigits()
        }
        let lexeme = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let value = Int(lexeme) { return .integer(value) }
        return .number(lexeme)
    }

    private mutating func expectLiteral(_ literal: String) throws(PolicyError) {
        let expected = Array(literal.utf8)
        guard position + expected.count <= bytes.count, bytes[position..<position + expected.count].elementsEqual(expected) else {
            throw malformed("expected '\(literal)'")
        }
        position += expected.count
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            position += 1
        }
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private func malformed(_ reason: String) -> PolicyError {
        .malformedJSON(offset: position, reason: reason)
    }
}
