import Foundation
import HavenStore
import Testing

@testable import HavenKnowledge

/// A large vector index is loaded in the background at start, so the server can listen while a
/// graph is rebuilt: the load can be cancelled (a shutdown) without installing half a graph, and
/// files queued meanwhile land in the loaded index.
@Suite struct BackgroundLoadTests {
    /// 16-dimensional unit vectors, ids 1…count.
    static func rows(count: Int, seed: UInt64) -> [(id: Int64, path: String, vector: [Float])] {
        VectorIndexTests.rows(count: count, seed: seed)
    }

    /// 3,000 passages (64-dimensional, as `WordHashEmbedder` makes) of 300 files the store
    /// does not hold, written straight to the catalog; their rows.
    static func seedBulk(_ fixture: KnowledgeFixture) throws -> [(id: Int64, path: String, vector: [Float])] {
        let bulk = rows(count: 3_000, seed: 11)
        for file in 0..<300 {
            let passages = bulk[(file * 10)..<(file * 10 + 10)].map { row in
                (text: "bulk passage \(row.id)", embedding: row.vector + [Float](repeating: 0, count: 48))
            }
            _ = try fixture.catalog.replacePassages(of: "/bulk/\(file).md", version: 1, passages: passages, at: Date())
        }
        return bulk
    }

    @Test func stopWaitsForALoadInTheBackgroundWhichInstallsAllOrNothing() async throws {
        let fixture = try KnowledgeFixture()
        defer { fixture.remove() }
        _ = try Self.seedBulk(fixture)
        let indexer = Indexer(store: fixture.store, embedder: WordHashEmbedder(), backgroundLoad: 1)
        try await indexer.reconcile()
        await indexer.stop()
        #expect(try await !indexer.progress().vectorsLoading)
        // Stopped between batches, nothing is installed; finished first, everything is.
        #expect([0, 3_000].contains(indexer.vectors.count))
    }

    @Test func aCancellableBulkInsertStopsAfterTheSequentialStartWhenItsTaskIsCancelled() async throws {
        let rows = Self.rows(count: HNSWGraph.sequentialStart + 600, seed: 3).map { (id: $0.id, vector: $0.vector) }
        let cancelled = Task { () -> (Int, Int) in
            withUnsafeCurrentTask { $0?.cancel() }
            let stopping = try HNSWIndex(dimension: 16)
            try stopping.insert(contentsOf: rows, cancellable: true)
            // Not cancellable (compact uses this): the same cancelled task inserts every row.
            let whole = try HNSWIndex(dimension: 16)
            try whole.insert(contentsOf: rows)
            return (stopping.count, whole.count)
        }
        let (stopped, whole) = try await cancelled.value
        #expect(stopped == HNSWGraph.sequentialStart)
        #expect(whole == rows.count)
    }

    @Test func aCancelledLoadInstallsNothingKeepsTheSavedFileAndTheSameLoadThenSucceeds() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vectors-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.path + "/vectors.hnsw"
        let rows = Self.rows(count: 300, seed: 5)
        let saved = VectorIndex(file: file)
        saved.load(rows)
        try saved.save()

        let index = VectorIndex(file: file)
        let cancelled = Task { () -> VectorIndex.LoadSource in
            withUnsafeCurrentTask { $0?.cancel() }
            return index.load(rows)
        }
        #expect(await cancelled.value == VectorIndex.LoadSource.abandoned)
        #expect(index.count == 0)
        #expect(index.nearest(to: rows[7].vector, limit: 3, allows: { _ in true }).isEmpty)
        // The file still matches the catalog: the next start may use it.
        #expect(FileManager.default.fileExists(atPath: file))

        #expect(index.load(rows) == .savedFile)
        #expect(index.count == 300)
        #expect(index.nearest(to: rows[7].vector, limit: 1, allows: { _ in true }).first?.id == rows[7].id)
    }

    @Test func filesWrittenWhileTheIndexLoadsInTheBackgroundLandInTheLoadedIndex() async throws {
        let fixture = try KnowledgeFixture()
        defer { fixture.remove() }
        try await fixture.put("Saffron grows in autumn.", at: "/garden.md")
        try await fixture.put("Tulips bloom in spring.", at: "/tulips.md")
        // 3,000 passages of files the store no longer holds, so the graph takes a while to build
        // and the start queues 300 removals behind it: the worker must wait for the load, or the
        // load would put back what the worker removed and drop what it added.
        let bulk = try Self.seedBulk(fixture)

        // Every index loads in the background here (backgroundLoad 1).
        let restarted = Indexer(store: fixture.store, embedder: WordHashEmbedder(), backgroundLoad: 1)
        try await restarted.reconcile()
        // Written right after the start: its new passages must replace the loaded ones.
        let path = try DataPath(parsing: "/tulips.md")
        try await fixture.store.put(Array("Crocuses open in late winter.".utf8), at: path, mediaType: "text/markdown", author: "owner")
        await restarted.enqueue(path)
        await restarted.idle()

        let progress = try await restarted.progress()
        #expect(!progress.vectorsLoading)
        #expect(progress.indexed == 2 && progress.pending == 0 && progress.passages == 2)
        let live = Set(try fixture.catalog.allEmbeddings().map(\.id))
        #expect(live.count == 2)
        #expect(restarted.vectors.count == 2)
        #expect(Set(restarted.vectors.nearest(to: bulk[0].vector + [Float](repeating: 0, count: 48), limit: 10, allows: { _ in true }).map(\.id)) == live)
        let search = PermittedSearch(retriever: restarted.retriever(), catalog: fixture.catalog, audit: fixture.audit)
        let crocus = try await search.search("crocuses winter", k: 3, principal: .owner, capability: nil, scopes: nil, agent: nil, mode: .vector)
        #expect(crocus.first?.path.string == "/tulips.md")
        let saffron = try await search.search("saffron autumn", k: 3, principal: .owner, capability: nil, scopes: nil, agent: nil, mode: .vector)
        #expect(saffron.first?.path.string == "/garden.md")
        let tulips = try await search.search("tulips", k: 3, principal: .owner, capability: nil, scopes: nil, agent: nil, mode: .text)
        #expect(tulips.isEmpty)
    }
}
