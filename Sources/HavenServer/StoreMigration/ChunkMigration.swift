import Foundation
import HavenS3
import HavenStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Moves a home's chunks from `objects/` into an S3-compatible bucket, while `haven serve` may
/// still be running on the home with the files backend (`haven store migrate --to s3`).
///
/// Each chunk file is checked against its id (or found sealed, in an encrypted home), sent with
/// a write-once put, then read back whole and compared, by SHA-256 and size, with what was sent;
/// only then is it recorded as verified in the ``MigrationLog``, synced in batches. A killed
/// migration resumes from the log without sending verified chunks again.
///
/// It works in passes: each lists `objects/` and the catalog's chunk rows and sends what is not
/// verified yet, so chunks a running server writes meanwhile are caught by a later pass. It
/// ends when a pass finds nothing left: at that moment every chunk on disk and every chunk the
/// catalog references is verified in the bucket, and the log records `complete`. Local files
/// are removed only by ``removeVerifiedLocalChunks()``, with the home held exclusively (no
/// server reading them).
public struct ChunkMigration: Sendable {
    /// How far a pass has got.
    public struct Progress: Sendable, Equatable {
        public var pass: Int
        public var done: Int
        public var total: Int
        /// Bytes sent and verified so far in this run.
        public var bytes: Int64
    }

    /// What a run did.
    public struct Report: Sendable, Equatable {
        /// Chunks written to the bucket and verified.
        public var uploaded = 0
        /// Chunks the bucket had already (412 to the write-once put), verified.
        public var alreadyInBucket = 0
        /// Chunks on disk that an earlier run had verified: not sent again.
        public var verifiedEarlier = 0
        /// Bytes sent and read back.
        public var bytes: Int64 = 0
        /// Passes over `objects/` and the catalog, the last finding nothing left.
        public var passes = 0
        /// Chunks the catalog references, each found in the bucket by a head at the end.
        public var checkedInBucket = 0
    }

    /// Where chunks come from.
    public let source: FileChunkStorage
    /// Where they go.
    public let bucket: S3ChunkStorage
    public let catalog: Catalog
    /// The migration log (`s3-migration.log` in the home).
    public let logPath: String
    /// Whether the home is encrypted: its chunk files are sealed, so they are checked for the
    /// seal's header rather than against their id (the key is not needed to move them).
    public let encrypted: Bool
    /// Chunks in flight at once.
    public var concurrency = 8
    /// Chunks verified between two syncs of the log.
    public var batch = 16
    /// Passes before giving up on a server that keeps writing.
    public var maximumPasses = 100

    public init(source: FileChunkStorage, bucket: S3ChunkStorage, catalog: Catalog, logPath: String, encrypted: Bool) {
        self.source = source
        self.bucket = bucket
        self.catalog = catalog
        self.logPath = logPath
        self.encrypted = encrypted
    }

    /// The bucket and prefix, as the log records them.
    public var target: MigrationLog.Target {
        MigrationLog.Target(endpoint: bucket.client.bucket.endpoint, bucket: bucket.client.bucket.name, prefix: bucket.prefix)
    }

    /// Moves every chunk, pass after pass, until one finds nothing left; then records the
    /// migration complete.
    ///
    /// - Parameters:
    ///   - progress: called after each chunk.
    ///   - recorded: called after each sync of the log with the chunks sent by this run so far.
    public func run(
        progress: (Progress) -> Void = { _ in }, recorded: (Int) -> Void = { _ in }
    ) async throws(MigrationError) -> Report {
        do throws(S3Error) {
            _ = try await bucket.client.list(prefix: bucket.prefix, maxKeys: 1)
        } catch {
            throw .bucket(error)
        }
        var log = try MigrationLog.start(at: logPath, for: target)
        var report = Report()
        var sent = 0
        for pass in 1...maximumPasses {
            report.passes = pass
            let local = Set(source.allChunks())
            var pending = local.subtracting(log.verified)
            if pass == 1 { report.verifiedEarlier = local.count - pending.count }
            for id in try catalogChunks() where !log.verified.contains(id) && !local.contains(id) {
                // Published after the listing (it is on disk now), removed by gc, or missing.
                if source.contains(id) {
                    pending.insert(id)
                } else if try isReferenced(id) {
                    throw .missingChunk(id)
                }
            }
            if pending.isEmpty {
                // The log could be stale (objects deleted from the bucket since an earlier run):
                // every chunk the catalog references must answer a head, with the local size.
                let referenced = try catalogChunks()
                let absent = try await absentFromBucket(referenced)
                report.checkedInBucket = referenced.count - absent.count
                if absent.isEmpty {
                    try MigrationLog.append("complete\n", to: logPath)
                    return report
                }
                log.verified.subtract(absent)
                pending = Set(absent)
            }
            guard pass < maximumPasses else { break }
            try await send(pending.sorted(), pass: pass, log: &log, report: &report, sent: &sent, progress: progress, recorded: recorded)
        }
        throw .notSettling(passes: maximumPasses)
    }

    /// Deletes the chunk files the log records as verified in the bucket, and the shard
    /// directories left empty; returns how many files. Call it only with the home held
    /// exclusively: a server on the files backend reads these files.
    public func removeVerifiedLocalChunks() -> Int {
        guard let log = MigrationLog.read(at: logPath, for: target), log.complete else { return 0 }
        var removed = 0
        for id in source.allChunks() where log.verified.contains(id) {
            if unlink(source.file(of: id)) == 0 { removed += 1 }
        }
        for shard in (try? FileManager.default.contentsOfDirectory(atPath: source.root)) ?? [] where shard.utf8.count == 2 {
            rmdir(source.root + "/" + shard)
        }
        return removed
    }

    // MARK: A pass

    private enum Outcome: Sendable {
        case uploaded(Int64)
        case alreadyInBucket(Int64)
        /// The file went (garbage collection by a running server) and nothing references it.
        case gone
    }

    private func send(
        _ ids: [ContentID], pass: Int, log: inout MigrationLog, report: inout Report, sent: inout Int,
        progress: (Progress) -> Void, recorded: (Int) -> Void
    ) async throws(MigrationError) {
        var unrecorded: [ContentID] = []
        var done = 0
        func flush() throws(MigrationError) {
            guard !unrecorded.isEmpty else { return }
            try MigrationLog.append(MigrationLog.verifiedLines(unrecorded), to: logPath)
            log.verified.formUnion(unrecorded)
            sent += unrecorded.count
            unrecorded.removeAll()
            recorded(sent)
        }
        do {
            try await withThrowingTaskGroup(of: (ContentID, Outcome).self) { group in
                var next = ids.makeIterator()
                for _ in 0..<concurrency {
                    guard let id = next.next() else { break }
                    group.addTask { (id, try await move(id)) }
                }
                while let (id, outcome) = try await group.next() {
                    if let id = next.next() { group.addTask { (id, try await move(id)) } }
                    done += 1
                    switch outcome {
                    case .uploaded(let size):
                        report.uploaded += 1
                        report.bytes += size
                        unrecorded.append(id)
                    case .alreadyInBucket(let size):
                        report.alreadyInBucket += 1
                        report.bytes += size
                        unrecorded.append(id)
                    case .gone: break
                    }
                    progress(Progress(pass: pass, done: done, total: ids.count, bytes: report.bytes))
                    if unrecorded.count >= batch { try flush() }
                }
            }
        } catch let error as MigrationError {
            try? flush()
            throw error
        } catch {
            try? flush()
            throw .state(path: source.root, reason: "\(error)")
        }
        try flush()
    }

    /// Sends one chunk and reads it back; on a mismatch the object is replaced once.
    private func move(_ id: ContentID) async throws(MigrationError) -> Outcome {
        let bytes: [UInt8]
        do throws(StoreError) {
            bytes = try source.bytes(of: id)
        } catch .missingChunk {
            if try isReferenced(id) { throw .missingChunk(id) }
            return .gone
        } catch {
            throw .state(path: source.file(of: id), reason: "\(error)")
        }
        let sealed = encrypted && bytes.starts(with: Array("HVSC".utf8) + [1])
        guard sealed || ContentID.hashing(bytes, codec: .raw) == id else { throw .damagedLocalChunk(id) }
        let key = bucket.key(of: id)
        do {
            let outcome = try await bucket.client.putIfAbsent(key, bytes: bytes)
            guard let mismatch = try await difference(key, from: bytes) else {
                return outcome == .created ? .uploaded(Int64(bytes.count)) : .alreadyInBucket(Int64(bytes.count))
            }
            // Not what was sent (an object written by something else, or damaged): replace it once.
            try await bucket.client.delete(key)
            _ = try await bucket.client.putIfAbsent(key, bytes: bytes)
            if try await difference(key, from: bytes) != nil { throw MigrationError.verificationFailed(id, reason: mismatch) }
            return .uploaded(Int64(bytes.count))
        } catch let error as S3Error {
            throw .bucket(error)
        } catch let error as MigrationError {
            throw error
        } catch {
            throw .state(path: key, reason: "\(error)")
        }
    }

    /// How the object at `key` differs from `bytes`; `nil` when it holds exactly them.
    private func difference(_ key: String, from bytes: [UInt8]) async throws(S3Error) -> String? {
        let back = try await bucket.client.get(key)
        if back.count != bytes.count { return "\(back.count) bytes where \(bytes.count) were sent" }
        if ContentID.hashing(back, codec: .raw) != ContentID.hashing(bytes, codec: .raw) { return "the SHA-256 differs" }
        return nil
    }

    /// The chunks of `ids` the bucket has no object for, or one whose size is not the local
    /// file's; heads, 16 at a time.
    private func absentFromBucket(_ ids: [ContentID]) async throws(MigrationError) -> [ContentID] {
        do {
            return try await withThrowingTaskGroup(of: ContentID?.self) { group in
                var next = ids.makeIterator()
                var absent: [ContentID] = []
                for _ in 0..<16 {
                    guard let id = next.next() else { break }
                    group.addTask { try await check(id) }
                }
                while let result = try await group.next() {
                    if let id = next.next() { group.addTask { try await check(id) } }
                    if let result { absent.append(result) }
                }
                return absent
            }
        } catch let error as S3Error {
            throw .bucket(error)
        } catch {
            throw .state(path: bucket.client.bucket.name, reason: "\(error)")
        }
    }

    /// `id` when the bucket lacks it (or holds another size than the local file), else `nil`.
    private func check(_ id: ContentID) async throws(S3Error) -> ContentID? {
        guard let head = try await bucket.client.head(bucket.key(of: id)) else { return id }
        let local = source.size(of: id)
        return local > 0 && head.size != local ? id : nil
    }

    private func catalogChunks() throws(MigrationError) -> [ContentID] {
        var ids: [ContentID] = []
        do {
            while true {
                let page = try catalog.chunkIDs(after: ids.last, limit: 5000)
                ids.append(contentsOf: page)
                if page.count < 5000 { return ids }
            }
        } catch {
            throw .state(path: "the catalog", reason: "\(error)")
        }
    }

    private func isReferenced(_ id: ContentID) throws(MigrationError) -> Bool {
        do {
            return try !catalog.knownChunks([id]).isEmpty
        } catch {
            throw .state(path: "the catalog", reason: "\(error)")
        }
    }
}
