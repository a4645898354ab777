/// One of the N pieces an ``ErasureCode`` cuts an object into: shards `0..<k` hold the (zero-padded)
/// data itself, shards `k..<n` hold parity. Any `k` of them rebuild the object.
///
/// A shard carries no checksum. Store a hash (SHA-256) of ``bytes`` beside every shard and drop any
/// shard whose hash fails *before* decoding: ``ErasureCode`` turns a corrupt shard into wrong
/// output without noticing.
public struct Shard: Sendable, Hashable {
    /// Position of this shard in the code, `0..<totalShards`.
    public let index: Int
    /// The shard's content; every shard of one object has the same length.
    public let bytes: [UInt8]
    /// Length in bytes of the object before padding, needed to strip the padding on decode.
    public let originalLength: Int

    public init(index: Int, bytes: [UInt8], originalLength: Int) {
        self.index = index
        self.bytes = bytes
        self.originalLength = originalLength
    }
}
