/// How much the store holds.
public struct StoreStatistics: Sendable, Equatable, Codable {
    /// Paths with a current version.
    public let files: Int
    /// Versions kept, deletions included.
    public let versions: Int
    /// Distinct chunks and the bytes they hold (each stored once).
    public let chunks: Int
    public let chunkBytes: Int64

    enum CodingKeys: String, CodingKey {
        case files, versions, chunks
        case chunkBytes = "chunk_bytes"
    }
}
