/// The binary form of a content id, as CAR files and DAG-CBOR links carry it.
extension ContentID {
    /// The binary CID: `0x01 ++ varint(codec) ++ 0x12 ++ 0x20 ++ digest`, 36 bytes for raw and
    /// 37 for dag-json; the bytes that ``description`` writes in base32.
    public var binaryRepresentation: [UInt8] {
        var bytes: [UInt8] = [1]
        bytes.reserveCapacity(Self.maximumBinaryLength)
        Self.appendVarint(codec.rawValue, to: &bytes)
        bytes += [UInt8(Self.sha256Code), 32]
        bytes += digest
        return bytes
    }

    /// Parses a binary CID that makes up the whole of `bytes`. Only the canonical form is
    /// accepted: CIDv1, raw or dag-json, a 32-byte sha2-256 multihash and minimal varints.
    public init(binary bytes: some Collection<UInt8>) throws(ContentError) {
        let (id, byteCount) = try Self.readBinary(from: bytes)
        guard byteCount == bytes.count else {
            throw .invalidContentID(Self.hexPrefix(of: bytes), reason: "it has bytes after the digest")
        }
        self = id
    }

    /// Parses the binary CID at the front of `bytes`, which may go on past it (a CAR section
    /// puts the block right after its id); returns the id and how many bytes it took.
    /// Accepts only what ``init(binary:)`` accepts.
    public static func readBinary(from bytes: some Collection<UInt8>) throws(ContentError) -> (id: ContentID, byteCount: Int) {
        // A canonical id is at most 37 bytes, so a longer look never changes the answer.
        let head = Array(bytes.prefix(maximumBinaryLength))
        func invalid(_ reason: String) -> ContentError { .invalidContentID(hexPrefix(of: head), reason: reason) }

        var offset = 0
        func varint() throws(ContentError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < head.count else {
                    throw invalid(head.count < maximumBinaryLength ? "it is truncated" : "a varint is too long")
                }
                let byte = head[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 {
                    if byte == 0 && shift > 0 { throw invalid("it is not in canonical form (non-minimal varint)") }
                    return value
                }
                shift += 7
                guard shift < 63 else { throw invalid("a varint is too long") }
            }
        }

        if head.count >= 2 && head[0] == UInt8(sha256Code) && head[1] == 32 {
            throw invalid("CIDv0 (a bare sha2-256 multihash) is not accepted; use CIDv1")
        }
        let version = try varint()
        guard version == 1 else { throw invalid("CID version \(version) is not supported; only CIDv1 is") }
        let codecCode = try varint()
        guard let codec = Codec(rawValue: codecCode) else {
            throw invalid("codec 0x\(String(codecCode, radix: 16)) is not supported; only raw (0x55) and dag-json (0x129) are")
        }
        let hashCode = try varint()
        guard hashCode == sha256Code else {
            throw invalid("multihash 0x\(String(hashCode, radix: 16)) is not supported; only sha2-256 (0x12) is")
        }
        let length = try varint()
        guard length == 32 else { throw invalid("a sha2-256 digest has 32 bytes, not \(length)") }
        guard head.count - offset >= 32 else { throw invalid("it is truncated") }
        let id = ContentID(codec: codec, digest: Array(head[offset..<offset + 32]))
        return (id, offset + 32)
    }

    /// Whether `bytes` are what this id addresses: their SHA-256 equals ``digest``. The codec
    /// is not checked; a dag-json id is not asked to hold parseable JSON.
    public func matches(_ bytes: [UInt8]) -> Bool {
        Self.hashing(bytes, codec: codec) == self
    }

    /// The longest canonical binary id: dag-json's, whose codec takes two varint bytes.
    static let maximumBinaryLength = 37

    /// The first bytes in hex, for error messages (which cut long text anyway).
    private static func hexPrefix(of bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var characters: [UInt8] = []
        for byte in bytes.prefix(maximumBinaryLength) {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return characters.isEmpty ? "(no bytes)" : String(decoding: characters, as: UTF8.self)
    }
}
