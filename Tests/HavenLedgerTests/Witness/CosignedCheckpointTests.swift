import HavenLedger
import Testing

/// The log collecting cosignatures from witnesses and publishing the cosigned checkpoint.
@Suite struct CosignedCheckpointTests {
    let log: TestLog
    let w1: CosignerKey
    let w2: CosignerKey

    init() throws {
        log = try TestLog(size: 10)
        w1 = try WitnessFixtures.cosigner("witness.example/w1")
        w2 = try WitnessFixtures.cosigner("witness.example/w2")
    }

    @Test func assembledNoteHasTheLogSignatureFirstAndOneCosignaturePerKey() throws {
        let note = try log.note(10)
        let checkpoint = try log.checkpoint(10)
        let old1 = try w1.cosign(checkpoint, timestamp: 100)
        let new1 = try w1.cosign(checkpoint, timestamp: 200)
        let only2 = try w2.cosign(checkpoint, timestamp: 150)
        let published = try CosignedCheckpoint.assemble(logNote: note, cosignatures: [old1, only2, new1, old1])
        #expect(published.text == note.text)
        #expect(published.signatures == [note.signatures[0], new1.noteSignature, only2.noteSignature])
        let verified = try published.verified(by: [log.verifierKey, w1.verifierKey, w2.verifierKey])
        #expect(verified.cosignatures == [new1, only2])
        // A key that already signed the log's note is not added twice, nor does it replace the line.
        let again = try CosignedCheckpoint.assemble(logNote: published, cosignatures: [only2, new1])
        #expect(again == published)
    }

    @Test func responseCosignaturesAreVerifiedAgainstTheCheckpoint() throws {
        let request = try log.request(old: 0, new: 10)
        let outcome = try Witness.addCheckpoint(
            request, to: log.witnessed(at: nil), cosigner: w1, timestamp: WitnessFixtures.timestamp)
        let body = Array(outcome.responseBody.utf8)
        let cosignatures = try CosignedCheckpoint.cosignatures(fromResponse: body, for: request.note, witnessKey: w1.verifierKey)
        #expect(cosignatures.count == 1 && cosignatures[0].timestamp == WitnessFixtures.timestamp)

        // Lines from other keys are ignored; none from the witness's key is an error.
        let stranger = try w2.cosign(log.checkpoint(10), timestamp: 5).noteSignature
        let mixed = Array((NoteSignature.serializeLines([stranger]) + outcome.responseBody).utf8)
        #expect(try CosignedCheckpoint.cosignatures(fromResponse: mixed, for: request.note, witnessKey: w1.verifierKey) == cosignatures)
        #expect(throws: WitnessError.noCosignature(name: w1.name, keyID: w1.keyID)) {
            try CosignedCheckpoint.cosignatures(
                fromResponse: Array(NoteSignature.serializeLines([stranger]).utf8), for: request.note, witnessKey: w1.verifierKey)
        }
        // A cosignature over another checkpoint does not verify.
        let other = try w1.cosign(log.checkpoint(9), timestamp: 5).noteSignature
        #expect(throws: WitnessError.invalidCosignature(name: w1.name, keyID: w1.keyID)) {
            try CosignedCheckpoint.cosignatures(
                fromResponse: Array(NoteSignature.serializeLines([other]).utf8), for: request.note, witnessKey: w1.verifierKey)
        }
        #expect(throws: WitnessError.notACosignerKey(name: TestLog.origin)) {
            try CosignedCheckpoint.cosignatures(fromResponse: body, for: request.note, witnessKey: log.verifierKey)
        }
        #expect(throws: WitnessError.self) {
            try CosignedCheckpoint.cosignatures(fromResponse: Array("garbage\n".utf8), for: request.note, witnessKey: w1.verifierKey)
        }
    }

    @Test func witnessedAndAssembledCheckpointSatisfiesThePolicy() throws {
        let policy = try WitnessPolicy(
            logs: [.init(key: log.verifierKey, url: "https://haven.example/ledger/")],
            witnesses: [.init(name: "w1", key: w1.verifierKey), .init(name: "w2", key: w2.verifierKey)],
            groups: [.init(name: "both", threshold: .all, members: ["w1", "w2"])],
            quorum: .named("both"))
        let request = try log.request(old: 0, new: 10)
        var collected: [Cosignature] = []
        for witness in [w1, w2] {
            let outcome = try Witness.addCheckpoint(
                request, to: log.witnessed(at: nil), cosigner: witness, timestamp: WitnessFixtures.timestamp)
            collected += try CosignedCheckpoint.cosignatures(
                fromResponse: Array(outcome.responseBody.utf8), for: request.note, witnessKey: witness.verifierKey)
        }
        let checkpoint = try log.checkpoint(10)
        #expect(!policy.isSatisfied(by: request.note, for: checkpoint))
        #expect(!policy.isSatisfied(by: try CosignedCheckpoint.assemble(logNote: request.note, cosignatures: [collected[0]]), for: checkpoint))
        #expect(policy.isSatisfied(by: try CosignedCheckpoint.assemble(logNote: request.note, cosignatures: collected), for: checkpoint))
    }
}
