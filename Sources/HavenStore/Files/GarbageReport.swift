/// What a garbage collection removed.
public struct GarbageReport: Sendable, Equatable, Codable {
    /// Old versions dropped by pruning.
    public var versionsPruned = 0
    /// Manifests no version points at any more.
    public var manifestsRemoved = 0
    /// Chunk files no manifest references.
    public var chunksRemoved = 0
    /// Bytes those chunks held.
    public var bytesFreed: Int64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case versionsPruned = "versions_pruned"
        case manifestsRemoved = "manifests_removed"
        case chunksRemoved = "chunks_removed"
        case bytesFreed = "bytes_freed"
    }
}
