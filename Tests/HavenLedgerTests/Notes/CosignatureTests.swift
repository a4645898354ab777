import Crypto
import HavenLedger
import Testing

@Suite struct CosignatureTests {
    let logKey: NoteVerifierKey
    let w1: NoteVerifierKey
    let w2: NoteVerifierKey
    let sofa: Checkpoint

    init() throws {
        logKey = try NoteFixtures.verifierKey("generated-sofa-log.vkey")
        w1 = try NoteFixtures.verifierKey("generated-w1.vkey")
        w2 = try NoteFixtures.verifierKey("generated-w2.vkey")
        sofa = try Checkpoint(parsing: CheckpointTests.sofaText)
    }

    @Test func signedMessageMatchesTheSpecExampleByteForByte() throws {
        let expected = try NoteFixtures.bytes("c2sp-cosignature-message.txt")
        #expect(Cosignature.signedMessage(for: sofa, timestamp: 1_679_315_147) == expected)
    }

    @Test func specExampleCosignatureDecodes() throws {
        let note = try SignedNote(parsing: NoteFixtures.bytes("c2sp-cosigned-checkpoint.note"))
        #expect(try Checkpoint(parsing: note.text) == sofa)
        let cosignature = try Cosignature(note.signatures[1])
        #expect(cosignature.name == "witness.example.com/w1")
        #expect(cosignature.keyID == NoteKeyID(rawValue: 0x8d66_cf3f))
        #expect(cosignature.timestamp == 1_679_315_147)
        #expect(cosignature.signature.count == 64)
        #expect(cosignature.noteSignature == note.signatures[1])
        // The log's own line is a plain 64-byte Ed25519 signature, not a cosignature.
        #expect(
            throws: NoteError.malformedCosignature(
                name: "example.com/behind-the-sofa", keyID: NoteKeyID(rawValue: 0x033d_e0ae), byteCount: 64)
        ) { try Cosignature(note.signatures[0]) }
    }

    @Test func generatedCosignedCheckpointVerifies() throws {
        let bytes = try NoteFixtures.bytes("generated-cosigned-checkpoint.note")
        let verified = try SignedNote(parsing: bytes).verified(by: [logKey, w1, w2])
        #expect(verified.signingKeys == [logKey, w1, w2])
        #expect(verified.cosignatures.map(\.name) == ["witness.example.com/w1", "witness.example.com/w2"])
        #expect(verified.cosignatures.map(\.timestamp) == [1_679_315_147, 1_679_315_200])
        #expect(try Checkpoint(parsing: verified.text) == sofa)

        let witnessOnly = try SignedNote(parsing: bytes).verified(by: [w2])
        #expect(witnessOnly.signingKeys == [w2])
        #expect(
            witnessOnly.unverifiedSignatures.map(\.name) == ["example.com/behind-the-sofa", "witness.example.com/w1"])
    }

    @Test func cosigningWithTheSameSeedReproducesTheGeneratedVector() throws {
        let cosigner = try CosignerKey(
            name: "witness.example.com/w1", privateKey: NoteFixtures.privateKey(seedHex: NoteFixtures.rfc8032Test2))
        #expect(cosigner.verifierKey == w1)
        #expect(cosigner.verifierKey.serialized == (try NoteFixtures.key("generated-w1.vkey")))
        let cosignature = try cosigner.cosign(sofa, timestamp: 1_679_315_147)
        let published = try SignedNote(parsing: NoteFixtures.bytes("generated-cosigned-checkpoint.note")).signatures[1]
        if NoteFixtures.signsDeterministically {
            #expect(cosignature.noteSignature == published)
        }
        #expect(w1.verify(cosignature.noteSignature, text: Array(sofa.serialized.utf8)))
    }

    @Test func cosignThenVerifyRoundTrip() throws {
        let log = try NoteSignerKey.generate(name: "log.example/x")
        let witness = try CosignerKey.generate(name: "witness.example/y")
        let checkpoint = try Checkpoint(
            origin: "log.example/x", size: 7, rootHash: Array(SHA256.hash(data: [1, 2, 3])), extensionLines: ["ext"])
        let note = try SignedNote(text: checkpoint.serialized, signatures: [log.sign(checkpoint.serialized)])
        let cosigned = try note.addingSignature(witness.cosign(checkpoint, timestamp: 1_700_000_000).noteSignature)
        let verified = try SignedNote(parsing: cosigned.serialized).verified(by: [log.verifierKey, witness.verifierKey])
        #expect(verified.cosignatures.count == 1)
        #expect(verified.cosignatures[0].timestamp == 1_700_000_000)
        #expect(verified.cosignatures[0].keyID == witness.keyID)
    }

    @Test func cosignatureCoversTheTimestampAndExtensionLines() throws {
        let witness = try CosignerKey.generate(name: "w.example")
        let checkpoint = try Checkpoint(
            origin: "o", size: 1, rootHash: CheckpointTests.sofaRoot, extensionLines: ["ext"])
        let cosignature = try witness.cosign(checkpoint, timestamp: 42)
        let line = cosignature.noteSignature
        #expect(witness.verifierKey.verify(line, text: Array(checkpoint.serialized.utf8)))
        let otherTime = try Cosignature(
            name: "w.example", keyID: witness.keyID, timestamp: 43, signature: cosignature.signature)
        #expect(!witness.verifierKey.verify(otherTime.noteSignature, text: Array(checkpoint.serialized.utf8)))
        let otherExtension = try Checkpoint(
            origin: "o", size: 1, rootHash: CheckpointTests.sofaRoot, extensionLines: ["exu"])
        #expect(!witness.verifierKey.verify(line, text: Array(otherExtension.serialized.utf8)))
    }

    @Test func plainEd25519KeyDoesNotAcceptACosignature() throws {
        // Same name and key as w1 but type 0x01: another key ID, so the cosignature is a stranger's.
        let plain = try NoteVerifierKey(name: w1.name, type: .ed25519, publicKey: w1.publicKey)
        let note = try SignedNote(parsing: NoteFixtures.bytes("generated-cosigned-checkpoint.note"))
        #expect(plain.keyID != w1.keyID)
        #expect(throws: NoteError.self) { try note.verified(by: [plain]) }
    }

    @Test func timestampsAboveTwoToTheSixtyThreeAreRefused() throws {
        let witness = try CosignerKey.generate(name: "w.example")
        #expect(throws: NoteError.timestampOutOfRange(1 << 63)) { try witness.cosign(sofa, timestamp: 1 << 63) }
        #expect(try witness.cosign(sofa, timestamp: Cosignature.maximumTimestamp).timestamp == UInt64(Int64.max))
        let line = try NoteSignature(
            name: "w.example", keyID: witness.keyID, signature: [0x80] + Array(repeating: 0, count: 71))
        #expect(throws: NoteError.timestampOutOfRange(1 << 63)) { try Cosignature(line) }
        #expect(!witness.verifierKey.verify(line, text: Array(sofa.serialized.utf8)))
    }

    @Test func wrongLengthCosignaturesAreMalformed() throws {
        let line = try NoteSignature(
            name: "w", keyID: NoteKeyID(rawValue: 7), signature: Array(repeating: 1, count: 71))
        #expect(throws: NoteError.malformedCosignature(name: "w", keyID: NoteKeyID(rawValue: 7), byteCount: 71)) {
            try Cosignature(line)
        }
    }

    @Test func specResponseExampleParsesAsSignatureLines() throws {
        let body = try NoteFixtures.bytes("c2sp-add-checkpoint-response.txt")
        let lines = try NoteSignature.parseLines(body)
        #expect(lines.map(\.name) == ["witness.example/w1", "witness.example/w1", "witness.example/w2"])
        #expect(lines.allSatisfy { $0.signature.count == 72 })
        #expect(Array(NoteSignature.serializeLines(lines).utf8) == body)
        // Its timestamp bytes are placeholders: the first exceeds 2^63 - 1, the third does not.
        #expect(throws: NoteError.timestampOutOfRange(13_078_826_355_777_102_329)) { try Cosignature(lines[0]) }
        #expect(try Cosignature(lines[2]).timestamp == 2_970_657_736_413_210_787)
    }

    @Test func responseLinesJoinTheCheckpointNote() throws {
        // What a log does with an add-checkpoint answer: append the lines, then verify.
        let note = try SignedNote(parsing: NoteFixtures.bytes("generated-cosigned-checkpoint.note"))
        let logOnly = try SignedNote(text: note.text, signatures: [note.signatures[0]])
        let response = NoteSignature.serializeLines(Array(note.signatures.dropFirst()))
        let joined = try logOnly.addingSignatures(NoteSignature.parseLines(response))
        #expect(joined == note)
        #expect(throws: NoteError.noSignatures) { try NoteSignature.parseLines("") }
        #expect(throws: NoteError.missingNewline(after: "last signature line")) {
            try NoteSignature.parseLines(String(response.dropLast()))
        }
    }
}
