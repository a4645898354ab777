/// The sizes that shape FastCDC chunks. Changing them changes every chunk boundary, so stored
/// content is only deduplicated against content chunked with the same parameters.
public struct ChunkingParameters: Sendable, Equatable {
    /// No chunk but the last of a stream is shorter than this; the chunker does not even hash
    /// these bytes.
    public let minimumSize: Int
    /// The size at which the chunker switches from the harder mask to the easier one; a power
    /// of two.
    public let averageSize: Int
    /// No chunk is longer than this.
    public let maximumSize: Int

    /// 16 KiB minimum, 64 KiB average, 256 KiB maximum: what Haven stores files with.
    public static let standard = ChunkingParameters(minimumSize: 16 << 10, averageSize: 64 << 10, maximumSize: 256 << 10)

    /// Parameters with `0 < minimumSize <= averageSize <= maximumSize` and `averageSize` a power
    /// of two of at least 8 (so that both normalised masks have at least one bit).
    public init(minimumSize: Int, averageSize: Int, maximumSize: Int) {
        precondition(
            0 < minimumSize && minimumSize <= averageSize && averageSize <= maximumSize,
            "chunk sizes must satisfy 0 < minimum <= average <= maximum"
        )
        precondition(
            averageSize >= 8 && averageSize.nonzeroBitCount == 1 && averageSize < 1 << 61,
            "the average chunk size must be a power of two from 8 to 2^60"
        )
        self.minimumSize = minimumSize
        self.averageSize = averageSize
        self.maximumSize = maximumSize
    }

    /// log2 of the average size: the number of mask bits that gives one cut per `averageSize`
    /// bytes on random data.
    var averageBits: Int { averageSize.trailingZeroBitCount }

    /// The mask used before `averageSize` (normalised chunking level 2: two more bits, so a cut
    /// is four times less likely than average).
    var smallMask: UInt64 { Self.highBits(averageBits + 2) }

    /// The mask used from `averageSize` on (two fewer bits, four times more likely).
    var largeMask: UInt64 { Self.highBits(averageBits - 2) }

    /// The top `count` bits. The gear fingerprint's bit k depends on the last k + 1 bytes only,
    /// so high bits give the widest window (at least 64 - count + 1 bytes).
    private static func highBits(_ count: Int) -> UInt64 {
        ~UInt64(0) << UInt64(64 - count)
    }
}
