/// A character set named in a MIME header or an RFC 2047 encoded word. UTF-8 and its subset
/// US-ASCII, ISO-8859-1 and Windows-1252 are decoded exactly; an unknown name falls back to
/// UTF-8 with invalid bytes replaced, which is right far more often than refusing the text.
enum Charset: Sendable, Equatable {
    case utf8, latin1, windows1252

    init(name: String?) {
        var name = (name ?? "utf-8").lowercased()
        // RFC 2231 lets an encoded word carry a language: "utf-8*en".
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
        switch name {
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1", "cp819", "ibm819":
            self = .latin1
        case "windows-1252", "cp1252", "x-cp1252":
            self = .windows1252
        default:
            self = .utf8
        }
    }

    func decode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .latin1:
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .windows1252:
            return String(String.UnicodeScalarView(bytes.map(Charset.windows1252Scalar)))
        }
    }

    /// Windows-1252 is ISO-8859-1 except for 0x80–0x9F, where it has typographic punctuation.
    /// HTML numeric references in that range (`&#150;`) mean these characters too.
    static func windows1252Scalar(_ byte: UInt8) -> Unicode.Scalar {
        guard (0x80...0x9F).contains(byte) else { return Unicode.Scalar(byte) }
        let value = windows1252High[Int(byte) - 0x80]
        return Unicode.Scalar(value) ?? Unicode.Scalar(byte)
    }

    private static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
