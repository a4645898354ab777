import Foundation
import Testing

@testable import HavenStore

@Suite struct ReceivingTests {
    @Test func keepsOnlyChunksWhoseBytesMatchTheirIDs() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let good = Array("good chunk".utf8)
        let goodID = ContentID.hashing(good, codec: .raw)
        let claimed = ContentID.hashing(Array("what was promised".utf8), codec: .raw)
        let rejected = try fixture.store.receive([(goodID, good), (claimed, Array("something else".utf8))])
        #expect(rejected == [claimed])
        #expect(fixture.chunkFiles == [goodID])
    }

    @Test func aReceivedManifestCommitsWithItsOriginOnceEveryChunkIsHere() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let bytes = randomBytes(300_000, seed: 7)
        let source = try StoreFixture()
        defer { source.remove() }
        let original = try source.store.put(bytes, at: DataPath(parsing: "/a.bin"), author: "owner")
        let manifest = try #require(try source.store.manifest(original.id!))
        let origin = VersionOrigin(peer: "peer:did:key:z6Mkexample", path: "/a.bin", version: 1, manifest: original.id)
        let target = try DataPath(parsing: "/from/a.bin")

        #expect(fixture.store.missingChunks(of: manifest).count == manifest.chunks.count)
        #expect(throws: StoreError.self) {
            try fixture.store.commit(received: manifest, to: target, origin: origin, author: "peer:x")
        }
        #expect(try fixture.store.version(of: target) == nil)

        let chunks = try manifest.chunks.map { ($0.id, try source.store.objects.read($0.id)) }
        #expect(try fixture.store.receive(chunks).isEmpty)
        #expect(fixture.store.missingChunks(of: manifest).isEmpty)
        let version = try fixture.store.commit(received: manifest, to: target, origin: origin, author: "peer:x")
        #expect(version.origin == origin)
        #expect(try fixture.store.contents(of: version) == bytes)
        #expect(try fixture.store.versions(of: target).last?.origin == origin)
    }
}
