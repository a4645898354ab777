import Foundation
import HavenS3

/// Chunks as objects in an S3-compatible bucket (`[store] backend = "s3"`), one per distinct
/// chunk, keyed `prefix` + the first two hex digits of its id + `/` + the hex id.
///
/// Publishing uploads each staged file with a write-once put (`If-None-Match: *`), several at
/// a time, and returns only when the service has acknowledged every one, so the durability
/// rule holds: the catalog commit comes after. An object already there (412) holds the same
/// bytes, since keys name content; it counts as published. The staged files are removed once
/// their objects are acknowledged.
public struct S3ChunkStorage: ChunkStorage {
    public let client: S3Client
    /// What every chunk's key starts with (`chunks/` by default).
    public let prefix: String
    /// Uploads in flight at once while publishing.
    public let concurrency: Int

    public init(client: S3Client, prefix: String, concurrency: Int = 16) {
        self.client = client
        self.prefix = prefix
        self.concurrency = max(1, concurrency)
    }

    /// The key of a chunk's object.
    public func key(of id: ContentID) -> String {
        let hex = id.hex
        return prefix + hex.prefix(2) + "/" + hex
    }

    /// The chunk an object's key names; `nil` for any other object under the prefix.
    func id(ofKey key: String) -> ContentID? {
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count)
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].hasPrefix(parts[0]),
            let id = ContentID(hex: String(parts[1]), codec: .raw)
        else { return nil }
        return id
    }

    public func publish(_ chunks: [PendingChunk]) async throws(StoreError) {
        guard !chunks.isEmpty else { return }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = chunks.makeIterator()
                for _ in 0..<concurrency {
                    guard let chunk = next.next() else { break }
                    group.addTask { try await upload(chunk) }
                }
                while try await group.next() != nil {
                    if let chunk = next.next() { group.addTask { try await upload(chunk) } }
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .io(operation: "store chunks in bucket \(client.bucket.name)", reason: "\(error)")
        }
        for chunk in chunks { unlink(chunk.temporaryFile) }
    }

    private func upload(_ chunk: PendingChunk) async throws(StoreError) {
        guard let data = FileManager.default.contents(atPath: chunk.temporaryFile) else {
            throw .io(operation: "read \(chunk.temporaryFile)", reason: "the staged chunk is gone")
        }
        do {
            _ = try await client.putIfAbsent(key(of: chunk.id), bytes: [UInt8](data))
        } catch {
            throw .io(operation: "store chunk \(chunk.id)", reason: "\(error)")
        }
    }

    public func bytes(of id: ContentID) async throws(StoreError) -> [UInt8] {
        do {
            return try await client.get(key(of: id))
        } catch S3Error.noSuchKey {
            throw .missingChunk(id)
        } catch {
            throw .io(operation: "read chunk \(id)", reason: "\(error)")
        }
    }

    public func contains(_ id: ContentID) async throws(StoreError) -> Bool {
        try await size(of: id, missing: -1) >= 0
    }

    public func size(of id: ContentID) async throws(StoreError) -> Int64 {
        try await size(of: id, missing: 0)
    }

    private func size(of id: ContentID, missing: Int64) async throws(StoreError) -> Int64 {
        do {
            return try await client.head(key(of: id))?.size ?? missing
        } catch {
            throw .io(operation: "look up chunk \(id)", reason: "\(error)")
        }
    }

    public func remove(_ id: ContentID) async throws(StoreError) {
        do {
            try await client.delete(key(of: id))
        } catch {
            throw .io(operation: "remove chunk \(id)", reason: "\(error)")
        }
    }

    public func allChunks() async throws(StoreError) -> [ContentID] {
        var ids: [ContentID] = []
        var token: String?
        repeat {
            let page: S3ListPage
            do {
                page = try await client.list(prefix: prefix, continuationToken: token)
            } catch {
                throw .io(operation: "list the chunks in bucket \(client.bucket.name)", reason: "\(error)")
            }
            ids.append(contentsOf: page.objects.compactMap { id(ofKey: $0.key) })
            token = page.nextContinuationToken
        } while token != nil
        return ids
    }
}
