/// One file being written: bytes go in as they arrive, are cut into chunks, and each new chunk
/// goes to a temporary file at once, so memory stays bounded by the chunker's window whatever
/// the file's size. At the end the new chunks are published durably in one batch, to whichever
/// backend keeps chunks. A chunk the catalog already has a row for is stored already and is
/// not written again. ``DataStore/commit(_:to:precondition:author:at:)`` makes it a version.
///
/// Chunks are pinned against garbage collection from the moment they are seen until the
/// writer is committed or released.
public final class DataWriter {
    let store: DataStore
    let mediaType: String
    private var chunker = Chunker()
    private(set) var chunks: [Manifest.Chunk] = []
    private var pinned: [ContentID] = []
    private var pending: [PendingChunk] = []
    private var pendingIDs: Set<ContentID> = []
    /// Bytes received so far.
    public private(set) var size: Int64 = 0
    /// Chunks that were already stored (deduplicated) and chunks written anew.
    public private(set) var reusedChunks = 0
    public private(set) var newChunks = 0
    private let limit: Int64

    init(store: DataStore, mediaType: String, limit: Int64) {
        self.store = store
        self.mediaType = mediaType
        self.limit = limit
    }

    deinit {
        store.objects.discard(pending)
        store.pins.unpin(pinned)
    }

    /// Takes the next bytes of the file.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        size += Int64(bytes.count)
        guard size <= limit else { throw .tooLarge(limit: Int(limit)) }
        do {
            try chunker.append(bytes) { chunk in try store(chunk) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .io(operation: "store a chunk", reason: "\(error)")
        }
    }

    /// Takes the next bytes of the file.
    public func append(_ bytes: [UInt8]) throws(StoreError) {
        let result: Result<Void, StoreError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(StoreError) in try append(buffer) }
        }
        try result.get()
    }

    /// Ends the file: stores the last chunk, publishes every new chunk durably, and returns
    /// the manifest.
    func finish() async throws(StoreError) -> Manifest {
        do {
            try chunker.finish { chunk in try store(chunk) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .io(operation: "store a chunk", reason: "\(error)")
        }
        try await store.publish(pending)
        pending.removeAll()
        pendingIDs.removeAll()
        return Manifest(size: size, mediaType: mediaType, chunks: chunks)
    }

    /// Releases the pins once the commit is done (or the write abandoned).
    func release() {
        store.objects.discard(pending)
        pending.removeAll()
        store.pins.unpin(pinned)
        pinned.removeAll()
    }

    private func store(_ chunk: UnsafeRawBufferPointer) throws(StoreError) {
        let id = ContentID.hashing(chunk, codec: .raw)
        store.pins.pin(id)
        pinned.append(id)
        let stored = try pendingIDs.contains(id) ? true : store.isStored(id)
        if stored {
            reusedChunks += 1
        } else {
            pending.append(try store.objects.writeTemporary(chunk, as: id))
            pendingIDs.insert(id)
            newChunks += 1
        }
        chunks.append(Manifest.Chunk(id: id, size: chunk.count))
    }
}
