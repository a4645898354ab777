import Crypto
import Foundation
import Testing

@testable import HavenStore

@Suite struct DataStoreTests {
    let fixture: StoreFixture
    var store: DataStore { fixture.store }

    init() throws { fixture = try StoreFixture() }

    func path(_ text: String) throws -> DataPath { try DataPath(parsing: text) }

    @Test(arguments: [0, 1, 100, 16 << 10, 64 << 10, (256 << 10) + 1, 3 << 20, 64 << 20])
    func filesReadBackByteIdentical(size: Int) async throws {
        defer { fixture.remove() }
        let bytes = randomBytes(size, seed: UInt64(size))
        let version = try await store.put(bytes, at: try path("/files/\(size).bin"), author: "owner")
        #expect(version.size == Int64(size))
        #expect(version.version == 1)
        let read = try #require(try store.version(of: try path("/files/\(size).bin")))
        #expect(read.id == version.id)
        #expect(try await store.contents(of: read) == bytes)
    }

    @Test func rangesAtChunkBordersReadTheRightBytes() async throws {
        defer { fixture.remove() }
        let bytes = randomBytes(4 << 20, seed: 7)
        let version = try await store.put(bytes, at: try path("/big.bin"), author: "owner")
        let slices = try store.slices(of: version)
        #expect(slices.count > 10)
        var borders: [Int64] = []
        var offset: Int64 = 0
        for slice in slices.dropLast() {
            offset += Int64(slice.length)
            borders.append(offset)
        }
        for border in borders.prefix(8) {
            for range in [border - 1..<border + 1, border..<border + 1, border - 1..<border, border - 10..<border + 70_000] {
                let clamped = range.clamped(to: 0..<Int64(bytes.count))
                #expect(
                    try await store.contents(of: version, range: clamped) == Array(bytes[Int(clamped.lowerBound)..<Int(clamped.upperBound)]))
            }
        }
        #expect(try await store.contents(of: version, range: 0..<1) == [bytes[0]])
        #expect(try await store.contents(of: version, range: Int64(bytes.count - 1)..<Int64(bytes.count)) == [bytes.last!])
    }

    @Test func theSameFileStoredTwiceAddsNoChunks() async throws {
        defer { fixture.remove() }
        let bytes = randomBytes(5 << 20, seed: 11)
        let first = try await store.put(bytes, at: try path("/a.bin"), author: "owner")
        let chunks = fixture.chunkFiles
        let statistics = try store.statistics()
        let second = try await store.put(bytes, at: try path("/copy/of/a.bin"), author: "owner")
        #expect(second.id == first.id)
        #expect(fixture.chunkFiles == chunks)
        #expect(try store.statistics().chunks == statistics.chunks)
        #expect(try store.statistics().chunkBytes == statistics.chunkBytes)
    }

    @Test func aOneByteEditInTheMiddleAddsOnlyAFewChunks() async throws {
        defer { fixture.remove() }
        var bytes = randomBytes(64 << 20, seed: 13)
        try await store.put(bytes, at: try path("/big.bin"), author: "owner")
        let before = fixture.chunkFiles
        bytes[bytes.count / 2] ^= 0xFF
        let edited = try await store.put(bytes, at: try path("/big.bin"), author: "owner")
        let added = fixture.chunkFiles.subtracting(before)
        #expect(edited.version == 2)
        #expect(!added.isEmpty)
        #expect(added.count <= 3)
        #expect(try await store.contents(of: edited) == bytes)
    }

    @Test func everyWriteIsANewVersionAndOldOnesStayReadable() async throws {
        defer { fixture.remove() }
        let file = try path("/notes/todo.txt")
        try await store.put(Array("one".utf8), at: file, mediaType: "text/plain", author: "owner")
        try await store.put(Array("two".utf8), at: file, mediaType: "text/plain", author: "app:laptop")
        let deletion = try store.delete(file, author: "owner")
        #expect(deletion.version == 3)
        #expect(deletion.isDeletion)
        #expect(try store.version(of: file) == nil)
        let third = try await store.put(Array("three".utf8), at: file, author: "owner")
        #expect(third.version == 4)
        let versions = try store.versions(of: file)
        #expect(versions.map(\.version) == [1, 2, 3, 4])
        #expect(versions.map(\.author) == ["owner", "app:laptop", "owner", "owner"])
        #expect(try await store.contents(of: try #require(try store.version(of: file, number: 1))) == Array("one".utf8))
        #expect(try await store.contents(of: try #require(try store.version(of: file, number: 2))) == Array("two".utf8))
        #expect(try store.version(of: file, number: 3)?.isDeletion == true)
    }

    @Test func preconditionsRefuseLostUpdatesAndChangeNothing() async throws {
        defer { fixture.remove() }
        let file = try path("/doc.txt")
        let first = try await store.put(Array("v1".utf8), at: file, precondition: .absent, author: "owner")
        await #expect(throws: StoreError.preconditionFailed(file, current: first.id)) {
            try await store.put(Array("other".utf8), at: file, precondition: .absent, author: "owner")
        }
        let second = try await store.put(Array("v2".utf8), at: file, precondition: .matches([try #require(first.id)]), author: "owner")
        await #expect(throws: StoreError.preconditionFailed(file, current: second.id)) {
            try await store.put(Array("stale".utf8), at: file, precondition: .matches([try #require(first.id)]), author: "owner")
        }
        #expect(throws: StoreError.preconditionFailed(file, current: second.id)) {
            try store.delete(file, precondition: .matches([try #require(first.id)]), author: "owner")
        }
        #expect(try store.versions(of: file).count == 2)
        #expect(try await store.contents(of: try #require(try store.version(of: file))) == Array("v2".utf8))
        await #expect(throws: StoreError.preconditionFailed(try path("/new.txt"), current: nil)) {
            try await store.put(Array("x".utf8), at: try path("/new.txt"), precondition: .exists, author: "owner")
        }
    }

    @Test func directoriesListTheirFilesAndSubdirectories() async throws {
        defer { fixture.remove() }
        for name in ["/photos/a.jpg", "/photos/2026/b.jpg", "/photos/2026/c.jpg", "/photos2/d.jpg", "/photos/z/deep/e.jpg"] {
            try await store.put(Array(name.utf8), at: try path(name), author: "owner")
        }
        try store.delete(try path("/photos/2026/c.jpg"), author: "owner")
        let listing = try store.list(try path("/photos/"))
        #expect(listing.map(\.name) == ["2026", "a.jpg", "z"])
        #expect(listing.map(\.kind) == [.directory, .file, .directory])
        #expect(listing[1].size == Int64("/photos/a.jpg".utf8.count))
        #expect(try store.list(try path("/photos/2026/")).map(\.name) == ["b.jpg"])
        #expect(try store.list(.root).map(\.name) == ["photos", "photos2"])
        #expect(try store.list(try path("/nothing/")).isEmpty)
    }

    @Test func garbageCollectionRemovesExactlyTheUnreferencedChunks() async throws {
        defer { fixture.remove() }
        let kept = randomBytes(2 << 20, seed: 1)
        let dropped = randomBytes(2 << 20, seed: 2)
        try await store.put(kept, at: try path("/kept.bin"), author: "owner")
        let keptChunks = fixture.chunkFiles
        try await store.put(dropped, at: try path("/dropped.bin"), author: "owner")
        let droppedChunks = fixture.chunkFiles.subtracting(keptChunks)
        #expect(!droppedChunks.isEmpty)

        // History keeps the deleted file's chunks until it is pruned.
        try store.delete(try path("/dropped.bin"), author: "owner")
        var report = try await store.collectGarbage()
        #expect(report.chunksRemoved == 0)
        #expect(fixture.chunkFiles == keptChunks.union(droppedChunks))

        report = try await store.collectGarbage(keepVersions: 1)
        #expect(report.versionsPruned == 1)
        #expect(report.manifestsRemoved == 1)
        #expect(report.chunksRemoved == droppedChunks.count)
        #expect(report.bytesFreed == Int64(dropped.count))
        #expect(fixture.chunkFiles == keptChunks)
        #expect(try await store.contents(of: try #require(try store.version(of: try path("/kept.bin")))) == kept)
        #expect(try await store.collectGarbage() == GarbageReport())
    }

    @Test func garbageCollectionRemovesChunkFilesAnInterruptedWriteLeft() async throws {
        defer { fixture.remove() }
        try await store.put(Array("kept".utf8), at: try path("/kept.txt"), author: "owner")
        let kept = fixture.chunkFiles
        // A write that stored its chunks but never committed.
        do {
            let writer = store.writer(mediaType: "application/octet-stream")
            try writer.append(randomBytes(1 << 20, seed: 3))
            // Publish the chunks without committing a version: what a crash between the two leaves.
            _ = try await writer.finish()
        }
        #expect(fixture.chunkFiles.count > kept.count)
        let report = try await store.collectGarbage()
        #expect(report.chunksRemoved > 0)
        #expect(fixture.chunkFiles == kept)
    }

    @Test func chunksInAWriteInProgressSurviveGarbageCollection() async throws {
        defer { fixture.remove() }
        let bytes = randomBytes(1 << 20, seed: 5)
        try await store.put(bytes, at: try path("/a.bin"), author: "owner")
        try store.delete(try path("/a.bin"), author: "owner")
        // A new write of the same bytes relies on the chunks already on disk...
        let writer = store.writer(mediaType: "application/octet-stream")
        try writer.append(bytes)
        #expect(writer.reusedChunks > 0)
        // ...while the old version is pruned and collected.
        _ = try await store.collectGarbage(keepVersions: 1)
        let version = try await store.commit(writer, to: try path("/b.bin"), author: "owner")
        #expect(try await store.contents(of: version) == bytes)
    }

    @Test func openingTheStoreRemovesLeftoverTemporaryFiles() async throws {
        defer { fixture.remove() }
        let leftover = fixture.directory.path + "/objects/tmp/abc.partial"
        #expect(FileManager.default.createFile(atPath: leftover, contents: Data("half".utf8)))
        _ = try DataStore(catalog: store.catalog, objectsDirectory: fixture.directory.path + "/objects")
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }

    @Test func aDamagedChunkIsReportedNotServed() async throws {
        defer { fixture.remove() }
        let version = try await store.put(Array("precious".utf8), at: try path("/p.txt"), author: "owner")
        let chunk = try #require(try store.slices(of: version).first).id
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: store.objects.files!.file(of: chunk)))
        await #expect(throws: StoreError.damagedChunk(chunk)) { try await store.contents(of: version) }
    }

    @Test func aManifestIdIsTheHashOfItsCanonicalEncoding() async throws {
        defer { fixture.remove() }
        let bytes = randomBytes(300_000, seed: 9)
        let version = try await store.put(bytes, at: try path("/m.bin"), mediaType: "image/png", author: "owner")
        let chunks = try store.slices(of: version).map { Manifest.Chunk(id: $0.id, size: $0.length) }
        let manifest = Manifest(size: Int64(bytes.count), mediaType: "image/png", chunks: chunks)
        #expect(manifest.id == version.id)
        #expect(version.id?.description.hasPrefix("baguqeera") == true)
    }
}
