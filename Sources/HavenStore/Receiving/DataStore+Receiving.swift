import Foundation

extension DataStore {
    /// Keeps chunks received from elsewhere, each only if its bytes hash to its id: the one
    /// place where bytes from outside become chunks, so nothing unverified is ever stored.
    ///
    /// Verified chunks are published durably (synced, then renamed) before this returns, so an
    /// interrupted transfer keeps what it already verified and a later one fetches only the
    /// rest. Chunks stay unreferenced until a version commits a manifest that uses them.
    /// - Returns: the ids whose bytes did not match (nothing of them was written).
    public func receive(_ chunks: [(id: ContentID, bytes: [UInt8])]) throws(StoreError) -> [ContentID] {
        var rejected: [ContentID] = []
        var pending: [PendingChunk] = []
        var seen: Set<ContentID> = []
        do throws(StoreError) {
            for chunk in chunks {
                guard chunk.id.codec == .raw, ContentID.hashing(chunk.bytes, codec: .raw) == chunk.id else {
                    rejected.append(chunk.id)
                    continue
                }
                guard seen.insert(chunk.id).inserted, !objects.contains(chunk.id) else { continue }
                let written = chunk.bytes.withUnsafeBytes { bytes in
                    Result { () throws(StoreError) in try objects.writeTemporary(bytes, as: chunk.id) }
                }
                pending.append(try written.get())
            }
            try objects.publish(pending)
        } catch {
            objects.discard(pending)
            throw error
        }
        return rejected
    }

    /// The chunks of `manifest` not yet on disk, in manifest order, each once.
    public func missingChunks(of manifest: Manifest) -> [Manifest.Chunk] {
        var seen: Set<ContentID> = []
        return manifest.chunks.filter { seen.insert($0.id).inserted && !objects.contains($0.id) }
    }

    /// Makes a received manifest the next version of `path`, recording where it came from.
    /// Every chunk must already be on disk (see ``receive(_:)``), checked here, so a version
    /// never points at missing data.
    public func commit(
        received manifest: Manifest, to path: DataPath, origin: VersionOrigin, precondition: WritePrecondition = .none,
        author: String, at date: Date = Date()
    ) throws -> FileVersion {
        guard !path.isDirectory else { throw StoreError.isDirectory(path) }
        for chunk in manifest.chunks {
            pins.pin(chunk.id)
        }
        defer { pins.unpin(manifest.chunks.map(\.id)) }
        if let missing = missingChunks(of: manifest).first { throw StoreError.missingChunk(missing.id) }
        return try catalog.commit(manifest, to: path, precondition: precondition, author: author, at: date, origin: origin)
    }

    /// Records the deletion of `path` as received from a peer.
    @discardableResult
    public func delete(
        _ path: DataPath, origin: VersionOrigin, author: String, at date: Date = Date()
    ) throws -> FileVersion {
        guard !path.isDirectory else { throw StoreError.isDirectory(path) }
        return try catalog.commitDeletion(of: path, precondition: .none, author: author, at: date, origin: origin)
    }

    /// The manifest a version points at, read back from the catalog (its canonical bytes hash
    /// to its id by construction).
    public func manifest(_ id: ContentID) throws -> Manifest? {
        try catalog.manifest(id)
    }
}
