/// A checkpoint a witness accepted for a log: the signed note and the checkpoint in its text.
/// The note keeps the log's verified signatures and, once the witness cosigned it, the witness's
/// cosignature: what tlog-witness asks a witness to serve to monitors. Made only by verifying
/// the note with the log's key, so the checkpoint can be trusted as far as that key.
public struct WitnessedCheckpoint: Sendable, Hashable {
    /// The checkpoint note: the log's signatures first, then any cosignature by this witness.
    public let note: SignedNote
    /// The checkpoint in `note.text`.
    public let checkpoint: Checkpoint

    /// Verifies `note` with the log's key and reads its checkpoint, for loading stored state.
    /// Signatures by other keys are kept (a stored note carries the witness's own cosignature).
    public init(verifying note: SignedNote, with logKey: NoteVerifierKey) throws(WitnessError) {
        do {
            _ = try note.verified(by: [logKey])
        } catch {
            throw .untrustedNote(origin: logKey.name, error)
        }
        do {
            self.init(note: note, checkpoint: try Checkpoint(parsing: note.text))
        } catch {
            throw .malformedNote(error)
        }
    }

    /// For callers that verified `note` and parsed `checkpoint` from its text.
    init(note: SignedNote, checkpoint: Checkpoint) {
        self.note = note
        self.checkpoint = checkpoint
    }

    /// The checkpoint of `verified` with only the signatures that verified kept (so neither
    /// unknown signers' lines nor stale cosignatures are stored or re-served).
    static func keepingVerifiedSignatures(of verified: VerifiedNote, checkpoint: Checkpoint) -> WitnessedCheckpoint {
        // The text is a valid note text and verification needs at least one signature.
        let note = try! SignedNote(text: verified.text, signatures: verified.verifiedSignatures)
        return WitnessedCheckpoint(note: note, checkpoint: checkpoint)
    }

    /// This checkpoint with `cosignature` added to its note (replacing an earlier one by the same key).
    func adding(_ cosignature: Cosignature) throws(WitnessError) -> WitnessedCheckpoint {
        do {
            return WitnessedCheckpoint(note: try note.addingSignature(cosignature.noteSignature), checkpoint: checkpoint)
        } catch {
            throw .cosigningFailed(error)
        }
    }
}
