import CHavenSystem
import Foundation

#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
#endif

/// Chunk files under `objects/`, one per distinct chunk, named by the hex SHA-256 of their
/// plaintext and sharded by its first two hex digits (`objects/3f/3fa4…`): the `files` backend.
///
/// Publishing syncs each staged file (or the whole file system, for a large batch), renames it
/// into place and syncs the renames, so a file under its final name is always complete and
/// durable before the catalog commit that references it.
public struct FileChunkStorage: ChunkStorage {
    /// The `objects/` directory.
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// The shard directory of a chunk.
    public func directory(of id: ContentID) -> String {
        root + "/" + id.hex.prefix(2)
    }

    /// The file of a chunk.
    public func file(of id: ContentID) -> String {
        directory(of: id) + "/" + id.hex
    }

    public func publish(_ chunks: [PendingChunk]) throws(StoreError) {
        guard !chunks.isEmpty else { return }
        let batch = chunks.count > Self.perFileSyncLimit
        if batch {
            try syncFileSystem()
        } else {
            for chunk in chunks { try Self.sync(file: chunk.temporaryFile) }
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
            for directory in directories { try Self.sync(directory: directory) }
        }
    }

    public func bytes(of id: ContentID) throws(StoreError) -> [UInt8] {
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

    public func contains(_ id: ContentID) -> Bool {
        access(file(of: id), F_OK) == 0
    }

    public func size(of id: ContentID) -> Int64 {
        var info = stat()
        return stat(file(of: id), &info) == 0 ? Int64(info.st_size) : 0
    }

    public func remove(_ id: ContentID) throws(StoreError) {
        if unlink(file(of: id)) != 0, errno != ENOENT {
            throw .io(operation: "remove \(file(of: id))", reason: Self.errorText())
        }
    }

    /// Every chunk file, by walking the shard directories.
    public func allChunks() -> [ContentID] {
        var ids: [ContentID] = []
        let shards = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for shard in shards where shard.utf8.count == 2 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + shard)) ?? []
            ids.append(contentsOf: names.compactMap { ContentID(hex: $0, codec: .raw) })
        }
        return ids
    }

    /// Up to this many chunks are synced file by file; more are synced with one `syncfs`.
    static let perFileSyncLimit = 16

    static func sync(file: String) throws(StoreError) {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open \(file)", reason: errorText()) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(operation: "fsync \(file)", reason: errorText()) }
    }

    static func sync(directory: String) throws(StoreError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open \(directory)", reason: errorText()) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(operation: "fsync \(directory)", reason: errorText()) }
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

    static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
