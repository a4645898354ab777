import Foundation
import HavenStore
import Logging

/// Keeps the passage index in step with the store, in the background: a written file is
/// (re)indexed, a deleted one dropped, one file at a time and only that file.
///
/// At start, ``reconcile()`` compares the index with the store's current versions and queues
/// what differs, so the index survives restarts and catches up with writes made while it was
/// not running. ``rebuild()`` drops everything and queues every file.
public actor Indexer {
    let store: DataStore
    let embedder: any Embedder
    public nonisolated let vectors: VectorIndex
    /// Term counts remembered for full-text ranking; forgotten at every write of passages.
    public nonisolated let statistics = TermStatistics()
    let splitter: PassageSplitter
    let logger: Logger
    /// Files larger than this are not indexed (their text would not fit a useful index).
    let maximumFileSize: Int64
    let pdftotext: String

    private var queue: [DataPath] = []
    private var queued: Set<DataPath> = []
    /// The files being indexed now (one group).
    private var inProgress: [DataPath] = []
    private var worker: Task<Void, Never>?
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Set by ``stop()``: nothing is queued or started any more.
    private var stopped = false
    /// The vector index's load at start, when it runs in the background (see ``reconcile()``);
    /// the worker waits for it before it writes.
    private var loading: Task<VectorIndex.LoadSource, Never>?
    /// Indexes of at least this many passages are loaded in the background.
    let backgroundLoad: Int

    public init(
        store: DataStore, embedder: any Embedder, vectors: VectorIndex = VectorIndex(),
        splitter: PassageSplitter = PassageSplitter(), maximumFileSize: Int64 = 64 << 20, pdftotext: String = "pdftotext",
        backgroundLoad: Int = 10_000, logger: Logger = Logger(label: "haven.index")
    ) {
        self.backgroundLoad = backgroundLoad
        self.store = store
        self.embedder = embedder
        self.vectors = vectors
        self.splitter = splitter
        self.maximumFileSize = maximumFileSize
        self.pdftotext = pdftotext
        self.logger = logger
    }

    /// A retriever over this index.
    public nonisolated func retriever() -> Retriever {
        Retriever(catalog: store.catalog, vectors: vectors, embedder: embedder, statistics: statistics)
    }

    /// Loads the vectors and queues every file whose indexed version differs from its current
    /// one (or that was deleted since). An index of ``backgroundLoad`` passages or more is loaded
    /// in the background: a million passages whose saved graph did not survive a crash take
    /// minutes to rebuild, and the server should listen meanwhile. Until the load is done, search
    /// ranks by full text alone and queued files wait (their vectors must land in the loaded
    /// graph, not in one the load replaces).
    public func reconcile() throws {
        let embeddings = try store.catalog.allEmbeddings()
        let (vectors, logger) = (self.vectors, self.logger)
        if embeddings.count >= backgroundLoad {
            logger.notice(
                "loading the vector index in the background; search uses full text alone until it is ready",
                metadata: ["index.vectors": "\(embeddings.count)"])
            loading = Task.detached(priority: .medium) {
                let source = Self.load(embeddings, into: vectors, logger: logger)
                await self.loadEnded()
                return source
            }
        } else {
            Self.load(embeddings, into: vectors, logger: logger)
        }
        let indexed = try store.catalog.indexedFiles()
        let current = try store.currentFiles()
        var live: Set<String> = []
        for file in current {
            live.insert(file.path.string)
            if indexed[file.path.string]?.version != file.version { enqueue(file.path) }
        }
        for path in indexed.keys where !live.contains(path) {
            if let path = try? DataPath(parsing: path) { enqueue(path) }
        }
    }

    /// Loads `embeddings` into `vectors`, logging a large load with where the graph came from
    /// and how long it took.
    @discardableResult
    private static func load(
        _ embeddings: [(id: Int64, path: String, vector: [Float])], into vectors: VectorIndex, logger: Logger
    ) -> VectorIndex.LoadSource {
        let began = ContinuousClock.now
        let source = vectors.load(embeddings)
        if embeddings.count >= Self.reportedLoad {
            let message: Logger.Message =
                switch source {
                case .savedFile: "vector index loaded from its saved file"
                case .rebuilt: "vector index rebuilt (no saved file matched)"
                case .abandoned: "vector index load abandoned (stopping, or the index was rebuilt)"
                }
            logger.notice(
                message,
                metadata: ["index.vectors": "\(vectors.count)", "index.seconds": "\((ContinuousClock.now - began).components.seconds)"])
        }
        return source
    }

    /// Loads of at least this many vectors are logged with their time.
    static let reportedLoad = 10_000

    private func loadEnded() { loading = nil }

    /// Drops the whole index and queues every current file.
    public func rebuild() throws {
        // A load still running at start is discarded (``VectorIndex/removeAll()`` overtakes it).
        loading?.cancel()
        try store.catalog.clearIndex()
        vectors.removeAll()
        statistics.invalidate()
        for file in try store.currentFiles() { enqueue(file.path) }
    }

    /// Queues `path` to be indexed as it is now (or dropped, if it no longer exists).
    public func enqueue(_ path: DataPath) {
        guard !stopped, !path.isDirectory, !queued.contains(path) else { return }
        queued.insert(path)
        queue.append(path)
        if worker == nil {
            worker = Task { await self.drain() }
        }
    }

    /// Stops for good, so the catalog can close behind it: the queue is dropped, the file being
    /// indexed is abandoned at its next batch of passages (nothing is recorded for it, so the
    /// next start's ``reconcile()`` queues it again), and this returns once the worker is done.
    public func stop() async {
        stopped = true
        queue.removeAll()
        queued.removeAll()
        // A load still running at start stops between batches and installs nothing; waiting for
        // it keeps it from racing the vector index's save at shutdown.
        if let loading {
            loading.cancel()
            _ = await loading.value
        }
        guard let worker else { return }
        worker.cancel()
        await worker.value
    }

    /// Returns once the vector index is loaded and nothing is waiting to be indexed.
    public func idle() async {
        await awaitLoad()
        guard worker != nil else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    /// Files waiting and what the index holds.
    public func progress() throws -> IndexProgress {
        let counts = try store.catalog.indexedFileCounts()
        return IndexProgress(
            pending: queue.count + inProgress.count, indexed: counts[.indexed] ?? 0, skipped: counts[.skipped] ?? 0,
            failed: counts[.failed] ?? 0, passages: try statistics.total { try store.catalog.passageCount() },
            vectorsLoading: loading != nil)
    }

    /// Files indexed together: their passages are embedded in the same batches, so many small
    /// files fill a batch as one large file does.
    static let groupFiles = 32
    /// Passages embedded per call (the engine packs them many to a decode).
    static let embeddingChunk = 64

    /// Waits for the vector index's load at start, if it is still running.
    private func awaitLoad() async {
        guard let task = loading else { return }
        _ = await task.value
    }

    private func drain() async {
        await awaitLoad()
        while !queue.isEmpty {
            // Taken off the queue first, so a write that lands while a file is being indexed
            // queues it again.
            var group: [DataPath] = []
            while !queue.isEmpty, group.count < Self.groupFiles {
                let path = queue.removeFirst()
                queued.remove(path)
                group.append(path)
            }
            inProgress = group
            await index(group)
            inProgress = []
        }
        worker = nil
        let waiters = idleWaiters
        idleWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// What reading one file gave: passages to embed, or what to record instead.
    private enum Prepared {
        case passages(DataPath, version: Int, [Passage])
        case gone(DataPath)
        case skipped(DataPath, version: Int, reason: String)
        case failed(DataPath, any Error)
    }

    /// Reads, extracts and splits each file, embeds all their passages together, then records
    /// the group in one transaction (each file in a savepoint of its own).
    private func index(_ paths: [DataPath]) async {
        let now = Date()
        var prepared: [Prepared] = []
        for path in paths {
            do {
                prepared.append(try await prepare(path))
            } catch is CancellationError {
                logger.debug("indexing abandoned", metadata: ["index.path": "\(path)"])
                return
            } catch {
                prepared.append(.failed(path, error))
            }
        }
        let texts = prepared.flatMap { item -> [String] in
            if case .passages(_, _, let passages) = item { return passages.map(\.text) }
            return []
        }
        var embeddings: [[Float]] = []
        var embeddingError: (any Error)?
        do {
            for start in stride(from: 0, to: texts.count, by: Self.embeddingChunk) {
                try Task.checkCancellation()
                embeddings += try await embedder.embedInBackground(Array(texts[start..<min(start + Self.embeddingChunk, texts.count)]))
                    .map(VectorIndex.normalised)
            }
        } catch is CancellationError {
            // Stopped mid-group: nothing is recorded, so the files are still due at the next start.
            logger.debug("indexing abandoned", metadata: ["index.paths": "\(paths.count)"])
            return
        } catch KnowledgeError.noEmbeddingModel {
            // Without a model the passages are still found by full-text search.
            logger.notice("no model to embed passages; indexing \(paths.count) file(s) for full-text search only")
            embeddings = texts.map { _ in [] }
        } catch {
            embeddingError = error
        }
        if Task.isCancelled { return }
        // The group is written in one transaction, a savepoint per file (see Catalog.record).
        var records: [IndexRecord] = []
        var written: [(path: DataPath, vectors: [[Float]])] = []
        var offset = 0
        for item in prepared {
            switch item {
            case .gone(let path):
                records.append(.cleared(path: path.string, version: nil, status: nil, detail: nil))
                written.append((path, []))
            case .skipped(let path, let version, let reason):
                records.append(.cleared(path: path.string, version: version, status: .skipped, detail: reason))
                written.append((path, []))
            case .failed(let path, let error):
                record(failure: error, of: path, at: now)
            case .passages(let path, let version, let passages):
                defer { offset += passages.count }
                if let embeddingError {
                    record(failure: embeddingError, of: path, at: now)
                    continue
                }
                let vectorsOfFile = Array(embeddings[offset..<offset + passages.count])
                // The file may have changed while it was being read; the newer write queued it again.
                records.append(.passages(
                    path: path.string, version: version, passages: zip(passages, vectorsOfFile).map { ($0.text, $1) }))
                written.append((path, vectorsOfFile))
            }
        }
        guard !records.isEmpty else { return }
        let results: [Result<[Int64], any Error>]
        do {
            results = try store.catalog.record(records, at: now)
        } catch {
            // The transaction itself failed (the disk is full, the database is locked): each file is
            // recorded as failed, so it shows, and is tried again when it next changes or at a rebuild.
            results = records.map { _ in .failure(error) }
        }
        for ((path, vectorsOfFile), result) in zip(written, results) {
            switch result {
            case .success(let ids):
                vectors.replace(path: path.string, ids: ids, vectors: vectorsOfFile)
                if !ids.isEmpty {
                    logger.debug("indexed", metadata: ["index.path": "\(path)", "index.passages": "\(ids.count)"])
                }
            case .failure(let error):
                record(failure: error, of: path, at: now)
            }
        }
        statistics.invalidate()
    }

    /// One file's version, kind and passages (extraction and splitting), or why it is not indexed.
    private func prepare(_ path: DataPath) async throws -> Prepared {
        guard let version = try store.version(of: path) else { return .gone(path) }
        guard let kind = DocumentKind.detect(mediaType: version.mediaType, name: path.name) else {
            return .skipped(path, version: version.version, reason: "not a document type the indexer reads")
        }
        guard version.size <= maximumFileSize else {
            return .skipped(path, version: version.version, reason: "larger than \(maximumFileSize) bytes")
        }
        try Task.checkCancellation()
        let extracted = try await TextExtractor.extract(try await store.contents(of: version), kind: kind, pdftotext: pdftotext)
        var text = extracted.text
        // A photo is found by its metadata and, once a vision model has described it, by that.
        if kind == .image, let content = version.id, let description = try store.catalog.imageDescription(of: content) {
            text += (text.isEmpty ? "" : "\n") + "Description: " + description.text
        }
        return .passages(path, version: version.version, splitter.split(text, title: extracted.title))
    }

    private func record(failure error: any Error, of path: DataPath, at date: Date) {
        logger.warning("indexing failed", metadata: ["index.path": "\(path)", "error": "\(error)"])
        let version = (try? store.version(of: path))?.version ?? 0
        try? store.catalog.clearPassages(of: path.string, version: version, status: .failed, detail: "\(error)", at: date)
        vectors.replace(path: path.string, ids: [], vectors: [])
        statistics.invalidate()
    }
}
