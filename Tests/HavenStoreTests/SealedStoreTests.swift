import Foundation
import GRDB
import HavenTestSupport
import Testing

@testable import HavenStore

/// Chunk files and columns of an encrypted home: sealed on disk, read back whole.
@Suite struct SealedStoreTests {
    let directory: TemporaryDirectory
    let key = DataKey.generate()
    let store: DataStore

    init() throws {
        directory = try TemporaryDirectory()
        let catalog = try Catalog.open(
            at: directory.path + "/catalog.sqlite", schema: CatalogSchema([.files, .changes]), dataKey: key)
        store = try DataStore(catalog: catalog, objectsDirectory: directory.path + "/objects")
    }

    func path(_ text: String) throws -> DataPath { try DataPath(parsing: text) }

    /// Every chunk file's bytes, as a thief would read them.
    func chunkFileBytes() throws -> [[UInt8]] {
        try store.objects.files!.allChunks().map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: store.objects.files!.file(of: $0)))) }
    }

    @Test func chunkFilesHoldNoPlaintextAndReadBackWhole() async throws {
        defer { directory.remove() }
        let marker = Array("a sentence no chunk file may show".utf8)
        var bytes = randomBytes(3 << 20, seed: 5)
        for offset in stride(from: 1000, to: bytes.count - marker.count, by: 200_000) {
            bytes.replaceSubrange(offset..<offset + marker.count, with: marker)
        }
        let version = try await store.put(bytes, at: try path("/a.bin"), author: "owner")
        #expect(try await store.contents(of: version) == bytes)
        #expect(try await store.contents(of: version, range: 999..<2_000_000) == Array(bytes[999..<2_000_000]))
        let files = try chunkFileBytes()
        #expect(files.count > 10)
        for file in files {
            #expect(ChunkSealer.isSealed(file))
            #expect(!file.contains(marker))
            #expect(!Data(file).contains(Data(bytes[0..<64])))
        }
        // The ids stay the content addresses of the plaintext.
        for slice in try store.slices(of: version) {
            let chunk = try await store.objects.read(slice.id)
            #expect(ContentID.hashing(chunk, codec: .raw) == slice.id)
        }
    }

    @Test func aChunkFileSwappedForAnotherIsDetected() async throws {
        defer { directory.remove() }
        let first = try await store.put(randomBytes(10_000, seed: 1), at: try path("/one"), author: "owner")
        let second = try await store.put(randomBytes(10_000, seed: 2), at: try path("/two"), author: "owner")
        let a = try #require(try store.slices(of: first).first?.id)
        let b = try #require(try store.slices(of: second).first?.id)
        try FileManager.default.removeItem(atPath: store.objects.files!.file(of: a))
        try FileManager.default.copyItem(atPath: store.objects.files!.file(of: b), toPath: store.objects.files!.file(of: a))
        await #expect(throws: StoreError.damagedChunk(a)) { try await store.objects.read(a) }
        #expect(try await store.objects.read(b) == randomBytes(10_000, seed: 2))
    }

    @Test func aFlippedBitInASealedChunkIsDetected() async throws {
        defer { directory.remove() }
        let version = try await store.put(randomBytes(10_000, seed: 3), at: try path("/one"), author: "owner")
        let id = try #require(try store.slices(of: version).first?.id)
        var file = try Data(contentsOf: URL(fileURLWithPath: store.objects.files!.file(of: id)))
        file[file.count / 2] ^= 0x01
        try file.write(to: URL(fileURLWithPath: store.objects.files!.file(of: id)))
        await #expect(throws: StoreError.damagedChunk(id)) { try await store.objects.read(id) }
    }

    @Test func anotherKeyCannotReadTheChunks() async throws {
        defer { directory.remove() }
        let version = try await store.put(randomBytes(10_000, seed: 4), at: try path("/one"), author: "owner")
        let id = try #require(try store.slices(of: version).first?.id)
        let thief = try ObjectStore(root: store.objects.root, sealer: ChunkSealer(dataKey: .generate()))
        await #expect(throws: StoreError.damagedChunk(id)) { try await thief.read(id) }
        let plain = try ObjectStore(root: store.objects.root)
        await #expect(throws: StoreError.damagedChunk(id)) { try await plain.read(id) }
    }

    @Test func sealingPlainChunksIsResumableAndKeepsTheirContent() async throws {
        defer { directory.remove() }
        // A plain store writes chunks; a keyed one over the same directory reads them as they are.
        let plain = try ObjectStore(root: directory.path + "/plain")
        var contents: [ContentID: [UInt8]] = [:]
        for seed in 0..<40 {
            let bytes = randomBytes(2000 + seed, seed: UInt64(seed))
            let id = ContentID.hashing(bytes, codec: .raw)
            let pending = try bytes.withUnsafeBytes { try plain.writeTemporary($0, as: id) }
            try await plain.publish([pending])
            contents[id] = bytes
        }
        let keyed = try ObjectStore(root: plain.root, sealer: ChunkSealer(dataKey: key))
        for (id, bytes) in contents { #expect(try await keyed.read(id) == bytes) }
        var progress: [Int] = []
        let report = try keyed.sealPlainChunks(batch: 16) { done, total in
            #expect(total == 40)
            progress.append(done)
        }
        #expect(report == ObjectStore.SealingReport(sealed: 40, alreadySealed: 0))
        #expect(progress == [16, 32, 40])
        #expect(try keyed.sealPlainChunks(batch: 16) == ObjectStore.SealingReport(sealed: 0, alreadySealed: 40))
        for (id, bytes) in contents {
            let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: keyed.files!.file(of: id))))
            #expect(ChunkSealer.isSealed(file))
            #expect(!Data(file).contains(Data(bytes.prefix(32))))
            #expect(try await keyed.read(id) == bytes)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: plain.root + "/tmp").isEmpty)
    }

    @Test func aPartlySealedStoreIsFinishedByTheNextRun() async throws {
        defer { directory.remove() }
        let plain = try ObjectStore(root: directory.path + "/plain")
        var ids: [ContentID] = []
        for seed in 0..<10 {
            let bytes = randomBytes(1000, seed: UInt64(100 + seed))
            let id = ContentID.hashing(bytes, codec: .raw)
            try await plain.publish([try bytes.withUnsafeBytes { try plain.writeTemporary($0, as: id) }])
            ids.append(id)
        }
        // Three chunks were sealed before the interruption.
        let keyed = try ObjectStore(root: plain.root, sealer: ChunkSealer(dataKey: key))
        for id in ids.prefix(3) {
            let bytes = try await keyed.read(id)
            try await keyed.remove(id)
            try await keyed.publish([try bytes.withUnsafeBytes { try keyed.writeTemporary($0, as: id) }])
        }
        let report = try keyed.sealPlainChunks()
        #expect(report == ObjectStore.SealingReport(sealed: 7, alreadySealed: 3))
        #expect(try keyed.sealPlainChunks() == ObjectStore.SealingReport(sealed: 0, alreadySealed: 10))
    }

    @Test func aDamagedPlainChunkStopsSealingWithoutChangingIt() async throws {
        defer { directory.remove() }
        let plain = try ObjectStore(root: directory.path + "/plain")
        let bytes = randomBytes(1000, seed: 9)
        let id = ContentID.hashing(bytes, codec: .raw)
        try await plain.publish([try bytes.withUnsafeBytes { try plain.writeTemporary($0, as: id) }])
        try Data(randomBytes(1000, seed: 10)).write(to: URL(fileURLWithPath: plain.files!.file(of: id)))
        let keyed = try ObjectStore(root: plain.root, sealer: ChunkSealer(dataKey: key))
        #expect(throws: StoreError.damagedChunk(id)) { try keyed.sealPlainChunks() }
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: plain.files!.file(of: id)))) == randomBytes(1000, seed: 10))
    }

    @Test func sealedColumnsOpenOnlyForTheirColumnAndKey() async throws {
        defer { directory.remove() }
        let catalog = store.catalog
        let stored = catalog.stored("a private thought", in: SealedColumn("t.a"))
        guard case .blob(let blob) = stored.storage else {
            Issue.record("a sealed value is a BLOB")
            return
        }
        #expect(!blob.contains(Data("private".utf8)))
        #expect(try catalog.text(stored, of: SealedColumn("t.a")) == "a private thought")
        #expect(throws: CatalogError.self) { try catalog.text(stored, of: SealedColumn("t.b")) }
        // Text (a plain home's, or a row not yet sealed) reads as it is.
        #expect(try catalog.text("as it was".databaseValue, of: SealedColumn("t.a")) == "as it was")
        let plainCatalog = try Catalog.inMemory(schema: CatalogSchema([]))
        #expect(plainCatalog.stored("as is", in: SealedColumn("t.a")) == "as is".databaseValue)
        #expect(throws: CatalogError.self) { try plainCatalog.text(stored, of: SealedColumn("t.a")) }
    }

    @Test func termsAreKeyedStableAndIndexable() async {
        let hasher = TermHasher(dataKey: key)
        let term = hasher.term(for: "zanzibar")
        #expect(term == hasher.term(for: "zanzibar"))
        #expect(term != hasher.term(for: "zanzibaR"))
        #expect(term != TermHasher(dataKey: .generate()).term(for: "zanzibar"))
        #expect(term.count == 16)
        #expect(term.allSatisfy { $0.isLowercase || $0.isNumber })
        #expect(!term.contains("zanzibar"))
    }
}
