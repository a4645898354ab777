/// Flattens a JSON document into one `key.path: value` line per string, number and boolean, in
/// document order (`notes[2].title: Tides`), so the keys give the values their context. Its own
/// small reader keeps that order, which a dictionary would lose, and reports where JSON breaks.
enum JSONText {
    /// Deeper nesting than this is refused rather than risk the stack.
    static let maximumDepth = 512

    static func extract(_ bytes: [UInt8]) throws(ExtractionError) -> ExtractedText {
        var reader = Reader(bytes: Array(try PlainText.decode(bytes).utf8))
        try reader.document()
        return ExtractedText(title: nil, text: reader.lines.joined(separator: "\n"))
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0
        var lines: [String] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() throws(ExtractionError) {
            skipSpace()
            try value(path: "", depth: 0)
            skipSpace()
            guard index == bytes.count else { throw malformed("there is more text after the JSON value") }
        }

        private mutating func value(path: String, depth: Int) throws(ExtractionError) {
            guard depth <= JSONText.maximumDepth else {
                throw malformed("it nests deeper than \(JSONText.maximumDepth) levels")
            }
            guard index < bytes.count else { throw malformed("it ends where a value was expected") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try object(path: path, depth: depth)
            case UInt8(ascii: "["): try array(path: path, depth: depth)
            case UInt8(ascii: "\""): emit(path, try string())
            case UInt8(ascii: "t"): try literal("true"); emit(path, "true")
            case UInt8(ascii: "f"): try literal("false"); emit(path, "false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): emit(path, try number())
            default: throw malformed("a value cannot start with \(shown(bytes[index]))")
            }
        }

        private mutating func object(path: String, depth: Int) throws(ExtractionError) {
            index += 1
            skipSpace()
            if consume(UInt8(ascii: "}")) { return }
            while true {
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw malformed("an object key must be a string in double quotes")
                }
                let key = try string()
                skipSpace()
                guard consume(UInt8(ascii: ":")) else { throw malformed("expected ':' after the key \"\(key)\"") }
                skipSpace()
                try value(path: path.isEmpty ? key : path + "." + key, depth: depth + 1)
                skipSpace()
                if consume(UInt8(ascii: "}")) { return }
                guard consume(UInt8(ascii: ",")) else { throw malformed("expected ',' or '}' in an object") }
                skipSpace()
            }
        }

        private mutating func array(path: String, depth: Int) throws(ExtractionError) {
            index += 1
            skipSpace()
            if consume(UInt8(ascii: "]")) { return }
            var position = 0
            while true {
                try value(path: path + "[\(position)]", depth: depth + 1)
                position += 1
                skipSpace()
                if consume(UInt8(ascii: "]")) { return }
                guard consume(UInt8(ascii: ",")) else { throw malformed("expected ',' or ']' in an array") }
                skipSpace()
            }
        }

        private mutating func string() throws(ExtractionError) -> String {
            index += 1
            var scalars = String.UnicodeScalarView()
            var runStart = index
            func flushRun(upTo end: Int) {
                scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars)
            }
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    flushRun(upTo: index)
                    index += 1
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flushRun(upTo: index)
                    index += 1
                    scalars.append(try escape())
                    runStart = index
                default:
                    index += 1
                }
            }
            throw malformed("a string is not closed")
        }

        /// The escape after a backslash; a `\u` surrogate pair makes one scalar.
        private mutating func escape() throws(ExtractionError) -> Unicode.Scalar {
            guard index < bytes.count else { throw malformed("a string is not closed") }
            let byte = bytes[index]
            index += 1
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
                let unit = try hexUnit()
                if (0xD800..<0xDC00).contains(unit), bytes[index...].starts(with: "\\u".utf8) {
                    let mark = index
                    index += 2
                    let low = try hexUnit()
                    if (0xDC00..<0xE000).contains(low) {
                        let value = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
                        return Unicode.Scalar(value) ?? "\u{FFFD}"
                    }
                    index = mark
                }
                return Unicode.Scalar(UInt32(unit)) ?? "\u{FFFD}"
            default:
                throw malformed("a backslash in a string cannot be followed by \(shown(byte))")
            }
        }

        private mutating func hexUnit() throws(ExtractionError) -> UInt16 {
            guard index + 4 <= bytes.count else { throw malformed("\\u needs four hex digits") }
            var unit: UInt16 = 0
            for byte in bytes[index..<(index + 4)] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw malformed("\\u needs four hex digits")
                }
                unit = unit << 4 | UInt16(digit)
            }
            index += 4
            return unit
        }

        /// A number as written: `-`? digits, then an optional fraction and exponent.
        private mutating func number() throws(ExtractionError) -> String {
            let start = index
            _ = consume(UInt8(ascii: "-"))
            guard digits() > 0 else { throw malformed("a number needs digits") }
            if consume(UInt8(ascii: ".")), digits() == 0 { throw malformed("a number needs digits after '.'") }
            if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
                _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
                guard digits() > 0 else { throw malformed("a number needs digits in its exponent") }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        private mutating func digits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }

        private mutating func literal(_ word: String) throws(ExtractionError) {
            guard bytes[index...].starts(with: word.utf8) else { throw malformed("expected \(word)") }
            index += word.utf8.count
        }

        private mutating func consume(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        private mutating func emit(_ path: String, _ value: String) {
            lines.append(path.isEmpty ? value : "\(path): \(value)")
        }

        private func shown(_ byte: UInt8) -> String {
            (0x21..<0x7F).contains(byte)
                ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16, uppercase: true)
        }

        /// A malformed error that says where: line and column (in bytes) of the reader's position.
        private func malformed(_ reason: String) -> ExtractionError {
            let before = bytes[..<min(index, bytes.count)]
            let line = before.count(where: { $0 == 0x0A }) + 1
            let column = before.count - ((before.lastIndex(of: 0x0A) ?? -1) + 1) + 1
            return .malformed("the JSON is not valid at line \(line), column \(column): \(reason)")
        }
    }
}
