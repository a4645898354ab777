import Foundation

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// The chunks of a home: staged on local disk, sealed there in an encrypted home, and kept by a
/// ``ChunkStorage`` backend (``FileChunkStorage`` by default; an S3-compatible bucket when
/// configured) that nothing above this type knows about.
///
/// A chunk is first written to `objects/tmp/` (``writeTemporary(_:as:)``), so memory stays
/// bounded whatever a file's size; ``publish(_:)`` hands the staged files to the backend, which
/// returns once it holds them durably, before the catalog commit that references them. Reads
/// check the bytes against the id, so a damaged chunk is reported rather than served.
///
/// In an encrypted home every chunk is sealed on its way to the backend and opened on its way
/// back (``ChunkSealer``); the id stays the hash of the plaintext, checked after opening, and
/// the backend only ever holds sealed bytes.
public struct ObjectStore: Sendable {
    /// The `objects/` directory: staged chunks under `tmp/` (and the chunk files themselves,
    /// with the files backend).
    public let root: String
    /// Seals chunks, in an encrypted home.
    public let sealer: ChunkSealer?
    /// Where published chunks are kept.
    public let storage: any ChunkStorage
    /// Local copies of chunks read from a remote backend; `nil` for none.
    public let cache: ChunkCache?
    var temporaryDirectory: String { root + "/tmp" }

    /// Opens the store at `root`, creating it (mode 0700) if needed; with a `sealer`, chunks
    /// are written sealed. Chunks are kept in `storage`, or as files under `root`; chunks read
    /// back are kept in `cache` too, when given.
    public init(
        root: String, sealer: ChunkSealer? = nil, storage: (any ChunkStorage)? = nil, cache: ChunkCache? = nil
    ) throws(StoreError) {
        self.root = root
        self.sealer = sealer
        self.storage = storage ?? FileChunkStorage(root: root)
        self.cache = cache
        for directory in [root, root + "/tmp"] where !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .io(operation: "create \(directory)", reason: "\(error)")
            }
        }
    }

    /// The backend, when chunks are kept as files under `objects/` (for what only files allow:
    /// sealing a plaintext home in place, tests that damage a chunk on purpose).
    public var files: FileChunkStorage? { storage as? FileChunkStorage }

    /// Writes a chunk's bytes (sealed, in an encrypted home) to a new file in `objects/tmp/`;
    /// nothing is visible under the chunk's name until ``publish(_:)``.
    public func writeTemporary(_ bytes: UnsafeRawBufferPointer, as id: ContentID) throws(StoreError) -> PendingChunk {
        guard let sealer else { return try writeFile(bytes, as: id) }
        let sealed = sealer.seal(bytes, as: id)
        return try sealed.withUnsafeBytes { buffer in Result { () throws(StoreError) in try writeFile(buffer, as: id) } }.get()
    }

    /// Writes `bytes` as they are to a new file in `objects/tmp/`.
    private func writeFile(_ bytes: UnsafeRawBufferPointer, as id: ContentID) throws(StoreError) -> PendingChunk {
        let temporary = temporaryDirectory + "/" + id.hex + "." + UUID().uuidString
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io(operation: "create \(temporary)", reason: FileChunkStorage.errorText()) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                let reason = FileChunkStorage.errorText()
                unlink(temporary)
                throw .io(operation: "write \(temporary)", reason: reason)
            }
            written += result
        }
        return PendingChunk(id: id, temporaryFile: temporary)
    }

    /// Makes pending chunks durable in the backend. After this returns, a catalog transaction
    /// may reference them; a crash before it leaves only files in `objects/tmp/` (removed at
    /// the next start) and perhaps chunks no row names (removed by garbage collection).
    public func publish(_ chunks: [PendingChunk]) async throws(StoreError) {
        try await storage.publish(chunks)
    }

    /// Deletes pending chunks that will not be published.
    public func discard(_ chunks: [PendingChunk]) {
        for chunk in chunks { unlink(chunk.temporaryFile) }
    }

    /// Whether the backend holds the chunk.
    public func contains(_ id: ContentID) async throws(StoreError) -> Bool {
        try await storage.contains(id)
    }

    /// Reads a whole chunk (opening it, in an encrypted home) and checks it against its id.
    ///
    /// With a cache, a cached copy that passes the check is used without asking the backend;
    /// one that fails it is dropped and the chunk fetched again, so a damaged cache file is
    /// never served. What the backend returns is cached once it has passed the check.
    public func read(_ id: ContentID) async throws(StoreError) -> [UInt8] {
        if let cache, let cached = cache.bytes(of: id) {
            if let plaintext = try? opened(cached, as: id) { return plaintext }
            cache.drop(id)
        }
        let stored = try await storage.bytes(of: id)
        let plaintext = try opened(stored, as: id)
        cache?.insert(id, bytes: stored)
        return plaintext
    }

    /// The plaintext of a chunk's stored bytes, checked against its id.
    func opened(_ bytes: [UInt8], as id: ContentID) throws(StoreError) -> [UInt8] {
        if let sealer {
            if let plaintext = sealer.open(bytes, as: id), ContentID.hashing(plaintext, codec: .raw) == id {
                return plaintext
            }
            // A chunk written before the home was encrypted, until `haven encrypt` seals it.
        }
        guard ContentID.hashing(bytes, codec: .raw) == id else { throw .damagedChunk(id) }
        return bytes
    }

    /// The size the backend keeps for a chunk; 0 if it is missing.
    public func size(of id: ContentID) async throws(StoreError) -> Int64 {
        try await storage.size(of: id)
    }

    /// Deletes a chunk from the backend; a missing one is not an error.
    public func remove(_ id: ContentID) async throws(StoreError) {
        cache?.drop(id)
        try await storage.remove(id)
    }

    /// Every chunk the backend holds.
    public func allChunks() async throws(StoreError) -> [ContentID] {
        try await storage.allChunks()
    }

    /// Deletes what an interrupted write left in `objects/tmp/`; returns how many files.
    @discardableResult
    public func removeTemporaries() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory)) ?? []
        var removed = 0
        for name in names where unlink(temporaryDirectory + "/" + name) == 0 {
            removed += 1
        }
        return removed
    }
}

/// A chunk written to `objects/tmp/`, waiting for ``ObjectStore/publish(_:)``.
public struct PendingChunk: Sendable, Equatable {
    public let id: ContentID
    public let temporaryFile: String
}
