import HavenKnowledge
import HavenStore
import HavenTestSupport
import Testing

@Suite struct IndexerStopTests {
    /// A shutdown abandons the file being indexed without recording it as failed or done, takes
    /// no more work, and the next start's reconcile indexes the file.
    @Test(.timeLimit(.minutes(1)))
    func aFileAbandonedByStopIsIndexedAtTheNextStart() async throws {
        let fixture = try KnowledgeFixture()
        let held = HeldEmbedder()
        let stopping = Indexer(store: fixture.store, embedder: held)
        let path = try DataPath(parsing: "/notes/harbour.md")
        try await fixture.store.put(Array("The harbour lantern.".utf8), at: path, mediaType: "text/markdown", author: "owner")
        await stopping.enqueue(path)
        await held.waitUntilEntered()

        await stopping.stop()
        #expect(held.events.withLock { $0 } == ["embedding", "embedding cancelled"])
        await stopping.enqueue(path)
        let stopped = try await stopping.progress()
        #expect(stopped.pending == 0 && stopped.indexed == 0 && stopped.failed == 0)

        let restarted = Indexer(store: fixture.store, embedder: WordHashEmbedder())
        try await restarted.reconcile()
        await restarted.idle()
        let restartedProgress = try await restarted.progress()
        #expect(restartedProgress.indexed == 1 && restartedProgress.failed == 0)
    }
}
