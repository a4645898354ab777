import Crypto
import HavenIdentity

/// The address of a piece of content: a CIDv1 with a sha2-256 multihash, written as multibase
/// lower-case base32 (`bafkrei…` for a raw chunk, `baguqeera…` for a dag-json manifest).
///
/// Ids order by codec, then by digest bytes (the order of their ``hex``), which is stable
/// across runs and machines.
public struct ContentID: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The multicodec of the addressed bytes; only the two that Haven writes are accepted.
    public enum Codec: UInt64, Sendable {
        /// Plain bytes: a chunk of a file.
        case raw = 0x55
        /// Canonical DAG-JSON: a ``Manifest``.
        case dagJSON = 0x0129
    }

    /// How the addressed bytes are to be read.
    public let codec: Codec
    /// The 32-byte SHA-256 of the addressed bytes.
    public let digest: [UInt8]

    /// An id from a digest computed elsewhere; `digest` must be 32 bytes.
    public init(codec: Codec, digest: [UInt8]) {
        precondition(digest.count == 32, "a sha2-256 digest has 32 bytes, not \(digest.count)")
        self.codec = codec
        self.digest = digest
    }

    /// The id of `bytes` read as `codec`.
    public static func hashing(_ bytes: UnsafeRawBufferPointer, codec: Codec) -> ContentID {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return ContentID(codec: codec, digest: Array(hasher.finalize()))
    }

    /// The id of `bytes` read as `codec`.
    public static func hashing(_ bytes: [UInt8], codec: Codec) -> ContentID {
        bytes.withUnsafeBytes { hashing($0, codec: codec) }
    }

    /// Parses the string form (``description``). Only the canonical spelling is accepted: the
    /// `b` multibase prefix, lower-case base32 without padding, CIDv1, a raw or dag-json codec
    /// and a 32-byte sha2-256 multihash, with minimal varints.
    public init(parsing string: String) throws(ContentError) {
        func invalid(_ reason: String) -> ContentError { .invalidContentID(string, reason: reason) }

        guard let prefix = string.utf8.first else { throw invalid("it is empty") }
        guard prefix == UInt8(ascii: "b") else {
            if prefix == UInt8(ascii: "B") {
                throw invalid("upper-case base32 (prefix 'B') is not accepted; write it in lower case")
            }
            if prefix == UInt8(ascii: "Q") {
                throw invalid("CIDv0 (Qm…) is not accepted; convert it to CIDv1 in base32")
            }
            throw invalid("the multibase prefix must be 'b' (lower-case base32)")
        }
        let body = string.dropFirst()
        if let bad = body.utf8.first(where: { !Self.isBase32Lower($0) }) {
            if bad >= UInt8(ascii: "A") && bad <= UInt8(ascii: "Z") {
                throw invalid("it has upper-case letters; content ids are lower case")
            }
            throw invalid("it has a character outside the base32 alphabet (a-z, 2-7)")
        }
        guard body.utf8.count <= 128, let bytes = Base32.decode(body) else {
            throw invalid("it is not valid base32")
        }

        var reader = VarintReader(bytes: bytes)
        guard let version = reader.next() else { throw invalid("it is truncated") }
        guard version == 1 else { throw invalid("CID version \(version) is not supported; only CIDv1 is") }
        guard let codecCode = reader.next() else { throw invalid("it is truncated") }
        guard let codec = Codec(rawValue: codecCode) else {
            throw invalid("codec 0x\(String(codecCode, radix: 16)) is not supported; only raw (0x55) and dag-json (0x129) are")
        }
        guard let hashCode = reader.next() else { throw invalid("it is truncated") }
        guard hashCode == Self.sha256Code else {
            throw invalid("multihash 0x\(String(hashCode, radix: 16)) is not supported; only sha2-256 (0x12) is")
        }
        guard let length = reader.next() else { throw invalid("it is truncated") }
        guard length == 32 else { throw invalid("a sha2-256 digest has 32 bytes, not \(length)") }
        let digest = Array(bytes[reader.offset...])
        guard digest.count == 32 else {
            throw invalid(digest.count < 32 ? "it is truncated" : "it has bytes after the digest")
        }
        self.init(codec: codec, digest: digest)
        guard description == string else { throw invalid("it is not in canonical form (non-minimal varint)") }
    }

    /// `b` followed by the lower-case, unpadded base32 of the binary CID:
    /// `0x01 ++ varint(codec) ++ 0x12 ++ 0x20 ++ digest`.
    public var description: String {
        var bytes: [UInt8] = [1]
        bytes.reserveCapacity(37)
        Self.appendVarint(codec.rawValue, to: &bytes)
        bytes += [UInt8(Self.sha256Code), 32]
        bytes += digest
        return "b" + Base32.encode(bytes)
    }

    /// The digest in lower-case hex: the file name of a stored chunk.
    public var hex: String {
        var characters: [UInt8] = []
        characters.reserveCapacity(64)
        for byte in digest {
            characters.append(Self.hexDigits[Int(byte >> 4)])
            characters.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// The id whose ``hex`` is `hex` (64 lower-case hex digits), or `nil` for any other text.
    public init?(hex: String, codec: Codec) {
        let characters = Array(hex.utf8)
        guard characters.count == 64 else { return nil }
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.hexValue(characters[index]), let low = Self.hexValue(characters[index + 1]) else {
                return nil
            }
            digest.append(high << 4 | low)
        }
        self.init(codec: codec, digest: digest)
    }

    public static func < (lhs: ContentID, rhs: ContentID) -> Bool {
        if lhs.codec != rhs.codec { return lhs.codec.rawValue < rhs.codec.rawValue }
        return lhs.digest.lexicographicallyPrecedes(rhs.digest)
    }

    /// The multihash code of sha2-256.
    static let sha256Code: UInt64 = 0x12
    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func isBase32Lower(_ character: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(character)
            || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains(character)
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Appends `value` as an unsigned LEB128 varint (the multiformats varint).
    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}

extension ContentID: StringCodable {}

/// Reads multiformats varints (unsigned LEB128, at most 9 bytes) from the front of a CID.
private struct VarintReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next varint, or `nil` when the bytes end inside it or it is longer than 9 bytes.
    mutating func next() -> UInt64? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 63, by: 7) {
            guard offset < bytes.count else { return nil }
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        return nil
    }
}
