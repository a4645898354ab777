/// Decodes RFC 2047 encoded words in a header value (`=?UTF-8?B?…?=`, `=?iso-8859-1?Q?…?=`).
/// Whitespace between two encoded words is dropped, as the RFC says, and neighbouring words in
/// one charset are decoded together so a character split across them survives.
enum EncodedWords {
    static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        let bytes = Array(value.utf8)
        var result = ""
        var pending: (charset: Charset, bytes: [UInt8])?
        var literalStart = 0
        var afterWord = false
        var index = 0

        func flush() {
            if let word = pending { result += word.charset.decode(word.bytes) }
            pending = nil
        }

        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "="), let word = word(in: bytes, at: index) else {
                index += 1
                continue
            }
            let gap = bytes[literalStart..<index]
            if !(afterWord && gap.allSatisfy(isFoldingSpace)) {
                flush()
                result += String(decoding: gap, as: UTF8.self)
            }
            if let current = pending, current.charset == word.charset {
                pending = (current.charset, current.bytes + word.bytes)
            } else {
                flush()
                pending = (word.charset, word.bytes)
            }
            index = word.end
            literalStart = index
            afterWord = true
        }
        flush()
        result += String(decoding: bytes[literalStart...], as: UTF8.self)
        return result
    }

    /// The encoded word starting at `start`, decoded to bytes, and the index just past it.
    private static func word(in bytes: [UInt8], at start: Int) -> (charset: Charset, bytes: [UInt8], end: Int)? {
        guard start + 1 < bytes.count, bytes[start + 1] == UInt8(ascii: "?") else { return nil }
        let charsetStart = start + 2
        guard let charsetEnd = bytes[charsetStart...].prefix(76).firstIndex(of: UInt8(ascii: "?")),
              charsetEnd > charsetStart, charsetEnd + 2 < bytes.count, bytes[charsetEnd + 2] == UInt8(ascii: "?")
        else { return nil }
        let encoding = bytes[charsetEnd + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        let textStart = charsetEnd + 3
        var textEnd = textStart
        while textEnd + 1 < bytes.count, !(bytes[textEnd] == UInt8(ascii: "?") && bytes[textEnd + 1] == UInt8(ascii: "=")) {
            guard !isFoldingSpace(bytes[textEnd]) else { return nil }
            textEnd += 1
        }
        guard textEnd + 1 < bytes.count else { return nil }
        let text = bytes[textStart..<textEnd]
        let charset = Charset(name: String(decoding: bytes[charsetStart..<charsetEnd], as: UTF8.self))
        let decoded = encoding == UInt8(ascii: "b")
            ? TransferEncoding.base64(text)
            : TransferEncoding.quotedPrintable(text, underscoreIsSpace: true)
        return (charset, decoded, textEnd + 2)
    }

    private static func isFoldingSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
