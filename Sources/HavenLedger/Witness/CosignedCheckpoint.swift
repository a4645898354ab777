/// The log's side of witnessing: reading a witness's add-checkpoint response into verified
/// cosignatures, and assembling the checkpoint note to publish, the log's own signature first
/// and then one cosignature per witness key (c2sp.org/tlog-witness, c2sp.org/tlog-cosignature).
public enum CosignedCheckpoint {
    /// `logNote` with `cosignatures` appended, one per key (name and key ID): its own signature
    /// lines stay first and unchanged, a cosignature whose key already signed the note is left
    /// out, and of several by one key the latest timestamp is kept. Throws when the result would
    /// pass `SignedNote.maximumSignatures`.
    public static func assemble(logNote: SignedNote, cosignatures: [Cosignature]) throws(WitnessError) -> SignedNote {
        var lines = logNote.signatures
        let fixed = lines.count
        for cosignature in cosignatures {
            let line = cosignature.noteSignature
            guard let index = lines.firstIndex(where: { sameKey($0, line) }) else {
                lines.append(line)
                continue
            }
            // Never replace the log's own lines; among appended ones the newest cosignature wins.
            if index >= fixed, let existing = try? Cosignature(lines[index]), existing.timestamp < cosignature.timestamp {
                lines[index] = line
            }
        }
        do {
            return try SignedNote(text: logNote.text, signatures: lines)
        } catch {
            throw .invalidSignatures(error)
        }
    }

    /// The cosignatures by `witnessKey` in an add-checkpoint 200 response `body`, each verified
    /// over `logNote`'s text. Lines by other keys are ignored; a line by `witnessKey` that does
    /// not verify, or no line by it at all, is an error.
    public static func cosignatures(
        fromResponse body: some Collection<UInt8>, for logNote: SignedNote, witnessKey: NoteVerifierKey
    ) throws(WitnessError) -> [Cosignature] {
        guard witnessKey.type == .ed25519CosignatureV1 else { throw .notACosignerKey(name: witnessKey.name) }
        let lines: [NoteSignature]
        do {
            lines = try NoteSignature.parseLines(body)
        } catch {
            throw .invalidSignatures(error)
        }
        let text = Array(logNote.text.utf8)
        var cosignatures: [Cosignature] = []
        for line in lines where witnessKey.matches(line) {
            guard witnessKey.verify(line, text: text), let cosignature = try? Cosignature(line) else {
                throw .invalidCosignature(name: line.name, keyID: line.keyID)
            }
            cosignatures.append(cosignature)
        }
        guard !cosignatures.isEmpty else { throw .noCosignature(name: witnessKey.name, keyID: witnessKey.keyID) }
        return cosignatures
    }

    private static func sameKey(_ lhs: NoteSignature, _ rhs: NoteSignature) -> Bool {
        NoteSyntax.sameBytes(lhs.name, rhs.name) && lhs.keyID == rhs.keyID
    }
}
