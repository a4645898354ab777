/// Where published chunks live: the seam between the data store and its backends, chosen by
/// configuration (`[store] backend`): ``FileChunkStorage`` (files under `objects/`) or
/// `S3ChunkStorage` (an S3-compatible bucket). Nothing above ``ObjectStore`` knows which runs.
///
/// A chunk reaches a backend as a staged file (``PendingChunk``, written by
/// ``ObjectStore/writeTemporary(_:as:)``, sealed in an encrypted home), so a backend only ever
/// sees the bytes to keep. ``publish(_:)`` returns once the backend has acknowledged every chunk
/// durably: only then may a catalog transaction reference them. Chunks are write-once and named
/// by their content, so publishing a chunk that is already there is not an error.
///
/// The methods are `async` because a remote backend waits on the network; the file backend does
/// its (short, local) system calls inline.
public protocol ChunkStorage: Sendable {
    /// Makes staged chunks durable and visible under their ids; consumes the staged files.
    func publish(_ chunks: [PendingChunk]) async throws(StoreError)
    /// The bytes kept for a chunk, as they were staged (sealed, in an encrypted home).
    /// - Throws: ``StoreError/missingChunk(_:)`` when there is none.
    func bytes(of id: ContentID) async throws(StoreError) -> [UInt8]
    /// Whether the chunk is kept.
    func contains(_ id: ContentID) async throws(StoreError) -> Bool
    /// The size kept for a chunk; 0 when there is none.
    func size(of id: ContentID) async throws(StoreError) -> Int64
    /// Deletes a chunk; a missing one is not an error.
    func remove(_ id: ContentID) async throws(StoreError)
    /// Every chunk kept, for garbage collection.
    func allChunks() async throws(StoreError) -> [ContentID]
}
