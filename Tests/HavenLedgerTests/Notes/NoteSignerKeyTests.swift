import Crypto
import HavenLedger
import Testing

@Suite struct NoteSignerKeyTests {
    @Test func goSignerKeyParsesAndMatchesItsVerifierKey() throws {
        let text = try NoteFixtures.key("go-sumdb-peterneumann.skey")
        let signer = try NoteSignerKey(parsing: text)
        #expect(signer.name == "PeterNeumann")
        #expect(signer.keyID == NoteKeyID(rawValue: 0xc74f_20a3))
        #expect(signer.serialized == text)
        #expect(signer.verifierKey.serialized == (try NoteFixtures.key("go-sumdb-peterneumann.vkey")))
    }

    @Test func signingTheGoExampleReproducesThePublishedNote() throws {
        let signer = try NoteSignerKey(parsing: NoteFixtures.key("go-sumdb-peterneumann.skey"))
        let note = try SignedNote(text: NoteFixtures.peterText, signatures: [signer.sign(NoteFixtures.peterText)])
        if NoteFixtures.signsDeterministically {
            #expect(Array(note.serialized.utf8) == (try NoteFixtures.bytes("go-sumdb-peterneumann.note")))
        }
        #expect(try note.verified(by: [signer.verifierKey]).text == NoteFixtures.peterText)
    }

    @Test func keyFromRFC8032SeedMatchesTheGeneratedVerifierKey() throws {
        let signer = try NoteSignerKey(
            name: "example.com/behind-the-sofa", privateKey: NoteFixtures.privateKey(seedHex: NoteFixtures.rfc8032Test1)
        )
        #expect(signer.verifierKey == (try NoteFixtures.verifierKey("generated-sofa-log.vkey")))
        let reparsed = try NoteSignerKey(parsing: signer.serialized)
        #expect(reparsed.verifierKey == signer.verifierKey)
    }

    @Test func descriptionHidesTheSeed() throws {
        let signer = try NoteSignerKey(parsing: NoteFixtures.key("go-sumdb-peterneumann.skey"))
        #expect("\(signer)" == "NoteSignerKey(PeterNeumann+c74f20a3)")
        #expect(!"\(signer)".contains("AYEKFALV"))
    }

    @Test func everyTruncationOrIncrementOfASignerKeyIsRejected() throws {
        let bytes = Array(try NoteFixtures.key("go-sumdb-peterneumann.skey").utf8)
        for start in 0...bytes.count {
            for end in (start + 1)..<(bytes.count + 1) where start != 0 || end != bytes.count {
                #expect(throws: NoteError.self) {
                    try NoteSignerKey(parsing: String(decoding: bytes[start..<end], as: UTF8.self))
                }
            }
        }
        for index in bytes.indices {
            var mangled = bytes
            mangled[index] &+= 1
            #expect(throws: NoteError.self) { try NoteSignerKey(parsing: String(decoding: mangled, as: UTF8.self)) }
        }
    }

    static let malformed: [(String, NoteError)] = [
        (
            "PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            .malformedSignerKey(reason: "it does not have the form PRIVATE+KEY+<name>+<id>+<key>")
        ),
        (
            "PRIVATE+KEY+PeterNeumann+c74f20a3+BIEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            .unsupportedSignatureType(0x04)
        ),
        (
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFA==",
            .malformedSignerKey(reason: "an Ed25519 seed is 32 bytes, this one is 3")
        ),
        (
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",
            .malformedSignerKey(reason: "the key is not canonical base64 of a type byte and a seed")
        ),
        (
            "PRIVATE+KEY+PeterNeumann+C74F20A3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            .malformedSignerKey(reason: "the key ID is not 8 lowercase hex digits")
        ),
        (
            "PRIVATE+KEY+PeterNeumann+00000000+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            .keyIDMismatch(
                name: "PeterNeumann", stated: NoteKeyID(rawValue: 0), computed: NoteKeyID(rawValue: 0xc74f_20a3))
        ),
    ]

    @Test(arguments: malformed)
    func malformedSignerKeysGiveSpecificErrorsWithoutQuotingTheKey(text: String, expected: NoteError) {
        #expect(throws: expected) { try NoteSignerKey(parsing: text) }
        #expect(!"\(expected)".contains("AYEKFALV"))
    }
}
