import CHavenSystem
import Foundation

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
private let systemRead = Darwin.read
#endif

/// Chunk files under `objects/`, one per distinct chunk, named by the hex SHA-256 of their
/// bytes and sharded by its first two hex digits (`objects/3f/3fa4…`).
///
/// A chunk is written to `objects/tmp/`, synced to disk, and only then renamed into place, so
/// a file under its final name is always complete; the renames are synced too before the
/// catalog commit that references the chunks (``publish(_:)``). Reads check the bytes against
/// the name, so a damaged chunk is reported rather than served.
///
/// In an encrypted home every chunk is sealed on its way to disk and opened on its way back
/// (``ChunkSealer``); the name stays the hash of the plaintext, checked after opening.
public struct ObjectStore: Sendable {
    /// The `objects/` directory.
    public let root: String
    /// Seals chunk files, in an encrypted home.
    public let sealer: ChunkSealer?
    var temporaryDirectory: String { root + "/tmp" }

    /// Opens the store at `root`, creating it (mode 0700) if needed; with a `sealer`, chunks
    /// are written sealed.
    public init(root: String, sealer: ChunkSealer? = nil) throws(StoreError) {
        self.root = root
        self.sealer = sealer
        for directory in [root, root + "/tmp"] where !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .io(operation: "create \(directory)", reason: "\(error)")
            }
        }
    }

    /// The shard directory of a chunk.
    public func directory(of id: ContentID) -> String {
        let hex = id.hex
        return root + "/" + hex.prefix(2)
    }

    /// The file of a chunk.
    public func file(of id: ContentID) -> String {
        directory(of: id) + "/" + id.hex
    }

    /// Whether the chunk is on disk.
    public func contains(_ id: ContentID) -> Bool {
        access(file(of: id), F_OK) == 0
    }

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
        guard descriptor >= 0 else { throw .io(operation: "create \(temporary)", reason: Self.errorText()) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                let reason = Self.errorText()
                unlink(temporary)
                throw .io(operation: "write \(temporary)", reason: reason)
            }
            written += result
        }
        return PendingChunk(id: id, temporaryFile: temporary)
    }

    /// Makes pending chunks durable and visible: their bytes reach the disk (`fsync` of each
    /// file, or one `syncfs` for a large batch), then each is renamed to its final name and
    /// the renames are made durable the same way. After this returns, a catalog transaction
    /// may reference them; a crash before it leaves only files in `objects/tmp/`, removed at
    /// the next start.
    public func publish(_ chunks: [PendingChunk]) throws(StoreError) {
        guard !chunks.isEmpty else { return }
        let batch = chunks.count > Self.perFileSyncLimit
        if batch {
            try syncFileSystem()
        } else {
            for chunk in chunks { try sync(file: chunk.temporaryFile) }
        }
        var directories: Set<String> = []
        for chunk in chunks {
            let shard = directory(of: chunk.id)
            if !directories.contains(shard), access(shard, F_OK) != 0, mkdir(shard, 0o700) != 0, errno != EEXIST {
                throw .io(operation: "create \(shard)", reason: Self.errorText())
            }
            directories.insert(shard)
            guard rename(chunk.temporaryFile, file(of: chunk.id)) == 0 else {
                throw .io(operation: "rename into \(shard)", reason: Self.errorText())
            }
        }
        if batch {
            try syncFileSystem()
        } else {
            for directory in directories { try sync(directory: directory) }
        }
    }

    /// Deletes pending chunks that will not be published.
    public func discard(_ chunks: [PendingChunk]) {
        for chunk in chunks { unlink(chunk.temporaryFile) }
    }

    /// Up to this many chunks are synced file by file; more are synced with one `syncfs`.
    static let perFileSyncLimit = 16

    func sync(file: String) throws(StoreError) {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open \(file)", reason: Self.errorText()) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(operation: "fsync \(file)", reason: Self.errorText()) }
    }

    func sync(directory: String) throws(StoreError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open \(directory)", reason: Self.errorText()) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(operation: "fsync \(directory)", reason: Self.errorText()) }
    }

    /// Flushes everything written on the file system holding `objects/`.
    func syncFileSystem() throws(StoreError) {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open \(root)", reason: Self.errorText()) }
        defer { close(descriptor) }
        guard haven_sync_file_system(descriptor) == 0 else {
            throw .io(operation: "syncfs \(root)", reason: Self.errorText())
        }
    }

    /// Reads a whole chunk (opening it, in an encrypted home) and checks it against its id.
    public func read(_ id: ContentID) throws(StoreError) -> [UInt8] {
        let bytes = try readFile(id)
        if let sealer {
            if let plaintext = sealer.open(bytes, as: id), ContentID.hashing(plaintext, codec: .raw) == id {
                return plaintext
            }
            // A chunk written before the home was encrypted, until `haven encrypt` seals it.
        }
        guard ContentID.hashing(bytes, codec: .raw) == id else { throw .damagedChunk(id) }
        return bytes
    }

    /// The bytes of a chunk's file, as they are on disk.
    func readFile(_ id: ContentID) throws(StoreError) -> [UInt8] {
        let path = file(of: id)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw errno == ENOENT ? .missingChunk(id) : .io(operation: "open \(path)", reason: Self.errorText())
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io(operation: "stat \(path)", reason: Self.errorText()) }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let result = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + filled, size - filled)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "read \(path)", reason: Self.errorText())
            }
            if result == 0 { break }
            filled += result
        }
        guard filled == size else { throw .damagedChunk(id) }
        return bytes
    }

    /// The size of a chunk file; 0 if it is missing.
    public func size(of id: ContentID) -> Int64 {
        var info = stat()
        return stat(file(of: id), &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Deletes a chunk file; a missing one is not an error.
    public func remove(_ id: ContentID) throws(StoreError) {
        if unlink(file(of: id)) != 0, errno != ENOENT {
            throw .io(operation: "remove \(file(of: id))", reason: Self.errorText())
        }
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

    /// Every chunk on disk, by walking the shard directories.
    public func allChunks() -> [ContentID] {
        var ids: [ContentID] = []
        let shards = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for shard in shards where shard.utf8.count == 2 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + shard)) ?? []
            ids.append(contentsOf: names.compactMap { ContentID(hex: $0, codec: .raw) })
        }
        return ids
    }

    static func errorText() -> String {
        String(cString: strerror(errno))
    }
}

/// A chunk written to `objects/tmp/`, waiting for ``ObjectStore/publish(_:)``.
public struct PendingChunk: Sendable, Equatable {
    public let id: ContentID
    public let temporaryFile: String
}
