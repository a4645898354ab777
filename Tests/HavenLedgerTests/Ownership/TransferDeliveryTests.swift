import Foundation
import HavenIdentity
import HavenStore
import Testing

@testable import HavenLedger

/// A transfer arrives with its whole chain, each record proven in the sender's log; the
/// receiver accepts it only when every proof and the chain hold and it ends with a transfer to
/// the receiver.
@Suite struct TransferDeliveryTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("transfer-\(UUID().uuidString)")
    let alice = IdentityKey()
    let bob = IdentityKey()
    let carol = IdentityKey()
    let content = ContentID.hashing(Array("a photo".utf8), codec: .dagJSON)

    /// Alice's log holding her mint and her transfer to `to`; the proofs of both.
    func delivery(to: DID) async throws -> (TransferDelivery, [LedgerRecord]) {
        let log = try LedgerLog(
            directory: root, origin: alice.did.description,
            signer: try NoteSignerKey(name: alice.did.description, privateKey: alice.privateKey))
        let mint = try LedgerRecord(.mint(content: content, mediaType: "image/jpeg", title: "beach", licence: nil), by: alice)
        let transfer = try LedgerRecord(.transfer(content: content, to: to, previous: mint.id), by: alice)
        let first = try await log.append([RecordProof.entry(for: mint)])
        try await log.append([Array("unrelated".utf8)])
        let second = try await log.append([RecordProof.entry(for: transfer)])
        let note = try #require(await log.checkpoint)
        let size = await log.size
        var proofs: [TlogProof] = []
        for (record, index) in [(mint, first), (transfer, second)] {
            proofs.append(
                try RecordProof.make(
                    record: record, index: index, inclusionProof: try await log.inclusionProof(index: index, treeSize: size),
                    note: note))
        }
        return (TransferDelivery(proofs: proofs), [mint, transfer])
    }

    @Test func aProvenChainToTheReceiverIsAccepted() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (delivery, records) = try await delivery(to: bob.did)
        let chain = try delivery.accept(from: alice.did, to: bob.did)
        #expect(chain.owner == bob.did)
        #expect(chain.records == records)
    }

    @Test func aTransferToSomeoneElseIsRefused() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (delivery, _) = try await delivery(to: carol.did)
        #expect(throws: LedgerRecordError.self) { try delivery.accept(from: alice.did, to: bob.did) }
        #expect(try delivery.accept(from: alice.did, to: carol.did).owner == carol.did)
    }

    @Test func proofsFromAnotherLogAreRefused() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (delivery, _) = try await delivery(to: bob.did)
        #expect(throws: (any Error).self) { try delivery.accept(from: carol.did, to: bob.did) }
    }

    @Test func aChainMissingItsMintOrATamperedProofIsRefused() async throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let (delivery, _) = try await delivery(to: bob.did)
        #expect(throws: (any Error).self) {
            try TransferDelivery(proofs: Array(delivery.proofs.dropFirst())).accept(from: alice.did, to: bob.did)
        }
        var text = Array(delivery.proofs[1].serialized.utf8)
        let index = text.count / 2
        text[index] = text[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let tampered = try? TlogProof(parsing: text)
        if let tampered {
            #expect(throws: (any Error).self) {
                try TransferDelivery(proofs: [delivery.proofs[0], tampered]).accept(from: alice.did, to: bob.did)
            }
        }
        #expect(throws: (any Error).self) { try TransferDelivery(proofs: []).accept(from: alice.did, to: bob.did) }
    }
}
