import Crypto
import Foundation
import HavenLedger
import Testing

@Suite struct SignedNoteTests {
    let peter: NoteVerifierKey
    let enoch: NoteVerifierKey

    init() throws {
        peter = try NoteFixtures.verifierKey("go-sumdb-peterneumann.vkey")
        enoch = try NoteFixtures.verifierKey("go-sumdb-enochroot.vkey")
    }

    @Test func goSumdbExampleVerifiesAndSerializesByteForByte() throws {
        let bytes = try NoteFixtures.bytes("go-sumdb-peterneumann.note")
        let note = try SignedNote(parsing: bytes)
        #expect(note.text == NoteFixtures.peterText)
        #expect(note.signatures.count == 1)
        #expect(note.signatures[0].name == "PeterNeumann")
        #expect(note.signatures[0].keyID == NoteKeyID(rawValue: 0xc74f_20a3))
        #expect(Array(note.serialized.utf8) == bytes)

        let verified = try note.verified(by: [peter])
        #expect(verified.text == NoteFixtures.peterText)
        #expect(verified.verifiedSignatures == note.signatures)
        #expect(verified.signingKeys == [peter])
        #expect(verified.unverifiedSignatures.isEmpty)
        #expect(verified.cosignatures.isEmpty)
        #expect(verified.isSigned(by: peter))
    }

    @Test func c2spSignedNoteExampleVerifies() throws {
        let key = try NoteFixtures.verifierKey("c2sp-signed-note-example.vkey")
        let bytes = try NoteFixtures.bytes("c2sp-signed-note-example.note")
        let verified = try SignedNote(parsing: bytes).verified(by: [key])
        #expect(verified.text == "This is an example message.\n")
        #expect(Array(verified.note.serialized.utf8) == bytes)
    }

    @Test func textMayHoldBlankLinesAndEndsAtTheLastOne() throws {
        let bytes = try NoteFixtures.bytes("c2sp-signed-note-quasimodo.note")
        let note = try SignedNote(parsing: bytes)
        #expect(
            note.text == "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n")
        #expect(note.signatures.map(\.name) == ["quasimodo.example/salvatore"])
        #expect(Array(note.serialized.utf8) == bytes)
        // No key is published for it: with only other keys, nothing verifies.
        #expect(throws: NoteError.noTrustedSignature(signers: ["quasimodo.example/salvatore+367ba04b"])) {
            try note.verified(by: [peter, enoch])
        }
    }

    @Test func unknownKeysSignaturesAreIgnoredButKept() throws {
        let bytes = try NoteFixtures.bytes("go-sumdb-peterneumann-enochroot.note")
        let note = try SignedNote(parsing: bytes)
        let verified = try note.verified(by: [peter])
        #expect(verified.verifiedSignatures.map(\.name) == ["PeterNeumann"])
        #expect(verified.unverifiedSignatures.map(\.name) == ["EnochRoot"])
        #expect(!verified.isSigned(by: enoch))
        #expect(Array(verified.note.serialized.utf8) == bytes)

        let both = try note.verified(by: [peter, enoch])
        #expect(both.signingKeys == [peter, enoch])
        #expect(both.unverifiedSignatures.isEmpty)
    }

    @Test func noteWithoutTrustedSignatureIsRejected() throws {
        let note = try SignedNote(parsing: NoteFixtures.bytes("go-sumdb-peterneumann-enochroot.note"))
        #expect(throws: NoteError.noTrustedSignature(signers: ["PeterNeumann+c74f20a3", "EnochRoot+af0cfe78"])) {
            try note.verified(by: [])
        }
    }

    @Test func wrongKeyFails() throws {
        let note = try SignedNote(parsing: NoteFixtures.bytes("go-sumdb-peterneumann.note"))
        // Same name, another key: another key ID, so the signature is not this key's.
        let impostor = try NoteSignerKey.generate(name: "PeterNeumann").verifierKey
        #expect(throws: NoteError.noTrustedSignature(signers: ["PeterNeumann+c74f20a3"])) {
            try note.verified(by: [impostor])
        }
        let foo = try NoteFixtures.verifierKey("c2sp-signed-note-example.vkey")
        #expect(throws: NoteError.noTrustedSignature(signers: ["PeterNeumann+c74f20a3"])) {
            try note.verified(by: [foo])
        }
    }

    @Test func signatureMatchingOnlyNameOrOnlyKeyIDIsIgnored() throws {
        let original = try SignedNote(parsing: NoteFixtures.bytes("go-sumdb-peterneumann.note")).signatures[0]
        let otherName = try NoteSignature(name: "PeterNeuman", keyID: original.keyID, signature: original.signature)
        let otherID = try NoteSignature(
            name: original.name, keyID: NoteKeyID(rawValue: 0xc74f_20a4), signature: original.signature)
        for signature in [otherName, otherID] {
            let note = try SignedNote(text: NoteFixtures.peterText, signatures: [signature])
            #expect(throws: NoteError.noTrustedSignature(signers: ["\(signature.name)+\(signature.keyID)"])) {
                try note.verified(by: [peter])
            }
        }
    }

    @Test func badSignatureFromTrustedKeyRejectsTheWholeNote() throws {
        let note = try SignedNote(parsing: NoteFixtures.bytes("go-sumdb-peterneumann-enochroot.note"))
        var forged = note.signatures[1].signature
        forged[10] ^= 0x80
        let tampered = try SignedNote(
            text: note.text,
            signatures: [
                note.signatures[0],
                NoteSignature(name: "EnochRoot", keyID: note.signatures[1].keyID, signature: forged),
            ])
        // Peter's signature verifies, but Enoch is trusted and his does not: refuse.
        #expect(throws: NoteError.invalidSignature(name: "EnochRoot", keyID: NoteKeyID(rawValue: 0xaf0c_fe78))) {
            try tampered.verified(by: [peter, enoch])
        }
        // With Enoch unknown, his line is just ignored.
        #expect(try tampered.verified(by: [peter]).unverifiedSignatures.count == 1)
    }

    @Test(arguments: [
        ("go-sumdb-peterneumann.note", "go-sumdb-peterneumann.vkey"),
        ("c2sp-signed-note-example.note", "c2sp-signed-note-example.vkey"),
    ])
    func everyTamperedByteFails(vector: String, keyFile: String) throws {
        let bytes = try NoteFixtures.bytes(vector)
        let key = try NoteFixtures.verifierKey(keyFile)
        _ = try SignedNote(parsing: bytes).verified(by: [key])
        for (offset, tampered) in NoteFixtures.singleBitFlips(of: bytes) {
            #expect(throws: NoteError.self, "a flipped bit at byte \(offset) went unnoticed") {
                try SignedNote(parsing: tampered).verified(by: [key])
            }
        }
    }

    @Test func everyTamperedByteOfAMultiplySignedNoteFailsOrLosesThatSignature() throws {
        // A flipped bit in one signature line's name or key ID makes it a stranger's signature,
        // which is ignored; the others still verify, but never all three.
        let bytes = try NoteFixtures.bytes("generated-cosigned-checkpoint.note")
        let keys = try ["generated-sofa-log.vkey", "generated-w1.vkey", "generated-w2.vkey"].map(
            NoteFixtures.verifierKey)
        #expect(try SignedNote(parsing: bytes).verified(by: keys).signingKeys == keys)
        for (offset, tampered) in NoteFixtures.singleBitFlips(of: bytes) {
            let verifiedBy = (try? SignedNote(parsing: tampered).verified(by: keys))?.signingKeys ?? []
            #expect(verifiedBy.count < keys.count, "a flipped bit at byte \(offset) went unnoticed")
        }
    }

    @Test func everyTamperedTextByteFailsForEachTrustedSigner() throws {
        // Checks the signature covers the text itself, whatever key is trusted alone.
        let bytes = try NoteFixtures.bytes("generated-cosigned-checkpoint.note")
        let note = try SignedNote(parsing: bytes)
        for keyFile in ["generated-sofa-log.vkey", "generated-w1.vkey", "generated-w2.vkey"] {
            let key = try NoteFixtures.verifierKey(keyFile)
            let textLength = note.text.utf8.count
            for (offset, tampered) in NoteFixtures.singleBitFlips(of: bytes) where offset < textLength {
                #expect(throws: NoteError.self, "\(keyFile): byte \(offset)") {
                    try SignedNote(parsing: tampered).verified(by: [key])
                }
            }
        }
    }

    @Test func signSerializeParseVerifyRoundTrip() throws {
        let alice = try NoteSignerKey.generate(name: "alice.example/log")
        let bob = try NoteSignerKey.generate(name: "bob.example")
        let text = "Line one, ünïcödé ✓\n\nafter a blank line\n— looks like a signature line\n"
        let note = try SignedNote(text: text, signatures: [alice.sign(text), bob.sign(text)])
        let parsed = try SignedNote(parsing: note.serialized)
        #expect(parsed == note)
        #expect(parsed.text == text)
        let verified = try parsed.verified(by: [alice.verifierKey, bob.verifierKey])
        #expect(verified.signingKeys == [alice.verifierKey, bob.verifierKey])
        #expect(try parsed.verified(by: [bob.verifierKey]).unverifiedSignatures.map(\.name) == ["alice.example/log"])
    }

    @Test func minimalTextIsOneNewline() throws {
        let signer = try NoteSignerKey.generate(name: "n")
        let note = try SignedNote(text: "\n", signatures: [signer.sign("\n")])
        #expect(note.serialized.hasPrefix("\n\n— n "))
        #expect(try SignedNote(parsing: note.serialized).verified(by: [signer.verifierKey]).text == "\n")
    }

    @Test func addingSignatureReplacesTheSameKeysSignature() throws {
        let signer = try NoteSignerKey.generate(name: "log.example")
        let other = try NoteSignerKey.generate(name: "other.example")
        let stale = try NoteSignature(name: "log.example", keyID: signer.keyID, signature: [1, 2, 3])
        let note = try SignedNote(text: "hello\n", signatures: [stale, other.sign("hello\n")])
        let resigned = try note.addingSignature(signer.sign("hello\n"))
        #expect(resigned.signatures.map(\.name) == ["other.example", "log.example"])
        #expect(try resigned.verified(by: [signer.verifierKey, other.verifierKey]).signingKeys.count == 2)
    }

    @Test func sixteenSignaturesAreAcceptedAndAHundredIsTheLimit() throws {
        let line = try NoteFixtures.text("go-sumdb-peterneumann.note").split(separator: "\n\n")[1]
        for count in [16, 100] {
            let text = NoteFixtures.peterText + "\n" + String(repeating: String(line), count: count)
            let verified = try SignedNote(parsing: text).verified(by: [peter])
            #expect(verified.verifiedSignatures.count == count)
        }
        let tooMany = NoteFixtures.peterText + "\n" + String(repeating: String(line), count: 101)
        #expect(throws: NoteError.tooManySignatures(count: 101, limit: 100)) { try SignedNote(parsing: tooMany) }
        let signature = try SignedNote(parsing: NoteFixtures.bytes("go-sumdb-peterneumann.note")).signatures[0]
        #expect(throws: NoteError.tooManySignatures(count: 101, limit: 100)) {
            try SignedNote(text: NoteFixtures.peterText, signatures: Array(repeating: signature, count: 101))
        }
    }

    @Test func collidingTrustedKeysAreAmbiguous() throws {
        let keys = try NoteFixtures.text("generated-collision.vkeys").split(separator: "\n").map {
            try NoteVerifierKey(parsing: String($0))
        }
        #expect(keys.count == 2 && keys[0].keyID == keys[1].keyID && keys[0] != keys[1])
        let signer = try NoteSignerKey.generate(name: "collision.example")
        let note = try SignedNote(text: "x\n", signatures: [signer.sign("x\n")])
        #expect(throws: NoteError.ambiguousVerifierKeys(name: "collision.example", keyID: keys[0].keyID)) {
            try note.verified(by: keys + [signer.verifierKey])
        }
        // The same key listed twice is not ambiguous.
        #expect(try note.verified(by: [signer.verifierKey, signer.verifierKey]).signingKeys.count == 1)
    }

    static let peterLine =
        "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    static let malformed: [(String, [UInt8], NoteError)] = {
        let text = NoteFixtures.peterText
        let line = peterLine
        func b(_ s: String) -> [UInt8] { Array(s.utf8) }
        return [
            ("text only", b(text), .missingSignatureSeparator),
            ("blank line, no signatures", b(text + "\n"), .noSignatures),
            ("no final newline", b(text + "\n" + line.dropLast()), .missingNewline(after: "last signature line")),
            ("control character", [0x01] + b(text + "\n" + line), .controlCharacter(offset: 0, value: 0x01)),
            ("tab", b("a\tb\n\n" + line), .controlCharacter(offset: 1, value: 0x09)),
            ("carriage return", b("a\r\n\n" + line), .controlCharacter(offset: 1, value: 0x0D)),
            ("invalid UTF-8", [0xFF] + b(text + "\n" + line), .invalidUTF8),
            ("truncated UTF-8", b(text + "\n") + [0xE2, 0x80], .invalidUTF8),
            (
                "bad base64", b(text + "\n— PeterNeumann x08go/ZJkuBS9UG!\n"),
                .invalidBase64(field: "signature on line 1")
            ),
            (
                "non-canonical base64 padding bits",
                b(text + "\n" + line.replacingOccurrences(of: "nAM=", with: "nAN=")),
                .invalidBase64(field: "signature on line 1")
            ),
            (
                "unpadded base64", b(text + "\n" + line.replacingOccurrences(of: "nAM=", with: "nAM")),
                .invalidBase64(field: "signature on line 1")
            ),
            (
                "space in name", b(text + "\n" + line.replacingOccurrences(of: "PeterNeumann", with: "Bad Name")),
                .invalidBase64(field: "signature on line 1")
            ),
            (
                "plus in name", b(text + "\n" + line.replacingOccurrences(of: "PeterNeumann", with: "Peter+Neumann")),
                .invalidKeyName("Peter+Neumann")
            ),
            (
                "no-break space in name",
                b(text + "\n" + line.replacingOccurrences(of: "PeterNeumann", with: "Peter\u{A0}Neumann")),
                .invalidKeyName("Peter\u{A0}Neumann")
            ),
            (
                "empty name", b(text + "\n" + line.replacingOccurrences(of: "PeterNeumann", with: "")),
                .invalidKeyName("")
            ),
            (
                "no space before signature", b(text + "\n— PeterNeumann\n"),
                .malformedSignatureLine(number: 1, reason: "no space between key name and signature")
            ),
            (
                "hyphen for em dash", b(text + "\n- PeterNeumann AAAAAAA=\n"),
                .malformedSignatureLine(number: 1, reason: "it does not start with an em dash and a space")
            ),
            (
                "line after signatures", b(text + "\n" + line + "Unexpected line.\n"),
                .malformedSignatureLine(number: 2, reason: "it does not start with an em dash and a space")
            ),
            (
                "key ID only", b(text + "\n— PeterNeumann x08gow==\n"),
                .malformedSignatureLine(
                    number: 1, reason: "the signature has 4 bytes; it needs a 4-byte key ID and more")
            ),
        ]
    }()

    @Test(arguments: malformed)
    func malformedNotesGiveSpecificErrors(name: String, input: [UInt8], expected: NoteError) {
        #expect(throws: expected, "\(name)") { try SignedNote(parsing: input) }
    }

    @Test func constructingAnInvalidNoteFails() throws {
        let signature = try SignedNote(parsing: NoteFixtures.bytes("go-sumdb-peterneumann.note")).signatures[0]
        #expect(throws: NoteError.missingFinalNewline) { try SignedNote(text: "no newline", signatures: [signature]) }
        #expect(throws: NoteError.missingFinalNewline) { try SignedNote(text: "", signatures: [signature]) }
        #expect(throws: NoteError.noSignatures) { try SignedNote(text: "x\n", signatures: []) }
        #expect(throws: NoteError.controlCharacter(offset: 1, value: 0x1B)) {
            try SignedNote(text: "x\u{1B}\n", signatures: [signature])
        }
        let signer = try NoteSignerKey.generate(name: "s")
        #expect(throws: NoteError.missingFinalNewline) { try signer.sign("unterminated") }
    }

    @Test func signatureLinesParseAlone() throws {
        let signature = try NoteSignature(parsingLine: String(Self.peterLine.dropLast()))
        #expect(signature.line + "\n" == Self.peterLine)
        #expect(signature.signature.count == 64)
        #expect(throws: NoteError.embeddedNewline(field: "signature line")) {
            try NoteSignature(parsingLine: "— \n")
        }
        #expect(throws: NoteError.invalidKeyName("a b")) {
            try NoteSignature(name: "a b", keyID: NoteKeyID(rawValue: 1), signature: [1])
        }
        #expect(throws: NoteError.emptySignature(name: "a")) {
            try NoteSignature(name: "a", keyID: NoteKeyID(rawValue: 1), signature: [])
        }
    }
}
