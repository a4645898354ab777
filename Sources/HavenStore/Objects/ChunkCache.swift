import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded local cache of chunks read from a remote backend (`cache/chunks/` in the home,
/// `[store] cache_bytes`), so hot chunks are not fetched from the bucket again.
///
/// It holds chunks exactly as the backend keeps them (sealed, in an encrypted home), one file
/// per chunk under `<2 hex>/<64 hex>`, written to `tmp/` and renamed into place so a reader
/// never sees half a file. It is never a chunk's only copy and never part of a write's
/// acknowledgement: a cached file is not synced, and whatever it returns is checked against
/// the chunk's id by ``ObjectStore/read(_:)``, which drops a damaged one and fetches the chunk
/// again. Eviction is least recently used (``ChunkCacheIndex``); the index lives in memory and
/// is rebuilt at start from the files, oldest modification first.
public final class ChunkCache: Sendable {
    /// The cache's directory.
    public let directory: String
    private let index: Mutex<ChunkCacheIndex>

    /// Opens (creating, mode 0700) the cache at `directory`, bounded to `capacity` bytes;
    /// files beyond the bound, and what an interrupted insert left in `tmp/`, are removed.
    public init(directory: String, capacity: Int64) throws(StoreError) {
        self.directory = directory
        for path in [directory, directory + "/tmp"] where !FileManager.default.fileExists(atPath: path) {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .io(operation: "create \(path)", reason: "\(error)")
            }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory + "/tmp")) ?? [] {
            unlink(directory + "/tmp/" + name)
        }
        var index = ChunkCacheIndex(capacity: capacity)
        for found in Self.scan(directory) {
            for victim in index.admit(found.id, size: found.size).evicted { unlink(Self.file(of: victim, in: directory)) }
            if !index.contains(found.id) { unlink(Self.file(of: found.id, in: directory)) }
        }
        self.index = Mutex(index)
    }

    /// The bytes cached for a chunk, marking it used; `nil` when it is not cached (or its file
    /// cannot be read). The caller checks them against the id before any use.
    public func bytes(of id: ContentID) -> [UInt8]? {
        guard index.withLock({ $0.touch(id) }) else { return nil }
        guard let data = FileManager.default.contents(atPath: Self.file(of: id, in: directory)) else {
            index.withLock { _ = $0.remove(id) }
            return nil
        }
        return [UInt8](data)
    }

    /// Keeps a copy of a chunk's stored bytes, evicting the least recently used to stay within
    /// the bound. Best effort: a chunk that cannot be written is simply not cached.
    public func insert(_ id: ContentID, bytes: [UInt8]) {
        guard Int64(bytes.count) <= index.withLock({ $0.capacity }) else { return }
        let shard = directory + "/" + id.hex.prefix(2)
        let temporary = directory + "/tmp/" + id.hex + "." + UUID().uuidString
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        else { return }
        if access(shard, F_OK) != 0 { mkdir(shard, 0o700) }
        guard rename(temporary, Self.file(of: id, in: directory)) == 0 else {
            unlink(temporary)
            return
        }
        let evicted = index.withLock { $0.admit(id, size: Int64(bytes.count)).evicted }
        for victim in evicted { unlink(Self.file(of: victim, in: directory)) }
    }

    /// Forgets a chunk and deletes its file (a damaged copy, or a chunk removed from the backend).
    public func drop(_ id: ContentID) {
        index.withLock { _ = $0.remove(id) }
        unlink(Self.file(of: id, in: directory))
    }

    /// How many chunks, and how many bytes, the cache holds.
    public var usage: (chunks: Int, bytes: Int64) {
        index.withLock { ($0.count, $0.totalBytes) }
    }

    static func file(of id: ContentID, in directory: String) -> String {
        directory + "/" + id.hex.prefix(2) + "/" + id.hex
    }

    /// The chunk files under `directory`, least recently modified first.
    private static func scan(_ directory: String) -> [(id: ContentID, size: Int64)] {
        var found: [(id: ContentID, size: Int64, modified: Int)] = []
        let shards = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for shard in shards where shard.utf8.count == 2 {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + shard)) ?? [] {
                guard name.hasPrefix(shard), let id = ContentID(hex: name, codec: .raw) else { continue }
                var info = stat()
                guard stat(directory + "/" + shard + "/" + name, &info) == 0 else { continue }
                found.append((id, Int64(info.st_size), modificationTime(info)))
            }
        }
        return found.sorted { $0.modified < $1.modified }.map { ($0.id, $0.size) }
    }
}

private func modificationTime(_ info: stat) -> Int {
    #if canImport(Darwin)
    Int(info.st_mtimespec.tv_sec)
    #else
    Int(info.st_mtim.tv_sec)
    #endif
}
