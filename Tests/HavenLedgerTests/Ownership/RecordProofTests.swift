import Foundation
import HavenIdentity
import HavenStore
import Testing

@testable import HavenLedger

/// Offline proofs: a record's `.tlog-proof` verifies with the log's key alone, and fails after
/// any change.
@Suite struct RecordProofTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("record-proof-\(UUID().uuidString)")
    let owner = IdentityKey()

    func proof() async throws -> (TlogProof, NoteVerifierKey, LedgerRecord) {
        let signer = try NoteSignerKey(name: owner.did.description, privateKey: owner.privateKey)
        let log = try LedgerLog(directory: root, origin: owner.did.description, signer: signer)
        try await log.append((0..<5).map { Array("other \($0)".utf8) })
        let record = try LedgerRecord(
            .mint(content: ContentID.hashing([1, 2, 3], codec: .dagJSON), mediaType: "text/plain", title: "x", licence: nil),
            by: owner)
        let index = try await log.append([RecordProof.entry(for: record)])
        try await log.append((0..<7).map { Array("later \($0)".utf8) })
        let note = try #require(await log.checkpoint)
        let proof = try RecordProof.make(
            record: record, index: index, inclusionProof: try await log.inclusionProof(index: index, treeSize: 13), note: note)
        return (proof, signer.verifierKey, record)
    }

    @Test func aProofVerifiesWithTheLogsKeyAlone() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (proof, key, record) = try await proof()
        let parsed = try TlogProof(parsing: Array(proof.serialized.utf8))
        let (verified, checkpoint) = try RecordProof.verify(parsed, logKey: key)
        #expect(verified == record)
        #expect(checkpoint.size == 13)
    }

    @Test func anyChangedByteOrAnotherKeyFails() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (proof, key, _) = try await proof()
        let bytes = Array(proof.serialized.utf8)
        var failures = 0
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x01
            do {
                _ = try RecordProof.verify(try TlogProof(parsing: changed), logKey: key)
            } catch {
                failures += 1
            }
        }
        #expect(failures == bytes.count)
        let stranger = try NoteSignerKey.generate(name: key.name).verifierKey
        #expect(throws: (any Error).self) { try RecordProof.verify(proof, logKey: stranger) }
    }
}
