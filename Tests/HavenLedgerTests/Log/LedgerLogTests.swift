import Crypto
import Foundation
import Testing

@testable import HavenLedger

/// The log on disk: appends survive a reopen, the files are C2SP tiles and bundles that prove
/// what the checkpoint says, and a log whose files were changed does not open.
@Suite struct LedgerLogTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-log-\(UUID().uuidString)")
    let signer: NoteSignerKey

    init() throws {
        signer = try NoteSignerKey.generate(name: "haven.test/log")
    }

    func entries(_ range: Range<Int>) -> [[UInt8]] {
        range.map { Array("entry \($0)".utf8) }
    }

    @Test func appendsAreCheckpointedAndSurviveAReopen() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let log = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        #expect(await log.checkpoint == nil)
        #expect(try await log.append(entries(0..<300)) == 0)
        #expect(try await log.append(entries(300..<301)) == 300)
        let note = try #require(await log.checkpoint)
        let checkpoint = try Checkpoint(parsing: try note.verified(by: [signer.verifierKey]).text)
        #expect(checkpoint.size == 301)
        #expect(checkpoint.rootHash == InMemoryMerkleTree(leafHashes: entries(0..<301).map { MerkleHash.leafHash(of: $0) }).rootHash.bytes)

        let reopened = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        #expect(await reopened.size == 301)
        #expect(try await reopened.append(entries(301..<600)) == 301)
        let tree = InMemoryMerkleTree(leafHashes: entries(0..<600).map { MerkleHash.leafHash(of: $0) })
        let latest = try Checkpoint(parsing: try #require(await reopened.checkpoint).text)
        #expect(latest.rootHash == tree.rootHash.bytes)
    }

    @Test func theNewestEntryWithAPrefixIsReadBackFromTheBundles() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let log = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        #expect(try await log.lastEntry(withPrefix: Array("anchor ".utf8)) == nil)
        var batch = entries(0..<300)
        batch[5] = Array("anchor five".utf8)
        batch[200] = Array("anchor two hundred".utf8)
        try await log.append(batch)
        let found = try #require(try await log.lastEntry(withPrefix: Array("anchor ".utf8)))
        #expect(found.index == 200)
        #expect(found.entry == Array("anchor two hundred".utf8))
        // In the open (partial) bundle, after a reopen.
        try await log.append([Array("anchor 300".utf8), Array("entry 301".utf8)])
        let reopened = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        #expect(try await reopened.lastEntry(withPrefix: Array("anchor ".utf8))?.index == 300)
        #expect(try await reopened.lastEntry(withPrefix: Array("nothing".utf8)) == nil)
    }

    @Test func onlyTheLatestCheckpointIsRepublishedWithCosignatures() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let log = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        try await log.append(entries(0..<3))
        let old = try #require(await log.checkpoint)
        let witness = try CosignerKey.generate(name: "witness.test")
        let oldCosigned = try CosignedCheckpoint.assemble(
            logNote: old, cosignatures: [try witness.cosign(try Checkpoint(parsing: old.text), timestamp: 1_800_000_000)])
        try await log.append(entries(3..<4))
        #expect(try await log.publish(cosigned: oldCosigned) == false)
        let latest = try #require(await log.checkpoint)
        let cosigned = try CosignedCheckpoint.assemble(
            logNote: latest, cosignatures: [try witness.cosign(try Checkpoint(parsing: latest.text), timestamp: 1_800_000_001)])
        #expect(try await log.publish(cosigned: cosigned) == true)
        let served = try #require(try log.files.read("checkpoint"))
        #expect(served == Array(cosigned.serialized.utf8))
        // The published note still opens the log after a restart.
        let reopened = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        #expect(await reopened.checkpoint == cosigned)
    }

    @Test func theTilesOnDiskProveInclusionAndConsistency() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let log = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        try await log.append(entries(0..<700))
        let files = log.files
        // A verifier that has only the files: the tiles a proof needs, read back from disk.
        var source = TileHashSource(treeSize: 700)
        for tile in try TileLayout.tilesNeeded(forInclusionOf: 513, treeSize: 700) {
            try source.add(tileData: try #require(try files.read(tile.path)), of: tile)
        }
        let proof = try MerkleProver(source: source).inclusionProof(index: 513, treeSize: 700)
        let root = try Checkpoint(parsing: try #require(await log.checkpoint).text).rootHash
        try MerkleVerifier.verifyInclusion(
            leafHash: .leafHash(of: Array("entry 513".utf8)), index: 513, treeSize: 700, proof: proof,
            root: try MerkleHash(bytes: root))
        #expect(try await log.inclusionProof(index: 513, treeSize: 700) == proof)
        let consistency = try await log.consistencyProof(oldSize: 300, newSize: 700)
        let old = InMemoryMerkleTree(leafHashes: entries(0..<300).map { MerkleHash.leafHash(of: $0) }).rootHash
        try MerkleVerifier.verifyConsistency(
            oldSize: 300, newSize: 700, oldRoot: old, newRoot: try MerkleHash(bytes: root), proof: consistency)
        // Entry bundles hold the entries themselves.
        let bundle = try #require(try files.read("tile/entries/002.p/188"))
        #expect(try LedgerLog.entries(in: bundle, path: "x").first == Array("entry 512".utf8))
    }

    @Test func aLogWhoseEntriesWereChangedDoesNotOpen() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let log = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        try await log.append(entries(0..<10))
        let path = root.appendingPathComponent("tile/entries/000.p/10").path
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[5] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: LedgerLogError.self) { try LedgerLog(directory: root, origin: "haven.test/log", signer: signer) }
    }

    @Test func aCheckpointSignedByAnotherKeyDoesNotOpen() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let log = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        try await log.append(entries(0..<3))
        let other = try NoteSignerKey.generate(name: "haven.test/log")
        #expect(throws: (any Error).self) { try LedgerLog(directory: root, origin: "haven.test/log", signer: other) }
        #expect(throws: (any Error).self) { try LedgerLog(directory: root, origin: "another/log", signer: signer) }
    }

    @Test func anOversizedEntryIsRefusedAndNothingIsPublished() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let log = try LedgerLog(directory: root, origin: "haven.test/log", signer: signer)
        try await log.append(entries(0..<2))
        let before = await log.checkpoint
        await #expect(throws: LedgerLogError.self) {
            try await log.append([[UInt8](repeating: 1, count: 70_000)])
        }
        #expect(await log.checkpoint == before)
        #expect(await log.size == 2)
    }
}
