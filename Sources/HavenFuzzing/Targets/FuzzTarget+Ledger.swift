import Foundation
import HavenLedger
import HavenStore

extension FuzzTarget {
    /// The line-oriented C2SP formats a witness, a log and a verifier exchange: signed notes,
    /// checkpoints, add-checkpoint requests and responses, `.tlog-proof` files, verifier keys,
    /// witness policies and the 409 body. Every input goes to each parser, so the seeds of one
    /// format reach the others' refusals.
    static let ledgerNotes = FuzzTarget(
        name: "ledger-notes",
        summary: "SignedNote, Checkpoint, AddCheckpointRequest, TlogProof, cosignature lines, vkeys, WitnessPolicy; each writes back"
    ) { bytes throws(FuzzFinding) in
        if let note = attempt({ try SignedNote(parsing: bytes) }) {
            // Documented: parsing keeps everything, so the note writes back byte for byte.
            try expect(Array(note.serialized.utf8) == bytes, "a signed note does not write back as it was read")
            if let verified = attempt({ try note.verified(by: trustedKeys) }) {
                _ = attempt { try Checkpoint(parsing: verified.text) }
            }
        }
        if let checkpoint = attempt({ try Checkpoint(parsing: bytes) }) {
            try expect(attempt({ try Checkpoint(parsing: checkpoint.serialized) }) == checkpoint, "a checkpoint does not parse back")
        }
        if let request = attempt({ try AddCheckpointRequest(parsing: bytes) }) {
            try expect(
                attempt({ try AddCheckpointRequest(parsing: request.serialized) }) == request,
                "an add-checkpoint request does not parse back")
        }
        if let proof = attempt({ try TlogProof(parsing: bytes) }) {
            try expect(attempt({ try TlogProof(parsing: proof.serialized) }) == proof, "a tlog-proof does not parse back")
        }
        if let signatures = attempt({ try NoteSignature.parseLines(bytes) }) {
            let again = attempt { try NoteSignature.parseLines(NoteSignature.serializeLines(signatures)) }
            try expect(again == signatures, "signature lines do not parse back")
            for signature in signatures {
                _ = attempt { try Cosignature(signature) }
            }
        }
        let string = text(bytes)
        if let key = attempt({ try NoteVerifierKey(parsing: string) }) {
            try expect(key.serialized == string, "vkey '\(string.prefix(200))' is written back as '\(key.serialized)'")
        }
        if let policy = attempt({ try WitnessPolicy(parsing: bytes) }) {
            try expect(attempt({ try WitnessPolicy(parsing: policy.serialized) }) == policy, "a witness policy does not parse back")
        }
        if let size = attempt({ try WitnessStatus.parseConflictBody(bytes) }) {
            try expect(
                attempt({ try WitnessStatus.parseConflictBody(Array(WitnessStatus.conflictBody(latestSize: size).utf8)) }) == size,
                "a 409 body does not parse back")
        }
    }

    /// Ledger records, one per line: each is parsed (canonical form, signature), then every
    /// content's mint and transfers are put together into an ownership chain, which is asked
    /// about every record (licences included).
    static let ledgerRecord = FuzzTarget(
        name: "ledger-record",
        summary: "LedgerRecord(parsing:) per line, written back byte for byte; OwnershipChain over the records"
    ) { bytes throws(FuzzFinding) in
        var records: [LedgerRecord] = []
        for line in bytes.split(separator: 0x0A) {
            guard let record = attempt({ try LedgerRecord(parsing: Array(line)) }) else { continue }
            try expect(record.encoded == Array(line), "a record is not its own canonical encoding")
            try expect(attempt({ try LedgerRecord(parsing: record.encoded) }) == record, "a record does not parse back")
            records.append(record)
        }
        let contents = Set(records.compactMap(\.statement.content))
        for content in contents.sorted() {
            let ownership = records.filter { record in
                guard record.statement.content == content else { return false }
                switch record.statement {
                case .mint, .transfer: return true
                case .licence, .revoke: return false
                }
            }
            guard let chain = attempt({ try OwnershipChain(content: content, records: ownership) }) else { continue }
            _ = chain.owner
            _ = chain.owner(at: FuzzFixtures.now)
            for record in records {
                _ = chain.authorizes(record)
            }
        }
    }

    /// The keys a note is verified against: the fixtures' log and witness.
    private static let trustedKeys = [FuzzFixtures.logKey.verifierKey, FuzzFixtures.witnessKey.verifierKey]
}
