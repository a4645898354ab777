import Foundation

/// A self-contained proof that a ledger record is in a log: a C2SP `.tlog-proof` file whose
/// `extra` data is the record's canonical signed bytes, whose entry at `index` is the record's
/// id, with the inclusion proof and the log's signed checkpoint.
///
/// Verifying needs no server. The checks are: the checkpoint is signed by the log's key; the
/// record parses and its issuer's signature holds; and its id, as the log's entry, is included
/// at `index` under the checkpoint's root. The `extra` data is unauthenticated by itself, but
/// the inclusion proof binds it, since the entry is the CID of exactly those bytes.
public enum RecordProof {
    /// The proof file for `record`, entry `index` of the log whose latest checkpoint is `note`.
    public static func make(
        record: LedgerRecord, index: UInt64, inclusionProof: [MerkleHash], note: SignedNote
    ) throws -> TlogProof {
        try TlogProof(extraData: record.encoded, index: index, inclusionProof: inclusionProof.map(\.bytes), note: note)
    }

    /// The log entry that stands for `record`: its id, as text.
    public static func entry(for record: LedgerRecord) -> [UInt8] {
        Array(record.id.description.utf8)
    }

    /// Checks `proof` against the log's key and returns the record it proves, with its checkpoint.
    /// Throws on any failure: a signature, the record, or the inclusion.
    public static func verify(_ proof: TlogProof, logKey: NoteVerifierKey) throws -> (record: LedgerRecord, checkpoint: Checkpoint) {
        let verified = try proof.note.verified(by: [logKey])
        guard verified.isSigned(by: logKey) else { throw NoteError.noTrustedSignature(signers: [logKey.name]) }
        let checkpoint = try Checkpoint(parsing: verified.text)
        guard checkpoint.origin == logKey.name else {
            throw LedgerRecordError.malformed("the checkpoint is of the log '\(checkpoint.origin)', not '\(logKey.name)'")
        }
        guard let bytes = proof.extraData else {
            throw LedgerRecordError.malformed("the proof carries no record (no extra data)")
        }
        let record = try LedgerRecord(parsing: bytes)
        try MerkleVerifier.verifyInclusion(
            leafHash: .leafHash(of: entry(for: record)), index: proof.index, treeSize: checkpoint.size,
            proof: try proof.inclusionProof.map { try MerkleHash(bytes: $0) }, root: try MerkleHash(bytes: checkpoint.rootHash))
        return (record, checkpoint)
    }
}
