import Foundation

extension DataStore {
    /// Keeps chunks received from elsewhere, each only if its bytes hash to its id: the one
    /// place where bytes from outside become chunks, so nothing unverified is ever stored.
    ///
    /// Verified chunks are published durably (synced, then renamed) before this returns, so an
    /// interrupted transfer keeps what it already verified and a later one fetches only the
    /// rest. Chunks stay unreferenced until a version commits a manifest that uses them.
    /// - Returns: the ids whose bytes did not match (nothing of them was written).
    public func receive(_ chunks: [(id: ContentID, bytes: [UInt8])]) async throws(StoreError) -> [ContentID] {
        var rejected: [ContentID] = []
        var pending: [PendingChunk] = []
        var seen: Set<ContentID> = []
        do throws(StoreError) {
            for chunk in chunks {
                guard chunk.id.codec == .raw, ContentID.hashing(chunk.bytes, codec: .raw) == chunk.id else {
                    rejected.append(chunk.id)
                    continue
                }
                guard seen.insert(chunk.id).inserted else { continue }
                if try isStored(chunk.id) { continue }
                let written = chunk.bytes.withUnsafeBytes { bytes in
                    Result { () throws(StoreError) in try objects.writeTemporary(bytes, as: chunk.id) }
                }
                pending.append(try written.get())
            }
            try await publish(pending)
        } catch {
            objects.discard(pending)
            throw error
        }
        return rejected
    }

    /// The chunks of `manifest` not yet stored, in manifest order, each once.
    public func missingChunks(of manifest: Manifest) async throws(StoreError) -> [Manifest.Chunk] {
        var seen: Set<ContentID> = []
        var missing: [Manifest.Chunk] = []
        for chunk in manifest.chunks where seen.insert(chunk.id).inserted {
            if try isStored(chunk.id) { continue }
            if try await !objects.contains(chunk.id) { missing.append(chunk) }
        }
        return missing
    }

    /// Makes a received manifest the next version of `path`, recording where it came from.
    /// Every chunk must already be on disk (see ``receive(_:)``), checked here, so a version
    /// never points at missing data.
    public func commit(
        received manifest: Manifest, to path: DataPath, origin: VersionOrigin, precondition: WritePrecondition = .none,
        author: String, at date: Date = Date()
    ) async throws -> FileVersion {
        guard !path.isDirectory else { throw StoreError.isDirectory(path) }
        for chunk in manifest.chunks {
            pins.pin(chunk.id)
        }
        defer { pins.unpin(manifest.chunks.map(\.id)) }
        // Under a share of the gate: a chunk a collection already decided to remove is found
        // missing here rather than vanishing after the commit.
        await gate.acquireShared()
        let missing: Manifest.Chunk?
        do {
            missing = try await missingChunks(of: manifest).first
        } catch {
            await gate.releaseShared()
            throw error
        }
        await gate.releaseShared()
        if let missing { throw StoreError.missingChunk(missing.id) }
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
