/// A strict, allocation-light JSON cursor for reading manifests: objects, arrays, strings and
/// integers only (no fractions, exponents, booleans or null), any whitespace between tokens.
///
/// It reads what it is asked for and reports where the text differs; whether the text is also
/// canonical is checked by the caller, by re-encoding.
struct JSONReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads an object, calling `readValue` with each key; `readValue` must read that key's value.
    mutating func readObject(
        _ readValue: (inout JSONReader, String) throws(ContentError) -> Void
    ) throws(ContentError) {
        try expect(UInt8(ascii: "{"), "'{'")
        if try consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':'")
            try readValue(&self, key)
        } while try separator(closing: UInt8(ascii: "}"))
    }

    /// Reads an array, calling `readElement` once per element; `readElement` must read it.
    mutating func readArray(_ readElement: (inout JSONReader) throws(ContentError) -> Void) throws(ContentError) {
        try expect(UInt8(ascii: "["), "'['")
        if try consume(UInt8(ascii: "]")) { return }
        repeat {
            try readElement(&self)
        } while try separator(closing: UInt8(ascii: "]"))
    }

    /// Reads a string, decoding escapes; rejects raw control characters and invalid UTF-8.
    mutating func readString() throws(ContentError) -> String {
        try expect(UInt8(ascii: "\""), "a string")
        var utf8: [UInt8] = []
        while true {
            guard offset < bytes.count else { throw malformed("unterminated string") }
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw malformed("a string is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                try readEscape(into: &utf8)
            case ..<0x20:
                throw malformed("control character 0x\(String(byte, radix: 16)) in a string at byte \(offset - 1)")
            default:
                utf8.append(byte)
            }
        }
    }

    /// Reads an integer in plain decimal (an optional minus sign and digits, no leading zeros).
    mutating func readInteger() throws(ContentError) -> Int64 {
        skipWhitespace()
        let start = offset
        let negative = offset < bytes.count && bytes[offset] == UInt8(ascii: "-")
        if negative { offset += 1 }
        let digitsStart = offset
        var magnitude: Int64 = 0
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
            let digit = Int64(bytes[offset] - UInt8(ascii: "0"))
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw malformed("the integer at byte \(start) is too large") }
            magnitude = sum
            offset += 1
        }
        guard offset > digitsStart else { throw malformed("expected an integer at byte \(start)") }
        guard bytes[digitsStart] != UInt8(ascii: "0") || offset == digitsStart + 1 else {
            throw malformed("the integer at byte \(start) has a leading zero")
        }
        if offset < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[offset]) {
            throw malformed("the number at byte \(start) is not an integer")
        }
        return negative ? -magnitude : magnitude
    }

    /// Succeeds only if nothing but whitespace is left.
    mutating func expectEnd() throws(ContentError) {
        skipWhitespace()
        guard offset == bytes.count else { throw malformed("unexpected bytes after the manifest at byte \(offset)") }
    }

    func malformed(_ reason: String) -> ContentError {
        .malformedManifest(reason: reason)
    }

    /// After a member or element: `true` after a comma, `false` after `closing`.
    private mutating func separator(closing: UInt8) throws(ContentError) -> Bool {
        if try consume(UInt8(ascii: ",")) { return true }
        try expect(closing, "',' or '\(Character(Unicode.Scalar(closing)))'")
        return false
    }

    private mutating func readEscape(into utf8: inout [UInt8]) throws(ContentError) {
        guard offset < bytes.count else { throw malformed("unterminated string") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try readHex4())
            if (0xD800..<0xDC00).contains(scalar) {
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw malformed("unpaired surrogate escape at byte \(offset)")
                }
                offset += 2
                let low = UInt32(try readHex4())
                guard (0xDC00..<0xE000).contains(low) else { throw malformed("unpaired surrogate escape at byte \(offset)") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw malformed("unpaired surrogate escape at byte \(offset)") }
            UTF8.encode(unicode) { utf8.append($0) }
        default:
            throw malformed("invalid escape '\\\(Character(Unicode.Scalar(byte)))' at byte \(offset - 2)")
        }
    }

    private mutating func readHex4() throws(ContentError) -> UInt16 {
        guard offset + 4 <= bytes.count else { throw malformed("unterminated \\u escape") }
        var value: UInt16 = 0
        for byte in bytes[offset..<offset + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw malformed("invalid \\u escape at byte \(offset)")
            }
            value = value << 4 | UInt16(digit)
        }
        offset += 4
        return value
    }

    /// Skips whitespace, then consumes `byte` if it is next.
    private mutating func consume(_ byte: UInt8) throws(ContentError) -> Bool {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(ContentError) {
        guard try consume(byte) else {
            throw malformed(offset < bytes.count ? "expected \(what) at byte \(offset)" : "expected \(what) but the manifest ends")
        }
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) {
            offset += 1
        }
    }
}
