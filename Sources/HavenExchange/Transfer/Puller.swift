import AsyncHTTPClient
import Foundation
import HavenIdentity
import HavenStore
import Logging
import NIOCore

/// One peer to fetch from: a signed client carrying a capability, and where the content sits
/// on that peer.
public struct PullSource: Sendable {
    public let client: PeerClient
    public let peer: DID
    /// The path on the peer: a directory (`/photos/trip/`) or a file.
    public let remotePath: DataPath

    public init(client: PeerClient, peer: DID, remotePath: DataPath) {
        self.client = client
        self.peer = peer
        self.remotePath = remotePath
    }
}

/// Fetches files from peers into the local store, verified block by block.
///
/// The first source lists the tree; manifests are checked against their CIDs; only the chunks
/// not already on disk are fetched, in CAR batches spread over every source at once. Each
/// block is checked against its CID before it is kept (``DataStore/receive(_:)``); one that
/// fails is thrown away, counted against its source, and fetched from another. Verified
/// chunks are kept as they arrive, so an interrupted pull resumes where it stopped. Each file
/// becomes a new local version recording its origin (peer, path, version, manifest).
public struct Puller: Sendable {
    public let store: DataStore
    /// Chunks asked for in one CAR request, and the bytes they may add up to.
    public var batchCount = 512
    public var batchBytes = 32 << 20
    /// Concurrent requests per source.
    public var requestsPerSource = 3
    /// Attempts on a connection failure before a source is given up.
    public var attempts = 3
    /// Told about each version a pull commits (the server queues it for indexing).
    let onCommit: @Sendable (FileVersion) async -> Void
    let logger: Logger

    public init(
        store: DataStore, logger: Logger = Logger(label: "haven.exchange.pull"),
        onCommit: @escaping @Sendable (FileVersion) async -> Void = { _ in }
    ) {
        self.store = store
        self.logger = logger
        self.onCommit = onCommit
    }

    /// Pulls `sources[0].remotePath` (as listed by the first source) to `destination`.
    /// - Returns: the versions made (files already current are left alone).
    @discardableResult
    public func pull(
        from sources: [PullSource], to destination: DataPath, author: String, progress: PullProgress = PullProgress()
    ) async throws(ExchangeError) -> [FileVersion] {
        guard let primary = sources.first else { throw .noSource }
        let target = PeerClient.encodePath(primary.remotePath.string)
        let listing = try await primary.client.send(.GET, "/exchange/v1/tree" + target).decode(TreeListing.self)
        var files: [(entry: TreeEntry, local: DataPath)] = []
        for entry in listing.entries {
            files.append((entry, try Self.localPath(of: entry.path, remote: primary.remotePath, destination: destination)))
        }
        await progress.update {
            $0.filesTotal = files.count
            $0.bytesTotal = files.reduce(0) { $0 + $1.entry.size }
        }
        return try await fetch(files, from: sources, author: author, progress: progress)
    }

    /// Fetches the given files (listed by `sources[0]`) and commits each as a new version.
    public func fetch(
        _ files: [(entry: TreeEntry, local: DataPath)], from sources: [PullSource], author: String, progress: PullProgress
    ) async throws(ExchangeError) -> [FileVersion] {
        guard let primary = sources.first else { throw .noSource }
        var wanted: [(entry: TreeEntry, local: DataPath, manifest: Manifest)] = []
        for file in files {
            if let current = try await storeCall({ try store.version(of: file.local) }), current.id == file.entry.manifest {
                await progress.update { $0.filesUnchanged += 1 }
                continue
            }
            let manifest = try await fetchManifest(file.entry.manifest, from: sources)
            wanted.append((file.entry, file.local, manifest))
        }
        var needed: [Manifest.Chunk] = []
        var seen: Set<ContentID> = []
        var present = 0
        for file in wanted {
            for chunk in file.manifest.chunks where seen.insert(chunk.id).inserted {
                if try await storeCall({ try await store.objects.contains(chunk.id) }) { present += 1 } else { needed.append(chunk) }
            }
        }
        await progress.update { [present, needed] in
            $0.state = .fetching
            $0.chunksPresent += present
            $0.chunksNeeded += needed.count
        }
        try await fetchChunks(needed, from: sources, progress: progress)
        var versions: [FileVersion] = []
        for file in wanted {
            let origin = VersionOrigin(
                peer: Principal.peer(primary.peer).description, path: file.entry.path, version: file.entry.version,
                manifest: file.entry.manifest)
            let version = try await storeCall {
                try await store.commit(received: file.manifest, to: file.local, origin: origin, author: author)
            }
            versions.append(version)
            await onCommit(version)
            await progress.update { $0.filesReceived += 1 }
        }
        return versions
    }

    /// Fetches a manifest from the first source that serves one matching its CID.
    public func fetchManifest(_ id: ContentID, from sources: [PullSource]) async throws(ExchangeError) -> Manifest {
        var lastError = ExchangeError.noSource
        for source in sources {
            do {
                let response = try await source.client.send(.GET, "/exchange/v1/manifest/\(id)")
                guard response.status == 200 else { throw response.refusal }
                // Verified before anything is trusted: the bytes must hash to the CID asked for.
                guard ContentID.hashing(response.body, codec: .dagJSON) == id else {
                    throw ExchangeError.badResponse("manifest \(id) from \(source.peer) does not match its CID")
                }
                do {
                    return try Manifest(decoding: response.body)
                } catch {
                    throw ExchangeError.badResponse("manifest \(id) is malformed: \(error)")
                }
            } catch let error as ExchangeError {
                lastError = error
                logger.warning("manifest fetch failed", metadata: ["peer": "\(source.peer)", "error": "\(error)"])
            } catch {
                lastError = .badResponse("\(error)")
            }
        }
        throw lastError
    }

    /// Fetches `chunks` from every source at once until each is here, verified.
    public func fetchChunks(
        _ chunks: [Manifest.Chunk], from sources: [PullSource], progress: PullProgress
    ) async throws(ExchangeError) {
        guard !chunks.isEmpty else { return }
        let queue = ChunkQueue(chunks: chunks, sourceCount: sources.count)
        await withTaskGroup(of: Void.self) { group in
            for (index, source) in sources.enumerated() {
                for _ in 0..<requestsPerSource {
                    group.addTask {
                        await worker(source: source, index: index, queue: queue, progress: progress)
                    }
                }
            }
        }
        let unobtainable = await queue.unobtainable
        let remaining = await queue.remaining
        if !unobtainable.isEmpty || remaining > 0 {
            throw .incomplete(missing: unobtainable.count + remaining)
        }
    }

    private func worker(source: PullSource, index: Int, queue: ChunkQueue, progress: PullProgress) async {
        var failures = 0
        while !Task.isCancelled {
            let batch = await queue.take(for: index, count: batchCount, bytes: batchBytes)
            if batch.isEmpty { return }
            do {
                try await fetchBatch(batch, from: source, index: index, queue: queue, progress: progress)
                failures = 0
            } catch {
                failures += 1
                logger.warning(
                    "chunk batch failed", metadata: ["peer": "\(source.peer)", "attempt": "\(failures)", "error": "\(error)"])
                if failures >= attempts {
                    await queue.sourceLost(index)
                    return
                }
                try? await Task.sleep(for: .milliseconds(200 * (1 << failures)))
            }
        }
    }

    /// One CAR request: keeps each block that verifies, sends the rest back to the queue.
    ///
    /// A block counts as done only once it is stored: if the connection breaks, every block not
    /// yet stored (parsed or not) goes back to the queue.
    private func fetchBatch(
        _ batch: [ContentID], from source: PullSource, index: Int, queue: ChunkQueue, progress: PullProgress
    ) async throws {
        let body = Array(try JSONEncoder().encode(batch.map(\.description)))
        var outstanding = Set(batch)
        var arrived: Set<ContentID> = []
        do {
            let response = try await source.client.execute(.POST, "/exchange/v1/chunks", body: body, timeout: .seconds(300))
            if response.status.code == 404 {
                // None of these is served there: another source must have them.
                for id in batch { await queue.failed(id, source: index) }
                outstanding.removeAll()
                return
            }
            guard response.status.code == 200 else {
                let bytes = try await response.body.collect(upTo: 1 << 16)
                throw PeerResponse(status: Int(response.status.code), body: Array(buffer: bytes)).refusal
            }
            var reader = CARReader()
            var group: [(id: ContentID, bytes: [UInt8])] = []
            var groupBytes = 0
            var headerRead = false
            for try await buffer in response.body {
                reader.append(buffer.readableBytesView)
                if !headerRead {
                    guard try reader.nextHeader() != nil else { continue }
                    headerRead = true
                }
                while let block = try reader.nextBlock() {
                    guard outstanding.contains(block.id), arrived.insert(block.id).inserted else {
                        // Not asked for (or sent twice): not kept.
                        await progress.update { $0.rejectedBlocks[source.peer.description, default: 0] += 1 }
                        continue
                    }
                    group.append((block.id, block.bytes))
                    groupBytes += block.bytes.count
                    if groupBytes >= Self.groupBytes {
                        try await keep(group, source: source, index: index, queue: queue, progress: progress)
                        for block in group { outstanding.remove(block.id) }
                        group.removeAll(keepingCapacity: true)
                        groupBytes = 0
                    }
                }
            }
            try reader.finish()
            try await keep(group, source: source, index: index, queue: queue, progress: progress)
            for block in group { outstanding.remove(block.id) }
            // Asked for but not sent: not served there.
            for id in outstanding { await queue.failed(id, source: index) }
            outstanding.removeAll()
        } catch {
            // What was stored is kept; the rest goes back for another try.
            await queue.returned(outstanding)
            throw error
        }
    }

    /// Verified blocks are written and made durable together, this many bytes at a time (two `syncfs` each).
    static let groupBytes = 16 << 20

    private func keep(
        _ group: [(id: ContentID, bytes: [UInt8])], source: PullSource, index: Int, queue: ChunkQueue,
        progress: PullProgress
    ) async throws {
        guard !group.isEmpty else { return }
        let rejected = Set(try await store.receive(group))
        var kept: [ContentID] = []
        var bytes: Int64 = 0
        for block in group {
            if rejected.contains(block.id) {
                await queue.failed(block.id, source: index)
            } else {
                kept.append(block.id)
                bytes += Int64(block.bytes.count)
            }
        }
        await queue.completed(kept)
        let keptCount = kept.count
        await progress.update { [bytes] in
            $0.chunksFetched += keptCount
            $0.bytesFetched += bytes
            if !rejected.isEmpty { $0.rejectedBlocks[source.peer.description, default: 0] += rejected.count }
        }
        if !rejected.isEmpty {
            logger.warning("blocks failed verification", metadata: ["peer": "\(source.peer)", "count": "\(rejected.count)"])
        }
    }

    /// Where a remote file lands: below `destination` as it was below `remote`.
    static func localPath(of path: String, remote: DataPath, destination: DataPath) throws(ExchangeError) -> DataPath {
        do {
            if remote.isDirectory {
                guard path.hasPrefix(remote.string) else { throw ExchangeError.badResponse("\(path) is not under \(remote)") }
                let rest = String(path.dropFirst(remote.string.count))
                return try DataPath(parsing: destination.asDirectory.string + rest)
            }
            return destination.isDirectory ? try DataPath(parsing: destination.string + remote.name) : destination
        } catch let error as ExchangeError {
            throw error
        } catch {
            throw .badResponse("the peer listed a path that cannot be stored here: \(path)")
        }
    }

    private func storeCall<T>(_ body: () async throws -> T) async throws(ExchangeError) -> T {
        do {
            return try await body()
        } catch {
            throw .store("\(error)")
        }
    }
}
