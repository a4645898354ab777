import HavenStore

/// Writes a CARv1 stream (`application/vnd.ipld.car`): one ``header(roots:)``, then one
/// ``block(_:bytes:)`` per block. Each piece is returned whole, so a server can send them as
/// they are made; ``blockPrefix(_:length:)`` lets it send a large chunk without copying it.
public enum CARWriter {
    /// The media type of a CARv1 stream.
    public static let mediaType = "application/vnd.ipld.car"

    /// The header: `varint(length) ++ DAG-CBOR {"roots": [links…], "version": 1}`. `roots`
    /// may be empty, for a batch of blocks with no single entry point.
    public static func header(roots: [ContentID]) -> [UInt8] {
        let body = CARHeader.encode(roots: roots)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count + Varint.maximumLength)
        Varint.append(UInt64(body.count), to: &bytes)
        bytes += body
        return bytes
    }

    /// One block section: `varint(length of id and bytes) ++ binary id ++ bytes`.
    public static func block(_ id: ContentID, bytes: some Collection<UInt8>) -> [UInt8] {
        var section = blockPrefix(id, length: bytes.count)
        section.reserveCapacity(section.count + bytes.count)
        section += bytes
        return section
    }

    /// What goes before a block of `length` bytes: its section length and its binary id. The
    /// caller sends exactly `length` bytes of the block right after it.
    public static func blockPrefix(_ id: ContentID, length: Int) -> [UInt8] {
        precondition(length >= 0, "a block cannot have \(length) bytes")
        let binaryID = id.binaryRepresentation
        var bytes: [UInt8] = []
        bytes.reserveCapacity(binaryID.count + Varint.maximumLength)
        Varint.append(UInt64(binaryID.count + length), to: &bytes)
        bytes += binaryID
        return bytes
    }
}
