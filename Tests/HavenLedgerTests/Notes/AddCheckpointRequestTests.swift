import Foundation
import HavenLedger
import Testing

@Suite struct AddCheckpointRequestTests {
    static let hash = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw="
    static let sofaNote = """
        example.com/behind-the-sofa
        20852163
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

        — example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=

        """

    @Test func specExampleParsesAndFormatsBack() throws {
        let body = try NoteFixtures.bytes("c2sp-add-checkpoint-request.txt")
        let request = try AddCheckpointRequest(parsing: body)
        #expect(request.oldSize == 20_852_014)
        #expect(request.consistencyProof.count == 4)
        #expect(request.consistencyProof[0] == [UInt8](Data(base64Encoded: Self.hash)!))
        #expect(request.checkpoint.origin == "example.com/behind-the-sofa")
        #expect(request.checkpoint.size == 20_852_163)
        #expect(request.note.signatures.count == 2)
        #expect(Array(request.serialized.utf8) == body)
    }

    @Test func constructedRequestRoundTrips() throws {
        let note = try SignedNote(parsing: NoteFixtures.bytes("generated-cosigned-checkpoint.note"))
        let proof = (0..<63).map { _ in [UInt8](repeating: 7, count: 32) }
        let request = try AddCheckpointRequest(oldSize: 20_852_000, consistencyProof: proof, note: note)
        #expect(try AddCheckpointRequest(parsing: request.serialized) == request)
        let first = try AddCheckpointRequest(oldSize: 0, consistencyProof: [], note: note)
        #expect(first.serialized.hasPrefix("old 0\n\nexample.com/behind-the-sofa\n"))
        #expect(try AddCheckpointRequest(parsing: first.serialized) == first)
        // The note's signatures verify as usual once the witness knows the log's key.
        #expect(
            try first.note.verified(by: [NoteFixtures.verifierKey("generated-sofa-log.vkey")]).signingKeys.count == 1)
    }

    static let malformed: [(String, String, NoteError)] = [
        ("empty body", "", .unexpectedLine(expected: "\"old <size>\" as the first line", found: "")),
        (
            "wrong keyword", "new 5\n\n" + sofaNote,
            .unexpectedLine(expected: "\"old <size>\" as the first line", found: "new 5")
        ),
        (
            "no space", "old5\n\n" + sofaNote,
            .unexpectedLine(expected: "\"old <size>\" as the first line", found: "old5")
        ),
        ("leading zero", "old 05\n\n" + sofaNote, .leadingZeros(field: "old size", text: "05")),
        ("two spaces", "old  5\n\n" + sofaNote, .invalidNumber(field: "old size", text: " 5")),
        ("negative", "old -5\n\n" + sofaNote, .invalidNumber(field: "old size", text: "-5")),
        ("empty size", "old \n\n" + sofaNote, .invalidNumber(field: "old size", text: "")),
        ("old line unterminated", "old 5", .missingNewline(after: "old size line")),
        (
            "bad proof base64", "old 5\n\(hash)\nnot base64!\n\n" + sofaNote,
            .invalidBase64(field: "consistency proof line 2")
        ),
        (
            "short proof hash", "old 5\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDp\n\n" + sofaNote,
            .wrongHashLength(field: "consistency proof line 1", byteCount: 30)
        ),
        (
            "64 proof lines", "old 5\n" + String(repeating: hash + "\n", count: 64) + "\n" + sofaNote,
            .tooManyProofHashes(count: 64, limit: 63)
        ),
        (
            "no empty line", "old 5\n\(hash)\n",
            .unexpectedLine(expected: "an empty line, then the checkpoint", found: "the end of the body")
        ),
        ("proof line unterminated", "old 5\n\(hash)", .missingNewline(after: "consistency proof line 1")),
        (
            "old size too large", "old 20852164\n\n" + sofaNote,
            .oldSizeExceedsTreeSize(oldSize: 20_852_164, treeSize: 20_852_163)
        ),
        ("unsigned checkpoint", "old 5\n\nexample.com/x\n5\n\(hash)\n", .missingSignatureSeparator),
        ("not a checkpoint", "old 5\n\nhello\n\n— a AAAAAAA=\n", .checkpointTooShort(lineCount: 1)),
        ("control character", "old 5\n\u{0}\n\n" + sofaNote, .controlCharacter(offset: 6, value: 0)),
    ]

    @Test(arguments: malformed)
    func malformedRequestsGiveSpecificErrors(name: String, body: String, expected: NoteError) {
        #expect(throws: expected, "\(name)") { try AddCheckpointRequest(parsing: body) }
    }

    @Test func constructingAnInvalidRequestFails() throws {
        let note = try SignedNote(parsing: Self.sofaNote)
        #expect(throws: NoteError.oldSizeExceedsTreeSize(oldSize: 20_852_164, treeSize: 20_852_163)) {
            try AddCheckpointRequest(oldSize: 20_852_164, consistencyProof: [], note: note)
        }
        #expect(throws: NoteError.wrongHashLength(field: "consistency proof hash 1", byteCount: 31)) {
            try AddCheckpointRequest(oldSize: 1, consistencyProof: [Array(repeating: 0, count: 31)], note: note)
        }
        #expect(throws: NoteError.tooManyProofHashes(count: 64, limit: 63)) {
            try AddCheckpointRequest(
                oldSize: 1, consistencyProof: Array(repeating: Array(repeating: 0, count: 32), count: 64), note: note)
        }
    }
}

@Suite struct WitnessStatusTests {
    @Test func statusCodesAreTheSpecsOnes() {
        #expect(WitnessStatus.allCases.map(\.code) == [200, 400, 403, 404, 409, 422])
        #expect(WitnessStatus.conflict.description == "409 Conflict")
        #expect(WitnessStatus.unprocessableEntity.description == "422 Unprocessable Entity")
        #expect(WitnessStatus(rawValue: 404) == .notFound)
        #expect(WitnessStatus.allCases.allSatisfy { !$0.meaning.isEmpty })
    }

    @Test func conflictBodyRoundTrips() throws {
        #expect(WitnessStatus.conflictContentType == "text/x.tlog.size")
        #expect(WitnessStatus.conflictBody(latestSize: 20_852_014) == "20852014\n")
        #expect(try WitnessStatus.parseConflictBody(Array("20852014\n".utf8)) == 20_852_014)
        #expect(try WitnessStatus.parseConflictBody(Array("0\n".utf8)) == 0)
        #expect(throws: NoteError.leadingZeros(field: "latest tree size", text: "012")) {
            try WitnessStatus.parseConflictBody(Array("012\n".utf8))
        }
        #expect(throws: NoteError.missingNewline(after: "tree size")) {
            try WitnessStatus.parseConflictBody(Array("12".utf8))
        }
    }
}
