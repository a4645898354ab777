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
    let splitter: PassageSplitter
    let logger: Logger
    /// Files larger than this are not indexed (their text would not fit a useful index).
    let maximumFileSize: Int64
    let pdftotext: String

    private var queue: [DataPath] = []
    private var queued: Set<DataPath> = []
    private var inProgress: DataPath?
    private var worker: Task<Void, Never>?
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Set by ``stop()``: nothing is queued or started any more.
    private var stopped = false

    public init(
        store: DataStore, embedder: any Embedder, vectors: VectorIndex = VectorIndex(),
        splitter: PassageSplitter = PassageSplitter(), maximumFileSize: Int64 = 64 << 20, pdftotext: String = "pdftotext",
        logger: Logger = Logger(label: "haven.index")
    ) {
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
        Retriever(catalog: store.catalog, vectors: vectors, embedder: embedder)
    }

    /// Loads the vectors and queues every file whose indexed version differs from its current
    /// one (or that was deleted since).
    public func reconcile() throws {
        vectors.load(try store.catalog.allEmbeddings())
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

    /// Drops the whole index and queues every current file.
    public func rebuild() throws {
        try store.catalog.clearIndex()
        vectors.removeAll()
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
        guard let worker else { return }
        worker.cancel()
        await worker.value
    }

    /// Returns once nothing is waiting to be indexed.
    public func idle() async {
        guard worker != nil else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    /// Files waiting and what the index holds.
    public func progress() throws -> IndexProgress {
        let files = try store.catalog.indexedFiles().values
        return IndexProgress(
            pending: queue.count + (inProgress == nil ? 0 : 1), indexed: files.filter { $0.status == .indexed }.count,
            skipped: files.filter { $0.status == .skipped }.count, failed: files.filter { $0.status == .failed }.count,
            passages: try store.catalog.passageCount())
    }

    private func drain() async {
        while !queue.isEmpty {
            // Taken off the queue first, so a write that lands while this file is being
            // indexed queues it again.
            let path = queue.removeFirst()
            queued.remove(path)
            inProgress = path
            await index(path)
            inProgress = nil
        }
        worker = nil
        let waiters = idleWaiters
        idleWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    private func index(_ path: DataPath) async {
        let now = Date()
        do {
            guard let version = try store.version(of: path) else {
                try store.catalog.clearPassages(of: path.string, version: nil, status: nil, detail: nil, at: now)
                vectors.replace(path: path.string, ids: [], vectors: [])
                return
            }
            guard let kind = DocumentKind.detect(mediaType: version.mediaType, name: path.name) else {
                try skip(path, version: version.version, because: "not a document type the indexer reads", at: now)
                return
            }
            guard version.size <= maximumFileSize else {
                try skip(path, version: version.version, because: "larger than \(maximumFileSize) bytes", at: now)
                return
            }
            let extracted = try await TextExtractor.extract(try await store.contents(of: version), kind: kind, pdftotext: pdftotext)
            // A photo is found by its metadata and, once a vision model has described it, by that.
            var text = extracted.text
            if kind == .image, let content = version.id, let description = try store.catalog.imageDescription(of: content) {
                text += (text.isEmpty ? "" : "\n") + "Description: " + description.text
            }
            let passages = splitter.split(text, title: extracted.title)
            var embeddings: [[Float]] = []
            do {
                for batch in stride(from: 0, to: passages.count, by: 16) {
                    try Task.checkCancellation()
                    let texts = passages[batch..<min(batch + 16, passages.count)].map(\.text)
                    embeddings += try await embedder.embedInBackground(texts).map(VectorIndex.normalised)
                }
            } catch KnowledgeError.noEmbeddingModel {
                // Without a model the passages are still found by full-text search.
                logger.notice("no model to embed passages; indexing \(path) for full-text search only")
                embeddings = passages.map { _ in [] }
            }
            try Task.checkCancellation()
            // The file may have changed while it was being read; the newer write queued it again.
            let ids = try store.catalog.replacePassages(
                of: path.string, version: version.version,
                passages: zip(passages, embeddings).map { ($0.text, $1) }, at: now)
            vectors.replace(path: path.string, ids: ids, vectors: embeddings)
            logger.debug("indexed", metadata: ["index.path": "\(path)", "index.passages": "\(ids.count)"])
        } catch is CancellationError {
            // Stopped mid-file: nothing is recorded, so the file is still due at the next start.
            logger.debug("indexing abandoned", metadata: ["index.path": "\(path)"])
        } catch {
            logger.warning("indexing failed", metadata: ["index.path": "\(path)", "error": "\(error)"])
            let version = (try? store.version(of: path))?.version ?? 0
            try? store.catalog.clearPassages(of: path.string, version: version, status: .failed, detail: "\(error)", at: now)
            vectors.replace(path: path.string, ids: [], vectors: [])
        }
    }

    private func skip(_ path: DataPath, version: Int, because reason: String, at date: Date) throws {
        try store.catalog.clearPassages(of: path.string, version: version, status: .skipped, detail: reason, at: date)
        vectors.replace(path: path.string, ids: [], vectors: [])
    }
}
