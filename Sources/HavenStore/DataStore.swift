import Foundation

/// The personal data store: content-addressed chunks under `objects/`, manifests, and the
/// versions of every path in the catalog.
///
/// Files are cut into content-defined chunks (``Chunker``), each stored once under its SHA-256
/// (``ObjectStore``); a file is a ``Manifest`` whose id is the CID of its canonical encoding;
/// a path points at manifests, one version per write, kept until pruned. Chunks are durable
/// before the catalog transaction that references them commits, so a crash at any moment
/// leaves every path at its old or its new version. ``collectGarbage(keepVersions:)`` removes
/// what no kept version references.
///
/// `DataStore` is a value shared freely between tasks: the catalog serialises writes, chunk
/// files are immutable, and ``ChunkPins`` keeps collection away from writes in progress.
public struct DataStore: Sendable {
    public let catalog: Catalog
    public let objects: ObjectStore
    let pins = ChunkPins()
    let gate = CollectionGate()

    /// Opens the store over `catalog` (which must include ``CatalogMigration/files``) and the
    /// `objects/` directory, removing what interrupted writes left behind. Chunks are sealed
    /// under the catalog's data key when the home is encrypted, and kept in `storage` (files
    /// under `objects/` when `nil`), with chunks read back kept in `cache` when one is given.
    public init(
        catalog: Catalog, objectsDirectory: String, storage: (any ChunkStorage)? = nil, cache: ChunkCache? = nil
    ) throws(StoreError) {
        self.catalog = catalog
        self.objects = try ObjectStore(
            root: objectsDirectory, sealer: catalog.dataKey.map(ChunkSealer.init), storage: storage, cache: cache)
        objects.removeTemporaries()
    }

    /// Publishes staged chunks while no collection is removing chunks (see ``CollectionGate``).
    func publish(_ chunks: [PendingChunk]) async throws(StoreError) {
        guard !chunks.isEmpty else { return }
        await gate.acquireShared()
        do {
            try await objects.publish(chunks)
        } catch {
            await gate.releaseShared()
            throw error
        }
        await gate.releaseShared()
    }

    /// Whether a committed version's chunk row names `id`: then the backend holds it, and a
    /// pin keeps collection from removing it.
    func isStored(_ id: ContentID) throws(StoreError) -> Bool {
        do {
            return try !catalog.knownChunks([id]).isEmpty
        } catch {
            throw .io(operation: "read the catalog", reason: "\(error)")
        }
    }

    /// Starts writing a file; feed it bytes, then ``commit(_:to:precondition:author:at:)``.
    public func writer(mediaType: String, limit: Int64 = .max) -> DataWriter {
        DataWriter(store: self, mediaType: mediaType, limit: limit)
    }

    /// Makes what `writer` received the next version of `path`, if `precondition` holds.
    public func commit(
        _ writer: DataWriter, to path: DataPath, precondition: WritePrecondition = .none, author: String,
        at date: Date = Date()
    ) async throws -> FileVersion {
        defer { writer.release() }
        guard !path.isDirectory else { throw StoreError.isDirectory(path) }
        let manifest = try await writer.finish()
        return try catalog.commit(manifest, to: path, precondition: precondition, author: author, at: date)
    }

    /// Stores `bytes` at `path` in one call.
    @discardableResult
    public func put(
        _ bytes: [UInt8], at path: DataPath, mediaType: String = "application/octet-stream",
        precondition: WritePrecondition = .none, author: String, at date: Date = Date()
    ) async throws -> FileVersion {
        let writer = writer(mediaType: mediaType)
        try writer.append(bytes)
        return try await commit(writer, to: path, precondition: precondition, author: author, at: date)
    }

    /// Deletes `path`: a new version that records the deletion; history stays until pruned.
    @discardableResult
    public func delete(
        _ path: DataPath, precondition: WritePrecondition = .none, author: String, at date: Date = Date()
    ) throws -> FileVersion {
        guard !path.isDirectory else { throw StoreError.isDirectory(path) }
        return try catalog.commitDeletion(of: path, precondition: precondition, author: author, at: date)
    }

    /// The current version of `path`, or a given one; `nil` when there is none.
    public func version(of path: DataPath, number: Int? = nil) throws -> FileVersion? {
        guard let number else { return try catalog.currentVersion(of: path) }
        return try catalog.version(number, of: path)
    }

    /// Every kept version of `path`, deletions included, oldest first.
    public func versions(of path: DataPath) throws -> [FileVersion] {
        try catalog.versions(of: path)
    }

    /// The current version of every live file at or below `directory`, in path order.
    public func currentFiles(under directory: DataPath = .root) throws -> [FileVersion] {
        try catalog.currentFiles(under: directory)
    }

    /// The files and subdirectories directly inside `directory`.
    public func list(_ directory: DataPath) throws -> [DirectoryEntry] {
        let prefix = directory.asDirectory
        var entries: [DirectoryEntry] = []
        var lastDirectory: String?
        for file in try catalog.currentFiles(under: prefix) {
            let rest = file.path.string.utf8.dropFirst(prefix.string.utf8.count)
            if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
                let name = String(decoding: rest[..<slash], as: UTF8.self)
                guard name != lastDirectory else { continue }
                lastDirectory = name
                entries.append(DirectoryEntry(name: name, path: try prefix.appending(name, directory: true), kind: .directory))
            } else {
                entries.append(
                    DirectoryEntry(
                        name: file.path.name, path: file.path, kind: .file, id: file.id, size: file.size,
                        version: file.version, mediaType: file.mediaType, modifiedAt: file.createdAt))
            }
        }
        return entries
    }

    /// The pieces of chunks holding bytes `range` of `version`, to be read in order with
    /// ``ObjectStore/read(_:)``.
    public func slices(of version: FileVersion, range: Range<Int64>? = nil) throws -> [ChunkSlice] {
        guard let id = version.id else { throw StoreError.notFound(version.path) }
        return try catalog.slices(of: id, range: range ?? 0..<version.size)
    }

    /// The bytes of `range` of `version`, read whole into memory: for small files and tests;
    /// servers stream ``slices(of:range:)`` instead.
    public func contents(of version: FileVersion, range: Range<Int64>? = nil) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for slice in try slices(of: version, range: range) {
            let chunk = try await objects.read(slice.id)
            bytes.append(contentsOf: chunk[slice.offset..<slice.offset + slice.length])
        }
        return bytes
    }

    /// How much the store holds.
    public func statistics() throws -> StoreStatistics {
        try catalog.storeStatistics()
    }

    /// Prunes history to the newest `keepVersions` of each path (if given), then removes
    /// manifests no version points at and chunks no manifest references, including chunk
    /// files an interrupted write left without a catalog row. Writes in progress are safe.
    public func collectGarbage(keepVersions: Int? = nil) async throws -> GarbageReport {
        var report = GarbageReport()
        if let keepVersions { report.versionsPruned = try catalog.pruneVersions(keeping: keepVersions) }
        report.manifestsRemoved = try catalog.removeUnreferencedManifests()
        // From deciding which chunks go until they are gone, nothing is published.
        await gate.acquireExclusive()
        do {
            try await collectChunks(into: &report)
        } catch {
            await gate.releaseExclusive()
            throw error
        }
        await gate.releaseExclusive()
        return report
    }

    /// Removes chunks no manifest references, then chunks with no row at all (left by a
    /// write that never committed); pinned ones stay.
    private func collectChunks(into report: inout GarbageReport) async throws {
        while true {
            let candidates = try catalog.unreferencedChunks(limit: 1000)
            guard !candidates.isEmpty else { break }
            let gone = try pins.whileHeld { isPinned in
                let unpinned = candidates.filter { !isPinned($0.id) }
                try catalog.removeChunkRows(unpinned.map(\.id))
                let kept = try catalog.knownChunks(unpinned.map(\.id))
                return unpinned.filter { !kept.contains($0.id) }
            }
            for chunk in gone { try await objects.remove(chunk.id) }
            report.chunksRemoved += gone.count
            report.bytesFreed += gone.reduce(0) { $0 + $1.size }
            if gone.count < candidates.count { break }
        }
        let stored = try await objects.allChunks()
        for batch in stride(from: 0, to: stored.count, by: 1000) {
            let ids = Array(stored[batch..<min(batch + 1000, stored.count)])
            let doomed = try pins.whileHeld { isPinned in
                let known = try catalog.knownChunks(ids)
                return ids.filter { !known.contains($0) && !isPinned($0) }
            }
            for id in doomed {
                report.bytesFreed += try await objects.size(of: id)
                try await objects.remove(id)
                report.chunksRemoved += 1
            }
        }
    }
}
