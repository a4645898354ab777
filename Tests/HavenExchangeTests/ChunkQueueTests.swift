import Foundation
import HavenStore
import Testing

@testable import HavenExchange

@Suite struct ChunkQueueTests {
    static func chunks(_ count: Int) -> [Manifest.Chunk] {
        (0..<count).map { Manifest.Chunk(id: ContentID.hashing(Array("\($0)".utf8), codec: .raw), size: 10) }
    }

    @Test func aBlockThatFailedFromOneSourceGoesToAnother() async {
        let chunks = Self.chunks(2)
        let queue = ChunkQueue(chunks: chunks, sourceCount: 2)
        let batch = await queue.take(for: 0, count: 10, bytes: 1000)
        #expect(batch == chunks.map(\.id))
        await queue.completed([batch[0]])
        await queue.failed(batch[1], source: 0)
        // Source 0 may not have it again; source 1 gets it.
        #expect(await queue.take(for: 0, count: 10, bytes: 1000).isEmpty)
        #expect(await queue.take(for: 1, count: 10, bytes: 1000) == [batch[1]])
        await queue.completed([batch[1]])
        #expect(await queue.remaining == 0)
        #expect(await queue.unobtainable.isEmpty)
    }

    @Test func aBlockEverySourceFailedIsUnobtainable() async {
        let chunks = Self.chunks(1)
        let queue = ChunkQueue(chunks: chunks, sourceCount: 2)
        let id = chunks[0].id
        _ = await queue.take(for: 0, count: 1, bytes: 100)
        await queue.failed(id, source: 0)
        _ = await queue.take(for: 1, count: 1, bytes: 100)
        await queue.failed(id, source: 1)
        #expect(await queue.unobtainable == [id])
        #expect(await queue.take(for: 0, count: 1, bytes: 100).isEmpty)
    }

    @Test func aBatchLostWithItsConnectionCanBeTakenAgainByTheSameSource() async {
        let chunks = Self.chunks(3)
        let queue = ChunkQueue(chunks: chunks, sourceCount: 1)
        let batch = await queue.take(for: 0, count: 2, bytes: 1000)
        #expect(batch.count == 2)
        await queue.returned(batch)
        let again = await queue.take(for: 0, count: 10, bytes: 1000)
        #expect(Set(again) == Set(chunks.map(\.id)))
    }

    @Test func aWaitingWorkerIsWokenWhenAnotherSourceFails() async {
        let chunks = Self.chunks(1)
        let queue = ChunkQueue(chunks: chunks, sourceCount: 2)
        let held = await queue.take(for: 0, count: 1, bytes: 100)
        let waiting = Task { await queue.take(for: 1, count: 1, bytes: 100) }
        await queue.failed(held[0], source: 0)
        #expect(await waiting.value == held)
    }

    @Test func batchesRespectTheByteBudget() async {
        let queue = ChunkQueue(chunks: Self.chunks(10), sourceCount: 1)
        #expect(await queue.take(for: 0, count: 100, bytes: 30).count == 3)
    }
}
