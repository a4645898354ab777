/// A file as Haven stores it: its size, media type and ordered list of chunks. Its ``id`` is the
/// CID (dag-json codec) of its canonical encoding, so equal manifests have equal ids everywhere.
public struct Manifest: Sendable, Equatable {
    /// One chunk of the file: the id of its bytes (raw codec) and how many bytes it has.
    public struct Chunk: Sendable, Equatable {
        /// The id of the chunk's bytes; always of the raw codec.
        public let id: ContentID
        /// The chunk's length in bytes.
        public let size: Int

        public init(id: ContentID, size: Int) {
            self.id = id
            self.size = size
        }
    }

    /// The file's length in bytes: the sum of the chunk sizes.
    public let size: Int64
    /// The file's media type, e.g. `text/plain`.
    public let mediaType: String
    /// The chunks, in file order.
    public let chunks: [Chunk]

    public init(size: Int64, mediaType: String, chunks: [Chunk]) {
        self.size = size
        self.mediaType = mediaType
        self.chunks = chunks
    }

    /// The canonical DAG-JSON encoding: keys sorted by their UTF-8 bytes, no whitespace, chunk
    /// ids as links `{"/":"<cid>"}`, integers in plain decimal. Strings are escaped as RFC 8785
    /// (JCS) does: `\"`, `\\`, `\b \f \n \r \t`, other characters below U+0020 as `\u00xx`
    /// (lower-case hex), everything else as raw UTF-8. For example:
    ///
    ///     {"chunks":[{"id":{"/":"bafkrei…"},"size":65536}],"mediaType":"text/plain","size":65536}
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(48 + mediaType.utf8.count + chunks.count * 96)
        output += #"{"chunks":["#.utf8
        for (index, chunk) in chunks.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output += #"{"id":{"/":""#.utf8
            output += chunk.id.description.utf8
            output += #""},"size":"#.utf8
            output += String(chunk.size).utf8
            output.append(UInt8(ascii: "}"))
        }
        output += #"],"mediaType":"#.utf8
        Self.appendString(mediaType, to: &output)
        output += #","size":"#.utf8
        output += String(size).utf8
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// The manifest's address: ``encoded()`` hashed with the dag-json codec. Computed on each
    /// use (it encodes and hashes the whole manifest).
    public var id: ContentID {
        ContentID.hashing(encoded(), codec: .dagJSON)
    }

    /// Reads a manifest written by ``encoded()``. Strict: the bytes must be exactly the canonical
    /// encoding of the manifest they describe, chunk ids must be raw-codec ids, chunk sizes must
    /// be positive and add up to the file size.
    public init(decoding bytes: [UInt8]) throws(ContentError) {
        var reader = JSONReader(bytes)
        var size: Int64?
        var mediaType: String?
        var chunks: [Chunk]?
        try reader.readObject { reader, key throws(ContentError) in
            switch key {
            case "chunks":
                guard chunks == nil else { throw reader.malformed("the key 'chunks' appears twice") }
                var list: [Chunk] = []
                try reader.readArray { reader throws(ContentError) in
                    list.append(try Self.readChunk(from: &reader, index: list.count))
                }
                chunks = list
            case "mediaType":
                guard mediaType == nil else { throw reader.malformed("the key 'mediaType' appears twice") }
                mediaType = try reader.readString()
            case "size":
                guard size == nil else { throw reader.malformed("the key 'size' appears twice") }
                size = try reader.readInteger()
            default:
                throw reader.malformed("unknown key '\(key)'; a manifest has chunks, mediaType and size")
            }
        }
        try reader.expectEnd()
        guard let chunks, let mediaType, let size else {
            throw .malformedManifest(reason: "a manifest needs the keys chunks, mediaType and size")
        }
        guard size >= 0 else { throw .malformedManifest(reason: "the size \(size) is negative") }
        var total: Int64 = 0
        for chunk in chunks {
            let (sum, overflow) = total.addingReportingOverflow(Int64(chunk.size))
            guard !overflow else { throw .malformedManifest(reason: "the chunk sizes overflow a 64-bit total") }
            total = sum
        }
        guard total == size else { throw .manifestSizeMismatch(declared: size, chunkTotal: total) }

        let manifest = Manifest(size: size, mediaType: mediaType, chunks: chunks)
        guard manifest.encoded() == bytes else { throw .manifestNotCanonical }
        self = manifest
    }

    /// Reads `{"id":{"/":"<cid>"},"size":<n>}` in any key order (canonical order is checked later).
    private static func readChunk(from reader: inout JSONReader, index: Int) throws(ContentError) -> Chunk {
        var id: ContentID?
        var size: Int64?
        try reader.readObject { reader, key throws(ContentError) in
            switch key {
            case "id":
                guard id == nil else { throw reader.malformed("chunk \(index) has the key 'id' twice") }
                id = try readLink(from: &reader, chunk: index)
            case "size":
                guard size == nil else { throw reader.malformed("chunk \(index) has the key 'size' twice") }
                size = try reader.readInteger()
            default:
                throw reader.malformed("chunk \(index) has an unknown key '\(key)'; a chunk has id and size")
            }
        }
        guard let id, let size else { throw reader.malformed("chunk \(index) needs the keys id and size") }
        guard id.codec == .raw else {
            throw reader.malformed("chunk \(index) id \(id) is not a raw chunk id (bafkrei…)")
        }
        guard size > 0 else { throw reader.malformed("chunk \(index) has size \(size); chunk sizes are positive") }
        return Chunk(id: id, size: Int(size))
    }

    /// Reads a DAG-JSON link, `{"/":"<cid>"}`.
    private static func readLink(from reader: inout JSONReader, chunk index: Int) throws(ContentError) -> ContentID {
        var id: ContentID?
        try reader.readObject { reader, key throws(ContentError) in
            guard key == "/", id == nil else {
                throw reader.malformed("chunk \(index) id must be a link {\"/\":\"<cid>\"}")
            }
            let text = try reader.readString()
            do {
                id = try ContentID(parsing: text)
            } catch {
                throw reader.malformed("chunk \(index): \(error)")
            }
        }
        guard let id else { throw reader.malformed("chunk \(index) id must be a link {\"/\":\"<cid>\"}") }
        return id
    }

    /// Appends `string` as a JSON string with the escaping rule described on ``encoded()``.
    private static func appendString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += #"\""#.utf8
            case UInt8(ascii: "\\"): output += #"\\"#.utf8
            case 0x08: output += #"\b"#.utf8
            case 0x0C: output += #"\f"#.utf8
            case 0x0A: output += #"\n"#.utf8
            case 0x0D: output += #"\r"#.utf8
            case 0x09: output += #"\t"#.utf8
            case ..<0x20:
                output += #"\u00"#.utf8
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
