import Foundation
import HavenTestSupport
import Testing

@testable import HavenStore

/// Garbage collection and a write of the same chunk, raced on purpose: collection has chosen the
/// chunk and is removing it when the write, finding no row for it, publishes it again.
@Suite struct CollectionGateTests {
    /// Opens once; everyone waiting then goes on.
    actor Latch {
        private var isOpen = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func wait() async {
            if isOpen { return }
            await withCheckedContinuation { waiting.append($0) }
        }

        func open() {
            isOpen = true
            for continuation in waiting { continuation.resume() }
            waiting.removeAll()
        }
    }

    /// Chunk files whose removals announce themselves and then wait for the latch, as a slow
    /// remote backend's deletes would.
    struct HeldRemovals: ChunkStorage {
        let files: FileChunkStorage
        let started: AsyncStream<Void>.Continuation
        let latch: Latch

        func publish(_ chunks: [PendingChunk]) throws(StoreError) { try files.publish(chunks) }
        func bytes(of id: ContentID) throws(StoreError) -> [UInt8] { try files.bytes(of: id) }
        func contains(_ id: ContentID) -> Bool { files.contains(id) }
        func size(of id: ContentID) -> Int64 { files.size(of: id) }
        func allChunks() -> [ContentID] { files.allChunks() }
        func remove(_ id: ContentID) async throws(StoreError) {
            started.yield()
            await latch.wait()
            try files.remove(id)
        }
    }

    @Test func aChunkPublishedWhileCollectionRemovesItSurvivesTheCommit() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (removals, started) = AsyncStream<Void>.makeStream()
        let latch = Latch()
        let files = FileChunkStorage(root: directory.path + "/objects")
        let store = try DataStore(
            catalog: try Catalog.inMemory(schema: CatalogSchema([.files, .changes])), objectsDirectory: files.root,
            storage: HeldRemovals(files: files, started: started, latch: latch))
        let data = randomBytes(300_000, seed: 12)
        let old = try await store.put(data, at: try DataPath(parsing: "/old.bin"), author: "test")
        let chunks = Set(try store.slices(of: old).map(\.id))
        try store.delete(try DataPath(parsing: "/old.bin"), author: "test")

        // Collection prunes the old version, chooses its chunks and starts removing them.
        let collection = Task { try await store.collectGarbage(keepVersions: 1) }
        var announced = removals.makeAsyncIterator()
        _ = await announced.next()
        // The same bytes written now find no rows: the write stages every chunk and must wait
        // at the gate to publish them.
        let write = Task { try await store.put(data, at: try DataPath(parsing: "/new.bin"), author: "test") }
        for _ in 0..<1_000_000 {
            if await store.gate.waiters > 0 { break }
            await Task.yield()
        }
        #expect(await store.gate.waiters == 1)
        await latch.open()

        let report = try await collection.value
        let version = try await write.value
        #expect(report.chunksRemoved == chunks.count)
        // The write's publish came after the removals: every chunk is there and the file reads back.
        #expect(Set(try store.slices(of: version).map(\.id)) == chunks)
        #expect(chunks.allSatisfy { files.contains($0) })
        #expect(try await store.contents(of: version) == data)
    }
}
