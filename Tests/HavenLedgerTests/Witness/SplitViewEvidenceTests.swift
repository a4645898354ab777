import Foundation
import HavenLedger
import Testing

/// Evidence re-checks on its own: genuine evidence verifies, anything short of a proof does not.
@Suite struct SplitViewEvidenceTests {
    let log: TestLog
    let fork: TestLog

    init() throws {
        log = try TestLog(size: 40)
        fork = log.fork(at: 5)
    }

    /// Genuine evidence from the pull check: the witness held `log` at `old`, the fork shows `new`.
    func evidence(old: UInt64, new: UInt64) throws -> SplitViewEvidence {
        let needed = ConsistencyCheck.tilesNeeded(oldSize: old, newSize: new)
        let result = try ConsistencyCheck.check(
            latest: log.witnessed(at: old), fetchedNote: Array(fork.note(new).serialized.utf8),
            tiles: fork.tiles(needed, atSize: new))
        guard case .splitView(let evidence) = result else { throw CancellationError() }
        return evidence
    }

    func base64(_ hashes: [MerkleHash]) -> [String] {
        hashes.map { Data($0.bytes).base64EncodedString() }
    }

    @Test func genuineEvidenceVerifies() throws {
        for (old, new): (UInt64, UInt64) in [(6, 40), (8, 40), (32, 33), (7, 7), (40, 40)] {
            let evidence = try evidence(old: old, new: new)
            #expect(evidence.verify(with: log.verifierKey), "\(old) → \(new)")
            #expect(evidence.reason == (old == new ? .differentRootsAtSameSize : .prefixMismatch))
            #expect(!evidence.verify(with: try NoteSignerKey.generate(name: TestLog.origin).verifierKey))
        }
    }

    @Test func encodesAsSnakeCaseJSONAndRoundTrips() throws {
        let genuine = try evidence(old: 6, new: 40)
        let json = try genuine.jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(Set(object.keys) == ["origin", "witnessed_note", "conflicting_note", "consistency_proof", "reason"])
        #expect(object["reason"] as? String == "prefix_mismatch")
        #expect(object["origin"] as? String == TestLog.origin)
        #expect((object["consistency_proof"] as? [String])?.isEmpty == false)
        let decoded = try SplitViewEvidence(jsonData: json)
        #expect(decoded == genuine && decoded.verify(with: log.verifierKey))
        let sameSize = try evidence(old: 7, new: 7)
        #expect(String(decoding: try sameSize.jsonData(), as: UTF8.self).contains("\"different_roots_at_same_size\""))
    }

    @Test func consistentNotesAreNoEvidence() throws {
        // Two honest checkpoints with the honest proof: the proof connects them.
        let proof = try log.tree.prover.consistencyProof(oldSize: 6, newSize: 40)
        let honest = try SplitViewEvidence(
            origin: TestLog.origin, witnessedNote: log.note(6).serialized, conflictingNote: log.note(40).serialized,
            consistencyProof: base64(proof), reason: .prefixMismatch)
        #expect(!honest.verify(with: log.verifierKey))
        // The same checkpoint twice.
        let same = try SplitViewEvidence(
            origin: TestLog.origin, witnessedNote: log.note(7).serialized, conflictingNote: log.note(7).serialized,
            consistencyProof: [], reason: .differentRootsAtSameSize)
        #expect(!same.verify(with: log.verifierKey))
        // Power-of-two prefix: the path starts with the real prefix root, which matches.
        let prefix = try log.root(8)
        let powerOfTwo = try SplitViewEvidence(
            origin: TestLog.origin, witnessedNote: log.note(8).serialized, conflictingNote: log.note(40).serialized,
            consistencyProof: base64([prefix] + log.tree.prover.consistencyProof(oldSize: 8, newSize: 40)),
            reason: .prefixMismatch)
        #expect(!powerOfTwo.verify(with: log.verifierKey))
    }

    @Test func unsignedOrAlteredNotesAreNoEvidence() throws {
        let genuine = try evidence(old: 7, new: 7)
        let stranger = TestLog(size: 40, signer: try NoteSignerKey.generate(name: TestLog.origin)).fork(at: 5)
        let unsigned = SplitViewEvidence(
            origin: genuine.origin, witnessedNote: genuine.witnessedNote, conflictingNote: try stranger.note(7).serialized,
            consistencyProof: [], reason: .differentRootsAtSameSize)
        #expect(!unsigned.verify(with: log.verifierKey))
        let altered = SplitViewEvidence(
            origin: genuine.origin, witnessedNote: genuine.witnessedNote,
            conflictingNote: try WitnessFixtures.tamperingRoot(of: SignedNote(parsing: genuine.conflictingNote)).serialized,
            consistencyProof: [], reason: .differentRootsAtSameSize)
        #expect(!altered.verify(with: log.verifierKey))
        let notANote = SplitViewEvidence(
            origin: genuine.origin, witnessedNote: genuine.witnessedNote, conflictingNote: "hello\n",
            consistencyProof: [], reason: .differentRootsAtSameSize)
        #expect(!notANote.verify(with: log.verifierKey))
        #expect(genuine.verify(with: log.verifierKey))
    }

    @Test func tamperedProofReasonOrOriginIsNoEvidence() throws {
        let genuine = try evidence(old: 6, new: 40)
        #expect(genuine.verify(with: log.verifierKey))
        func with(proof: [String]? = nil, reason: SplitViewEvidence.Reason? = nil, origin: String? = nil) -> SplitViewEvidence {
            SplitViewEvidence(
                origin: origin ?? genuine.origin, witnessedNote: genuine.witnessedNote, conflictingNote: genuine.conflictingNote,
                consistencyProof: proof ?? genuine.consistencyProof, reason: reason ?? genuine.reason)
        }
        var flipped = genuine.consistencyProof
        var bytes = [UInt8](Data(base64Encoded: flipped[0])!)
        bytes[3] ^= 1
        flipped[0] = Data(bytes).base64EncodedString()
        #expect(!with(proof: flipped).verify(with: log.verifierKey))
        #expect(!with(proof: Array(genuine.consistencyProof.dropLast())).verify(with: log.verifierKey))
        #expect(!with(proof: []).verify(with: log.verifierKey))
        #expect(!with(proof: ["not base64"] + genuine.consistencyProof.dropFirst()).verify(with: log.verifierKey))
        #expect(!with(reason: .differentRootsAtSameSize).verify(with: log.verifierKey))
        #expect(!with(origin: "example.com/other").verify(with: log.verifierKey))
        // Swapping which note the witness held changes nothing: the sizes order them.
        let swapped = SplitViewEvidence(
            origin: genuine.origin, witnessedNote: genuine.conflictingNote, conflictingNote: genuine.witnessedNote,
            consistencyProof: genuine.consistencyProof, reason: genuine.reason)
        #expect(swapped.verify(with: log.verifierKey))
    }
}
