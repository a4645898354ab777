import Foundation
import HavenAccess
import HavenIdentity
import HavenStore
import Testing

@testable import HavenExchange

@Suite struct ServedContentTests {
    @Test func theTreeListsOnlyCurrentFilesTheCapabilityCovers() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        try await fixture.put("beach", at: "/photos/trip/beach.txt")
        try await fixture.put("hotel", at: "/photos/trip/hotel.txt")
        try await fixture.put("home", at: "/photos/home.txt")
        try await fixture.put("sibling", at: "/photos/trip2/x.txt")
        let served = ServedContent(store: fixture.store)

        let trip = try served.tree(under: DataPath(parsing: "/photos/"), for: capability([.read], on: "/photos/trip/"))
        #expect(trip.map(\.path) == ["/photos/trip/beach.txt", "/photos/trip/hotel.txt"])
        let all = try served.tree(under: DataPath(parsing: "/photos/"), for: capability([.read], on: "/photos/"))
        #expect(all.count == 4)
        // `list` alone does not let a holder fetch, so it lists nothing to fetch.
        #expect(try served.tree(under: DataPath(parsing: "/photos/"), for: capability([.list], on: "/photos/")).isEmpty)
    }

    @Test func aChunkIsServedOnlyWhenACoveredCurrentVersionReferencesIt() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        let shared = try await fixture.put(sampleBytes(200_000, seed: 1), at: "/photos/trip/a.bin")
        let secret = try await fixture.put(sampleBytes(200_000, seed: 2), at: "/private/b.bin")
        let served = ServedContent(store: fixture.store)
        let trip = capability([.read], on: "/photos/trip/")
        let tripChunks = try fixture.store.manifest(shared.id!)!.chunks.map(\.id)
        let secretChunks = try fixture.store.manifest(secret.id!)!.chunks.map(\.id)
        #expect(tripChunks.count > 1)

        #expect(try served.servableChunks(tripChunks, for: trip).ids == tripChunks)
        #expect(try served.servableChunks(tripChunks, for: trip).path == "/photos/trip/a.bin")
        // Someone else's chunk, an unknown one and a manifest id asked as a chunk: all absent alike.
        let unknown = ContentID.hashing(Array("never stored".utf8), codec: .raw)
        let asked = secretChunks + [unknown, shared.id!]
        #expect(try served.servableChunks(asked, for: trip).ids.isEmpty)
        #expect(try served.servableChunks(asked, for: trip).path == nil)
    }

    @Test func aManifestIsServedOnlyWhileItIsTheCurrentVersionOfACoveredPath() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        let first = try await fixture.put("one", at: "/photos/trip/a.txt")
        let served = ServedContent(store: fixture.store)
        let trip = capability([.read], on: "/photos/trip/")
        let bytes = try #require(try served.manifest(first.id!, for: trip)).bytes
        #expect(ContentID.hashing(bytes, codec: .dagJSON) == first.id)
        #expect(try served.manifest(first.id!, for: capability([.read], on: "/other/")) == nil)

        try await fixture.put("two", at: "/photos/trip/a.txt")
        #expect(try served.manifest(first.id!, for: trip) == nil)
    }

    @Test func theSameChunkUnderACoveredAndAnUncoveredPathIsServed() async throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        let bytes = sampleBytes(100_000, seed: 3)
        try await fixture.put(bytes, at: "/private/copy.bin")
        let version = try await fixture.put(bytes, at: "/photos/trip/copy.bin")
        let chunks = try fixture.store.manifest(version.id!)!.chunks.map(\.id)
        let served = try ServedContent(store: fixture.store).servableChunks(chunks, for: capability([.read], on: "/photos/trip/"))
        #expect(served.ids == chunks)
        #expect(served.path == "/photos/trip/copy.bin")
    }
}
