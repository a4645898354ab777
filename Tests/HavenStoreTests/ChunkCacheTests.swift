import Foundation
import HavenTestSupport
import Synchronization
import Testing

@testable import HavenStore

/// The local chunk cache: its least-recently-used policy as a pure value, and a store over a
/// backend that counts its reads, so a test sees which reads reached the backend.
@Suite struct ChunkCacheTests {
    static func id(_ n: Int) -> ContentID { ContentID.hashing(Array("chunk \(n)".utf8), codec: .raw) }

    // MARK: The eviction policy

    @Test func chunksWithinTheBoundAreAllKept() {
        var index = ChunkCacheIndex(capacity: 300)
        for n in 0..<3 {
            let outcome = index.admit(Self.id(n), size: 100)
            #expect(outcome == (true, []))
        }
        #expect(index.totalBytes == 300)
        #expect(index.leastRecentlyUsedFirst == [Self.id(0), Self.id(1), Self.id(2)])
    }

    @Test func theLeastRecentlyUsedGoFirstWhenTheBoundIsReached() {
        var index = ChunkCacheIndex(capacity: 300)
        for n in 0..<3 { _ = index.admit(Self.id(n), size: 100) }
        // Using chunk 0 makes chunk 1 the least recently used.
        let touched = index.touch(Self.id(0))
        #expect(touched)
        let (admitted, evicted) = index.admit(Self.id(3), size: 150)
        #expect(admitted)
        #expect(evicted == [Self.id(1), Self.id(2)])
        #expect(index.leastRecentlyUsedFirst == [Self.id(0), Self.id(3)])
        #expect(index.totalBytes == 250)
    }

    @Test func aChunkLargerThanTheWholeBoundIsNotAdmittedAndEvictsNothing() {
        var index = ChunkCacheIndex(capacity: 300)
        _ = index.admit(Self.id(0), size: 200)
        let tooLarge = index.admit(Self.id(1), size: 301)
        #expect(tooLarge == (false, []))
        #expect(index.leastRecentlyUsedFirst == [Self.id(0)])
        // One that fits exactly replaces what is there.
        let exact = index.admit(Self.id(2), size: 300)
        #expect(exact == (true, [Self.id(0)]))
    }

    @Test func admittingAChunkAgainReplacesItsEntry() {
        var index = ChunkCacheIndex(capacity: 300)
        _ = index.admit(Self.id(0), size: 100)
        _ = index.admit(Self.id(1), size: 100)
        let again = index.admit(Self.id(0), size: 120)
        #expect(again == (true, []))
        #expect(index.totalBytes == 220)
        #expect(index.leastRecentlyUsedFirst == [Self.id(1), Self.id(0)])
        let removed = index.remove(Self.id(1))
        let removedTwice = index.remove(Self.id(1))
        let touchedAfter = index.touch(Self.id(1))
        #expect(removed && !removedTwice && !touchedAfter)
        #expect(index.leastRecentlyUsedFirst == [Self.id(0)] && index.totalBytes == 120)
    }

    @Test func aZeroBoundKeepsNothing() {
        var index = ChunkCacheIndex(capacity: 0)
        let outcome = index.admit(Self.id(0), size: 1)
        #expect(outcome == (false, []))
        #expect(index.count == 0)
    }

    // MARK: Reads through the cache

    /// Files on disk, counting how many chunk reads reach them.
    /// A count shared between tasks.
    final class Counter: Sendable {
        private let value = Mutex(0)
        func add() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    struct CountingStorage: ChunkStorage {
        let files: FileChunkStorage
        let reads = Counter()
        func publish(_ chunks: [PendingChunk]) throws(StoreError) { try files.publish(chunks) }
        func bytes(of id: ContentID) throws(StoreError) -> [UInt8] {
            reads.add()
            return try files.bytes(of: id)
        }
        func contains(_ id: ContentID) -> Bool { files.contains(id) }
        func size(of id: ContentID) -> Int64 { files.size(of: id) }
        func remove(_ id: ContentID) throws(StoreError) { try files.remove(id) }
        func allChunks() -> [ContentID] { files.allChunks() }
    }

    struct CachedStore {
        let directory: TemporaryDirectory
        let backend: CountingStorage
        let cache: ChunkCache
        let store: DataStore

        init(capacity: Int64 = 64 << 20) throws {
            directory = try TemporaryDirectory()
            backend = CountingStorage(files: FileChunkStorage(root: directory.path + "/backend"))
            try FileManager.default.createDirectory(atPath: directory.path + "/backend", withIntermediateDirectories: true)
            cache = try ChunkCache(directory: directory.path + "/cache/chunks", capacity: capacity)
            store = try DataStore(
                catalog: try Catalog.inMemory(schema: CatalogSchema([.files, .changes])),
                objectsDirectory: directory.path + "/objects", storage: backend, cache: cache)
        }

        var backendReads: Int { backend.reads.count }
    }

    @Test func aSecondReadIsServedFromTheCacheWithoutTheBackend() async throws {
        let fixture = try CachedStore()
        defer { fixture.directory.remove() }
        let data = randomBytes(1 << 20, seed: 7)
        let version = try await fixture.store.put(data, at: try DataPath(parsing: "/a.bin"), author: "test")
        let chunks = try fixture.store.slices(of: version).count
        #expect(fixture.backendReads == 0)
        // The first read goes to the backend for every chunk, and fills the cache.
        #expect(try await fixture.store.contents(of: version) == data)
        #expect(fixture.backendReads == chunks)
        #expect(fixture.cache.usage.chunks == chunks)
        // The second is served from the cache alone.
        #expect(try await fixture.store.contents(of: version) == data)
        #expect(fixture.backendReads == chunks)
    }

    @Test func aDamagedCacheFileIsDroppedAndTheChunkFetchedAgain() async throws {
        let fixture = try CachedStore()
        defer { fixture.directory.remove() }
        let data = randomBytes(100_000, seed: 8)
        let version = try await fixture.store.put(data, at: try DataPath(parsing: "/b.bin"), author: "test")
        #expect(try await fixture.store.contents(of: version) == data)
        let reads = fixture.backendReads
        let chunk = try fixture.store.slices(of: version)[0].id
        let file = ChunkCache.file(of: chunk, in: fixture.cache.directory)
        var damaged = [UInt8](FileManager.default.contents(atPath: file)!)
        damaged[10] ^= 0xFF
        _ = FileManager.default.createFile(atPath: file, contents: Data(damaged))
        // The right bytes, from the backend; the cache holds the good copy again.
        #expect(try await fixture.store.contents(of: version) == data)
        #expect(fixture.backendReads == reads + 1)
        #expect(FileManager.default.contents(atPath: file).map { [UInt8]($0) } == (try fixture.backend.files.bytes(of: chunk)))
    }

    @Test func theCacheStaysWithinItsBoundAndKeepsTheHottestChunks() async throws {
        let fixture = try CachedStore(capacity: 600 << 10)
        defer { fixture.directory.remove() }
        let data = randomBytes(2 << 20, seed: 9)
        let version = try await fixture.store.put(data, at: try DataPath(parsing: "/c.bin"), author: "test")
        #expect(try await fixture.store.contents(of: version) == data)
        let usage = fixture.cache.usage
        #expect(usage.bytes <= 600 << 10 && usage.chunks > 0)
        let onDisk = try FileManager.default.subpathsOfDirectory(atPath: fixture.cache.directory)
            .filter { $0.count == 67 }
        #expect(onDisk.count == usage.chunks)
        // The last chunk read is cached: reading it again does not reach the backend.
        let last = try fixture.store.slices(of: version).last!
        let reads = fixture.backendReads
        _ = try await fixture.store.objects.read(last.id)
        #expect(fixture.backendReads == reads)
        // The first chunk was evicted: reading it does.
        _ = try await fixture.store.objects.read(try fixture.store.slices(of: version)[0].id)
        #expect(fixture.backendReads == reads + 1)
    }

    @Test func aReopenedCacheKnowsItsFilesAndRemovesWhatExceedsItsBound() async throws {
        let fixture = try CachedStore()
        defer { fixture.directory.remove() }
        let data = randomBytes(1 << 20, seed: 10)
        let version = try await fixture.store.put(data, at: try DataPath(parsing: "/d.bin"), author: "test")
        _ = try await fixture.store.contents(of: version)
        let before = fixture.cache.usage
        let reopened = try ChunkCache(directory: fixture.cache.directory, capacity: 64 << 20)
        #expect(reopened.usage == before)
        let smaller = try ChunkCache(directory: fixture.cache.directory, capacity: 300 << 10)
        #expect(smaller.usage.bytes <= 300 << 10 && smaller.usage.chunks < before.chunks)
        let onDisk = try FileManager.default.subpathsOfDirectory(atPath: fixture.cache.directory).filter { $0.count == 67 }
        #expect(onDisk.count == smaller.usage.chunks)
    }
}
