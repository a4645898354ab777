import HavenLedger
import Testing

@Suite struct TlogProofTests {
    static let hash = "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ="
    static let fancyNote = """
        example.com/fancylog
        109482
        sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

        — example.com/fancylog lyh4Jm2WXPKJITAWfta7Tw/IN3nCd1QKHuditsjhudlNfbyH6lzC0QQK6vRhXoLUHhdrOGCQ1CXqeCIWcgBTcvpOUg8=

        """

    @Test func specExampleIsRefusedOnlyForItsElidedSignatures() throws {
        // tlog-proof.md shortens its signatures with "[...]", so they are not base64.
        let bytes = try NoteFixtures.bytes("c2sp-tlog-proof-example.txt")
        #expect(throws: NoteError.invalidBase64(field: "signature on line 1")) { try TlogProof(parsing: bytes) }
    }

    @Test func generatedProofParsesVerifiesAndFormatsBack() throws {
        let bytes = try NoteFixtures.bytes("generated-proof.tlog-proof")
        let proof = try TlogProof(parsing: bytes)
        #expect(proof.extraData.map { Array($0.prefix(30)) } == Array("age-v1.2.1-darwin-arm64.tar.gz".utf8))
        #expect(proof.index == 73894)
        #expect(proof.inclusionProof.count == 5)
        #expect(proof.checkpoint.origin == "example.com/fancylog")
        #expect(proof.checkpoint.size == 109_482)
        #expect(Array(proof.serialized.utf8) == bytes)
        let keys = try ["generated-fancylog.vkey", "generated-w1.vkey"].map(NoteFixtures.verifierKey)
        let verified = try proof.note.verified(by: keys)
        #expect(verified.signingKeys == keys)
        #expect(verified.cosignatures.map(\.timestamp) == [1_700_000_000])
    }

    @Test func signingTheGeneratedProofsCheckpointReproducesIt() throws {
        let log = try NoteSignerKey(
            name: "example.com/fancylog", privateKey: NoteFixtures.privateKey(seedHex: NoteFixtures.rfc8032Test1024))
        let witness = try CosignerKey(
            name: "witness.example.com/w1", privateKey: NoteFixtures.privateKey(seedHex: NoteFixtures.rfc8032Test2))
        let published = try TlogProof(parsing: NoteFixtures.bytes("generated-proof.tlog-proof"))
        let note = try SignedNote(
            text: published.checkpoint.serialized,
            signatures: [
                log.sign(published.checkpoint.serialized),
                witness.cosign(published.checkpoint, timestamp: 1_700_000_000).noteSignature,
            ])
        let proof = try TlogProof(
            extraData: published.extraData, index: published.index, inclusionProof: published.inclusionProof, note: note
        )
        if NoteFixtures.signsDeterministically {
            #expect(proof == published)
        }
        #expect(try proof.note.verified(by: [log.verifierKey, witness.verifierKey]).signingKeys.count == 2)
    }

    @Test func proofsWithoutOrWithEmptyExtraRoundTrip() throws {
        let note = try SignedNote(parsing: Self.fancyNote)
        let plain = try TlogProof(index: 0, inclusionProof: [], note: note)
        #expect(plain.serialized == "c2sp.org/tlog-proof@v1\nindex 0\n\n" + Self.fancyNote)
        #expect(try TlogProof(parsing: plain.serialized) == plain)
        let empty = try TlogProof(
            extraData: [], index: 109_481, inclusionProof: [Array(repeating: 9, count: 32)], note: note)
        #expect(empty.serialized.hasPrefix("c2sp.org/tlog-proof@v1\nextra \nindex 109481\n"))
        let reparsed = try TlogProof(parsing: empty.serialized)
        #expect(reparsed == empty && reparsed.extraData == [])
    }

    static let header = "c2sp.org/tlog-proof@v1\n"
    static let malformed: [(String, String, NoteError)] = [
        (
            "wrong header", "c2sp.org/tlog-proof@v2\nindex 1\n\n" + fancyNote,
            .unexpectedLine(expected: "\"c2sp.org/tlog-proof@v1\" as the first line", found: "c2sp.org/tlog-proof@v2")
        ),
        ("missing index", header + "\n" + fancyNote, .unexpectedLine(expected: "\"index <n>\"", found: "")),
        (
            "extra without index", header + "extra AAAA\n\n" + fancyNote,
            .unexpectedLine(expected: "\"index <n>\"", found: "")
        ),
        (
            "extra after index", header + "index 1\nextra AAAA\n\n" + fancyNote,
            .invalidBase64(field: "inclusion proof line 1")
        ),
        ("bad extra", header + "extra AAA\nindex 1\n\n" + fancyNote, .invalidBase64(field: "extra data")),
        ("leading zero index", header + "index 073894\n\n" + fancyNote, .leadingZeros(field: "index", text: "073894")),
        (
            "index equals size", header + "index 109482\n\n" + fancyNote,
            .indexOutOfRange(index: 109_482, treeSize: 109_482)
        ),
        (
            "overflowing index", header + "index 99999999999999999999\n\n" + fancyNote,
            .numberOutOfRange(field: "index", text: "99999999999999999999")
        ),
        (
            "short proof hash", header + "index 1\nAAAA\n\n" + fancyNote,
            .wrongHashLength(field: "inclusion proof line 1", byteCount: 3)
        ),
        (
            "65 proof hashes", header + "index 1\n" + String(repeating: hash + "\n", count: 65) + "\n" + fancyNote,
            .tooManyProofHashes(count: 65, limit: 64)
        ),
        (
            "no empty line", header + "index 1\n\(hash)\n",
            .unexpectedLine(expected: "an empty line, then the checkpoint", found: "the end of the proof")
        ),
        ("header only", "c2sp.org/tlog-proof@v1", .missingNewline(after: "header line")),
        (
            "unsigned checkpoint", header + "index 1\n\nexample.com/fancylog\n109482\n\(hash)\n",
            .missingSignatureSeparator
        ),
    ]

    @Test(arguments: malformed)
    func malformedProofsGiveSpecificErrors(name: String, text: String, expected: NoteError) {
        #expect(throws: expected, "\(name)") { try TlogProof(parsing: text) }
    }

    @Test func sixtyFourProofHashesAreAccepted() throws {
        let text = Self.header + "index 1\n" + String(repeating: Self.hash + "\n", count: 64) + "\n" + Self.fancyNote
        #expect(try TlogProof(parsing: text).inclusionProof.count == 64)
    }
}
