import HavenLedger
import Testing

/// Each tlog-witness add-checkpoint status, with a correct request succeeding beside the faulty one.
@Suite struct WitnessTests {
    let log: TestLog
    let cosigner: CosignerKey

    init() throws {
        log = try TestLog(size: 20)
        cosigner = try WitnessFixtures.cosigner()
    }

    func add(_ request: AddCheckpointRequest, to state: WitnessedLog?) throws -> WitnessOutcome {
        try Witness.addCheckpoint(request, to: state, cosigner: cosigner, timestamp: WitnessFixtures.timestamp)
    }

    /// The cosignature and new state of a 200, or a failed expectation.
    func cosigned(_ outcome: WitnessOutcome, sourceLocation: SourceLocation = #_sourceLocation) throws -> (Cosignature, WitnessedLog) {
        guard case .cosigned(let cosignature, let updated) = outcome else {
            Issue.record("expected 200, got \(outcome.auditSentence)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        return (cosignature, updated)
    }

    @Test func firstCheckpointIsCosignedAndBecomesLatest() throws {
        let outcome = try add(log.request(old: 0, new: 5), to: log.witnessed(at: nil))
        let (cosignature, updated) = try cosigned(outcome)
        #expect(outcome.status == .success)
        #expect(cosignature.timestamp == WitnessFixtures.timestamp)
        #expect(updated.latest?.checkpoint == (try log.checkpoint(5)))
        // The response body is the cosignature line, which verifies over the checkpoint.
        let lines = try NoteSignature.parseLines(outcome.responseBody)
        #expect(lines == [cosignature.noteSignature])
        #expect(cosigner.verifierKey.verify(lines[0], text: Array(try log.checkpoint(5).serialized.utf8)))
        // The stored note carries the log's signature and the witness's cosignature.
        let stored = try #require(updated.latest?.note)
        let verified = try stored.verified(by: [log.verifierKey, cosigner.verifierKey])
        #expect(verified.signingKeys == [log.verifierKey, cosigner.verifierKey])
        #expect(outcome.auditSentence.contains(TestLog.origin) && outcome.auditSentence.contains("size 5"))
    }

    @Test func growthWithAValidProofIsCosigned() throws {
        for (old, new): (UInt64, UInt64) in [(5, 13), (1, 2), (4, 8), (8, 20), (13, 13)] {
            let (_, updated) = try cosigned(add(log.request(old: old, new: new), to: log.witnessed(at: old)))
            #expect(updated.latestSize == new, "\(old) → \(new)")
        }
    }

    @Test func unknownOriginIs404() throws {
        let request = try log.request(old: 0, new: 5)
        let other = try TestLog(size: 5)
        let otherOrigin = try WitnessedLog(origin: "example.com/other-log", verifierKey: other.verifierKey)
        for state in [nil, otherOrigin] {
            let outcome = try add(request, to: state)
            #expect(outcome.status == .notFound)
            #expect(outcome.responseBody.isEmpty && outcome.evidence == nil)
        }
        #expect(try add(request, to: log.witnessed(at: nil)).status == .success)
    }

    @Test func checkpointNotSignedByTheLogKeyIs403() throws {
        let state = try log.witnessed(at: 5)
        // Signed by another key under the same name: unknown key, no trusted signature.
        let impostor = TestLog(size: 20, signer: try NoteSignerKey.generate(name: TestLog.origin))
        let impostorRequest = try AddCheckpointRequest(
            oldSize: 5, consistencyProof: log.proof(from: 5, to: 13), note: impostor.note(13))
        #expect(try add(impostorRequest, to: state).status == .forbidden)
        // The log's signature over other text: a trusted key whose signature fails.
        let forged = try AddCheckpointRequest(
            oldSize: 5, consistencyProof: log.proof(from: 5, to: 13), note: WitnessFixtures.tamperingRoot(of: log.note(13)))
        let outcome = try add(forged, to: state)
        #expect(outcome.status == .forbidden)
        #expect(outcome.auditSentence.contains("403"))
        #expect(try add(log.request(old: 5, new: 13), to: state).status == .success)
    }

    @Test func oldSizeAboveTheCheckpointSizeIs400() throws {
        let note = try log.note(13).serialized
        #expect(throws: NoteError.oldSizeExceedsTreeSize(oldSize: 14, treeSize: 13)) {
            try AddCheckpointRequest(parsing: "old 14\n\n" + note)
        }
        let outcome = WitnessOutcome.malformedRequest(.oldSizeExceedsTreeSize(oldSize: 14, treeSize: 13))
        #expect(outcome.status == .badRequest && outcome.responseBody.isEmpty)
        let request = try AddCheckpointRequest(parsing: "old 0\n\n" + note)
        #expect(try add(request, to: log.witnessed(at: nil)).status == .success)
    }

    @Test func oldSizeOtherThanTheLatestIs409WithTheLatestSize() throws {
        let state = try log.witnessed(at: 5)
        for old: UInt64 in [0, 4, 6] {
            let outcome = try add(log.request(old: old, new: 13), to: state)
            #expect(outcome.status == .conflict, "old \(old)")
            #expect(outcome.responseBody == "5\n")
            #expect(try WitnessStatus.parseConflictBody(Array(outcome.responseBody.utf8)) == 5)
        }
        // A witness that never cosigned answers with 0.
        let fresh = try add(log.request(old: 3, new: 13), to: log.witnessed(at: nil))
        #expect(fresh.status == .conflict && fresh.responseBody == "0\n")
        #expect(try add(log.request(old: 5, new: 13), to: state).status == .success)
    }

    @Test func consistencyProofThatDoesNotVerifyIs422() throws {
        let state = try log.witnessed(at: 5)
        let good = try log.request(old: 5, new: 13)
        var proof = good.consistencyProof
        proof[1] = WitnessFixtures.flipped(proof[1])
        let cases: [[[UInt8]]] = [proof, Array(good.consistencyProof.dropLast()), good.consistencyProof + [proof[0]], []]
        for bad in cases {
            let request = try AddCheckpointRequest(oldSize: 5, consistencyProof: bad, note: good.note)
            let outcome = try add(request, to: state)
            #expect(outcome.status == .unprocessableEntity)
            #expect(outcome.evidence == nil, "a bad proof alone proves nothing about the log")
        }
        #expect(try add(good, to: state).status == .success)
    }

    @Test func sizeZeroCheckpointNeedsTheEmptyRoot() throws {
        let empty = try Checkpoint(origin: TestLog.origin, size: 0, rootHash: MerkleHash.emptyTree.bytes)
        let wrong = try Checkpoint(origin: TestLog.origin, size: 0, rootHash: log.root(1).bytes)
        func request(_ checkpoint: Checkpoint) throws -> AddCheckpointRequest {
            let note = try SignedNote(text: checkpoint.serialized, signatures: [log.signer.sign(checkpoint.serialized)])
            return try AddCheckpointRequest(oldSize: 0, consistencyProof: [], note: note)
        }
        #expect(try add(request(wrong), to: log.witnessed(at: nil)).status == .unprocessableEntity)
        let (_, updated) = try cosigned(add(request(empty), to: log.witnessed(at: nil)))
        #expect(updated.latestSize == 0 && updated.latest != nil)
    }

    @Test func proofWithOldSizeZeroIs422() throws {
        let request = try AddCheckpointRequest(oldSize: 0, consistencyProof: [log.root(1).bytes], note: log.note(5))
        #expect(try add(request, to: log.witnessed(at: nil)).status == .unprocessableEntity)
        #expect(try add(log.request(old: 0, new: 5), to: log.witnessed(at: nil)).status == .success)
    }

    @Test func sameSizeWithAnotherRootIsASplitViewWithEvidence() throws {
        let state = try log.witnessed(at: 8)
        let fork = log.fork(at: 6)
        let request = try AddCheckpointRequest(oldSize: 8, consistencyProof: [], note: fork.note(8))
        let outcome = try add(request, to: state)
        #expect(outcome.status == .unprocessableEntity)
        let evidence = try #require(outcome.evidence)
        #expect(evidence.reason == .differentRootsAtSameSize)
        #expect(evidence.verify(with: log.verifierKey))
        #expect(outcome.auditSentence.contains("split"))
        // The same checkpoint again is consistent and cosigned; the state does not move.
        let (_, updated) = try cosigned(add(log.request(old: 8, new: 8), to: state))
        #expect(updated.latest?.checkpoint == state.latest?.checkpoint)
    }

    @Test func proofReproducingTheNewRootButAnotherOldRootIsEvidence() throws {
        let fork = log.fork(at: 3)
        // Old size 6 is not a power of two: the fork's honest proof shows its prefix differs.
        let outcome = try add(
            AddCheckpointRequest(oldSize: 6, consistencyProof: fork.proof(from: 6, to: 10), note: fork.note(10)),
            to: log.witnessed(at: 6))
        #expect(outcome.status == .unprocessableEntity)
        let evidence = try #require(outcome.evidence)
        #expect(evidence.reason == .prefixMismatch && evidence.verify(with: log.verifierKey))
        // Old size 4 is a power of two: the proof omits the prefix root, so no evidence.
        let powerOfTwo = try add(
            AddCheckpointRequest(oldSize: 4, consistencyProof: fork.proof(from: 4, to: 10), note: fork.note(10)),
            to: log.witnessed(at: 4))
        #expect(powerOfTwo.status == .unprocessableEntity && powerOfTwo.evidence == nil)
        #expect(try add(log.request(old: 6, new: 10), to: log.witnessed(at: 6)).status == .success)
    }

    @Test func stateNeverMovesBackwards() throws {
        let (_, at13) = try cosigned(add(log.request(old: 0, new: 13), to: log.witnessed(at: nil)))
        #expect(try add(log.request(old: 5, new: 8), to: at13).status == .conflict)
        #expect(try add(log.request(old: 0, new: 8), to: at13).status == .conflict)
        let (_, again) = try cosigned(add(log.request(old: 13, new: 13), to: at13))
        #expect(again.latestSize == 13)
        let (_, at20) = try cosigned(add(log.request(old: 13, new: 20), to: again))
        #expect(at20.latestSize == 20)
    }

    @Test func storedNoteKeepsOnlyTheLogSignatureAndTheNewCosignature() throws {
        let stranger = try CosignerKey.generate(name: "witness.example/stranger")
        let checkpoint = try log.checkpoint(13)
        let old = try cosigner.cosign(checkpoint, timestamp: 1)
        let note = try log.note(13).addingSignatures([
            stranger.cosign(checkpoint, timestamp: 5).noteSignature, old.noteSignature,
        ])
        let request = try AddCheckpointRequest(oldSize: 5, consistencyProof: log.proof(from: 5, to: 13), note: note)
        let (cosignature, updated) = try cosigned(add(request, to: log.witnessed(at: 5)))
        let stored = try #require(updated.latest?.note)
        #expect(stored.signatures == [note.signatures[0], cosignature.noteSignature])
    }

    @Test func witnessClockOutsideTheCosignatureRangeThrows() throws {
        let request = try log.request(old: 0, new: 5)
        for timestamp: UInt64 in [0, Cosignature.maximumTimestamp + 1] {
            #expect(throws: WitnessError.invalidTimestamp(timestamp)) {
                try Witness.addCheckpoint(request, to: log.witnessed(at: nil), cosigner: cosigner, timestamp: timestamp)
            }
        }
        let outcome = try Witness.addCheckpoint(
            request, to: log.witnessed(at: nil), cosigner: cosigner, timestamp: Cosignature.maximumTimestamp)
        #expect(outcome.status == .success)
    }

    @Test func witnessedLogRefusesStateItsKeyDidNotSign() throws {
        let other = try TestLog(size: 5)
        let foreign = try WitnessedCheckpoint(verifying: other.note(5), with: other.verifierKey)
        #expect(throws: WitnessError.self) {
            try WitnessedLog(origin: TestLog.origin, verifierKey: log.verifierKey, latest: foreign)
        }
        #expect(throws: WitnessError.self) {
            try WitnessedCheckpoint(verifying: other.note(5), with: log.verifierKey)
        }
        #expect(throws: WitnessError.originMismatch(expected: "example.com/x", found: TestLog.origin)) {
            try WitnessedLog(origin: "example.com/x", verifierKey: log.verifierKey, latest: log.witnessed(at: 5).latest)
        }
    }
}
