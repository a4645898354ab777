/// Turns a text file's bytes into a `String`: UTF-8 (or UTF-16 with a byte-order mark), the BOM
/// dropped, line endings made `\n`. Invalid UTF-8 is repaired with U+FFFD rather than refused;
/// only bytes that are clearly binary (a NUL byte) are.
enum PlainText {
    static func decode(_ bytes: [UInt8]) throws(ExtractionError) -> String {
        let text: String
        if bytes.starts(with: [0xFF, 0xFE]) {
            text = decodeUTF16(bytes.dropFirst(2), bigEndian: false)
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            text = decodeUTF16(bytes.dropFirst(2), bigEndian: true)
        } else {
            guard !bytes.contains(0) else { throw .notText }
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
            text = String(decoding: body, as: UTF8.self)
        }
        guard !text.unicodeScalars.contains("\0") else { throw .notText }
        return normalisingLineEndings(text)
    }

    /// `\r\n` and lone `\r` become `\n`, so every extractor sees one kind of line break.
    static func normalisingLineEndings(_ text: String) -> String {
        guard text.utf8.contains(13) else { return text }
        var scalars = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousWasCR = true
            } else {
                if !(scalar == "\n" && previousWasCR) { scalars.append(scalar) }
                previousWasCR = false
            }
        }
        return String(scalars)
    }

    private static func decodeUTF16(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let (high, low) = bigEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
            units.append(UInt16(high) << 8 | UInt16(low))
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}
