import Foundation

/// The lexical rules the note formats share (c2sp.org/signed-note and the tlog specs built on it):
/// key names, canonical base64, canonical decimals and byte-exact string comparison.
///
/// Every decoder here is strict: it accepts only the one encoding its encoder would produce, so a
/// parsed value serializes back to the very bytes it came from, and no two texts mean the same value.
enum NoteSyntax {
    static let newline: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    /// "— ": an em dash (U+2014) and a space, the start of every signature line.
    static let signaturePrefix: [UInt8] = [0xE2, 0x80, 0x94, 0x20]

    /// A key name is non-empty and holds no Unicode white space, no plus (U+002B) and no control
    /// character (a control character could not appear in a note anyway).
    static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                scalar != "+" && scalar.value >= 0x20 && !scalar.properties.isWhitespace
            }
    }

    /// The offset and value of the first ASCII control character other than newline, if any.
    static func firstControlCharacter(in bytes: some Collection<UInt8>) -> (offset: Int, value: UInt8)? {
        for (offset, byte) in bytes.enumerated() where byte < 0x20 && byte != newline {
            return (offset, byte)
        }
        return nil
    }

    /// Standard base64 (RFC 4648 §4) with padding; nil unless `text` is the canonical encoding of
    /// its bytes (no white space, no missing padding, no stray bits in the last character).
    static func decodeBase64(_ text: some StringProtocol) -> [UInt8]? {
        let string = String(text)
        guard let data = Data(base64Encoded: string), data.base64EncodedString() == string else {
            return nil
        }
        return [UInt8](data)
    }

    static func encodeBase64(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Why a decimal field was refused; `NoteError` turns it into a message naming the field.
    enum DecimalProblem: Error {
        case notDecimal, leadingZeros, outOfRange
    }

    /// An ASCII decimal with no sign and no leading zeros ("0" itself is fine), at most 2^64 - 1.
    static func parseDecimal(_ text: some StringProtocol) -> Result<UInt64, DecimalProblem> {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return .failure(.notDecimal)
        }
        if digits.count > 1, digits[0] == 0x30 { return .failure(.leadingZeros) }
        var value: UInt64 = 0
        for digit in digits {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - 0x30))
            if overflow1 || overflow2 { return .failure(.outOfRange) }
            value = sum
        }
        return .success(value)
    }

    /// A canonical decimal, or the `NoteError` that names `field` and says what is wrong.
    static func decimal(_ text: some StringProtocol, field: String) throws(NoteError) -> UInt64 {
        switch parseDecimal(text) {
        case .success(let value): return value
        case .failure(.notDecimal): throw .invalidNumber(field: field, text: String(text.prefix(64)))
        case .failure(.leadingZeros): throw .leadingZeros(field: field, text: String(text.prefix(64)))
        case .failure(.outOfRange): throw .numberOutOfRange(field: field, text: String(text.prefix(64)))
        }
    }

    /// A base64 SHA-256 hash (32 bytes), as in checkpoint root hashes and proof lines.
    static func hash(_ text: some StringProtocol, field: String) throws(NoteError) -> [UInt8] {
        guard let bytes = decodeBase64(text) else { throw .invalidBase64(field: field) }
        guard bytes.count == 32 else { throw .wrongHashLength(field: field, byteCount: bytes.count) }
        return bytes
    }

    /// Strings compared and hashed by their UTF-8 bytes: the formats sign bytes, and Swift's `==`
    /// would equate canonically equivalent but differently encoded names or origins.
    static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8)
    }

    static func hashBytes(of string: String, into hasher: inout Hasher) {
        hasher.combine(string.utf8.count)
        for byte in string.utf8 { hasher.combine(byte) }
    }

    /// A line of an input, for an error message: lossily decoded and cut to a readable length.
    static func excerpt(_ bytes: some Collection<UInt8>) -> String {
        let text = String(decoding: bytes.prefix(80), as: UTF8.self)
        return bytes.count > 80 ? text + "…" : text
    }
}
