import Foundation
import HavenIdentity

/// A path in the owner's namespace, normalised: `/photos/2026/beach.jpg` names a file,
/// `/photos/2026/` a directory, `/` the root.
///
/// Parsing is strict rather than forgiving, because a path that could be read two ways is a
/// way around a grant: empty segments, `.` and `..`, an encoded `/` inside a segment, NUL and
/// control characters, backslashes, segments ending in a dot or a space, invalid UTF-8 and
/// over-long paths are all refused. Text is normalised to Unicode NFC, so two spellings of
/// `é` are one path. Comparison is on the normalised UTF-8 bytes.
public struct DataPath: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Longest accepted path in UTF-8 bytes.
    public static let maximumLength = 1024
    /// Longest accepted segment in UTF-8 bytes.
    public static let maximumSegmentLength = 255

    /// The normalised text, starting with `/`.
    public let string: String

    public static let root = DataPath(unchecked: "/")

    private init(unchecked string: String) {
        self.string = string
    }

    /// Parses a path. With `percentEncoded`, each segment is percent-decoded first (as it
    /// arrives in a URL) and an encoded `/` is refused rather than read as a separator.
    public init(parsing input: some StringProtocol, percentEncoded: Bool = false) throws(DataPathError) {
        let text = Substring(input)
        guard text.utf8.count <= Self.maximumLength * (percentEncoded ? 3 : 1) else { throw .tooLong }
        guard text.first == "/" else { throw .notAbsolute }
        var body = text.dropFirst()
        guard !body.isEmpty else {
            self = .root
            return
        }
        let isDirectory = body.last == "/"
        if isDirectory { body = body.dropLast() }
        var segments: [String] = []
        for raw in body.split(separator: "/", omittingEmptySubsequences: false) {
            let decoded = try percentEncoded ? Self.percentDecode(raw) : String(raw)
            // Checked in the form that is kept: NFC can lengthen a segment (U+0958 becomes
            // U+0915 U+093C), and a path must parse again as itself.
            let segment = decoded.precomposedStringWithCanonicalMapping
            try Self.validate(segment)
            segments.append(segment)
        }
        var normalised = "/" + segments.joined(separator: "/")
        if isDirectory { normalised += "/" }
        guard normalised.utf8.count <= Self.maximumLength else { throw .tooLong }
        self.string = normalised
    }

    /// Whether this names a directory (ends in `/`).
    public var isDirectory: Bool { string.utf8.last == UInt8(ascii: "/") }

    /// The path's segments, without separators.
    public var segments: [Substring] { string.split(separator: "/") }

    /// The last segment; empty for the root.
    public var name: String { segments.last.map(String.init) ?? "" }

    /// The same path as a directory: `/a/b` becomes `/a/b/`.
    public var asDirectory: DataPath { isDirectory ? self : DataPath(unchecked: string + "/") }

    /// The directory holding this path; `nil` for the root.
    public var parent: DataPath? {
        guard string != "/" else { return nil }
        let trimmed = isDirectory ? string.dropLast() : Substring(string)
        guard let slash = trimmed.lastIndex(of: "/") else { return .root }
        return DataPath(unchecked: String(trimmed[...slash]))
    }

    /// `segment` appended to this directory.
    public func appending(_ segment: String, directory: Bool = false) throws(DataPathError) -> DataPath {
        try DataPath(parsing: asDirectory.string + segment + (directory ? "/" : ""))
    }

    public var description: String { string }

    public static func < (lhs: DataPath, rhs: DataPath) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }

    private static func validate(_ segment: String) throws(DataPathError) {
        guard !segment.isEmpty else { throw .emptySegment }
        guard segment != ".", segment != ".." else { throw .dotSegment }
        guard segment.utf8.count <= maximumSegmentLength else { throw .segmentTooLong }
        for scalar in segment.unicodeScalars {
            switch scalar.value {
            case 0x00...0x1F, 0x7F: throw .controlCharacter
            case 0x2F: throw .encodedSeparator
            case 0x5C: throw .backslash
            default: break
            }
        }
        guard let last = segment.last, last != ".", last != " " else { throw .trailingDotOrSpace }
    }

    private static func percentDecode(_ raw: Substring) throws(DataPathError) -> String {
        guard raw.contains("%") else { return String(raw) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                throw .invalidPercentEncoding
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension DataPath: StringCodable {
    /// Parses a path as written (not percent-encoded).
    public init(parsing string: String) throws(DataPathError) {
        try self.init(parsing: Substring(string), percentEncoded: false)
    }
}
