import Foundation
import Testing

@testable import HavenStore

@Suite struct ReceivingTests {
    @Test func keepsOnlyChunksWhoseBytesMatchTheirIDs() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let good = Array("good chunk".utf8)
        let goodID = ContentID.hashing(good, codec: .raw)
        let claimed = ContentID.hashing(Array("what was promised".utf8), codec: .raw)
        let rejected = try await fixture.store.receive([(goodID, good), (claimed, Array("something else".utf8))])
        #expect(rejected == [claimed])
        #expect(fixture.chunkFiles == [goodID])
    }

    @Test func aReceivedManifestCommitsWithItsOriginOnceEveryChunkIsHere() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let bytes = randomBytes(300_000, seed: 7)
        let source = try StoreFixture()
        defer { source.remove() }
        let original = try await source.store.put(bytes, at: DataPath(parsing: "/a.bin"), author: "owner")
        let manifest = try #require(try source.store.manifest(original.id!))
        let origin = VersionOrigin(peer: "peer:did:key:z6Mkexample", path: "/a.bin", version: 1, manifest: original.id)
        let target = try DataPath(parsing: "/from/a.bin")

        #expect(try await fixture.store.missingChunks(of: manifest).count == manifest.chunks.count)
        await #expect(throws: StoreError.self) {
            try await fixture.store.commit(received: manifest, to: target, origin: origin, author: "peer:x")
        }
        #expect(try fixture.store.version(of: target) == nil)

        var chunks: [(id: ContentID, bytes: [UInt8])] = []
        for chunk in manifest.chunks { chunks.append((chunk.id, try await source.store.objects.read(chunk.id))) }
        #expect(try await fixture.store.receive(chunks).isEmpty)
        #expect(try await fixture.store.missingChunks(of: manifest).isEmpty)
        let version = try await fixture.store.commit(received: manifest, to: target, origin: origin, author: "peer:x")
        #expect(version.origin == origin)
        #expect(try await fixture.store.contents(of: version) == bytes)
        #expect(try fixture.store.versions(of: target).last?.origin == origin)
    }
}
