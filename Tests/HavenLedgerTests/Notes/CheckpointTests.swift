import Foundation
import HavenLedger
import Testing

@Suite struct CheckpointTests {
    static let sofaText = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    static let sofaRoot = [UInt8](Data(base64Encoded: "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")!)

    @Test func specExampleParsesAndFormatsBack() throws {
        let note = try SignedNote(parsing: NoteFixtures.bytes("c2sp-checkpoint.note"))
        let checkpoint = try Checkpoint(parsing: note.text)
        #expect(checkpoint.origin == "example.com/behind-the-sofa")
        #expect(checkpoint.size == 20_852_163)
        #expect(checkpoint.rootHash == Self.sofaRoot)
        #expect(checkpoint.extensionLines.isEmpty)
        #expect(checkpoint.serialized == note.text)
        #expect(note.signatures.map(\.keyID) == [NoteKeyID(rawValue: 0x033d_e0ae)])
    }

    @Test func verifiedCheckpointComesFromAVerifiedNote() throws {
        let note = try SignedNote(parsing: NoteFixtures.bytes("generated-cosigned-checkpoint.note"))
        let verified = try note.verified(by: [NoteFixtures.verifierKey("generated-sofa-log.vkey")])
        #expect(try Checkpoint(parsing: verified.text) == Checkpoint(parsing: Self.sofaText))
    }

    @Test func extensionLinesRoundTrip() throws {
        let checkpoint = try Checkpoint(
            origin: "log.example/a", size: 0, rootHash: Self.sofaRoot, extensionLines: ["ext one", "— two +"])
        #expect(
            checkpoint.serialized
                == "log.example/a\n0\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next one\n— two +\n")
        #expect(try Checkpoint(parsing: checkpoint.serialized) == checkpoint)
    }

    @Test func largestTreeSizeParses() throws {
        let text = "o\n18446744073709551615\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        #expect(try Checkpoint(parsing: text).size == UInt64.max)
    }

    static let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    static let malformed: [(String, String, NoteError)] = [
        ("leading zero", "o\n020852163\n\(root)\n", .leadingZeros(field: "tree size", text: "020852163")),
        ("zero with leading zero", "o\n00\n\(root)\n", .leadingZeros(field: "tree size", text: "00")),
        ("plus sign", "o\n+5\n\(root)\n", .invalidNumber(field: "tree size", text: "+5")),
        ("minus sign", "o\n-1\n\(root)\n", .invalidNumber(field: "tree size", text: "-1")),
        ("leading space", "o\n 5\n\(root)\n", .invalidNumber(field: "tree size", text: " 5")),
        ("trailing space", "o\n5 \n\(root)\n", .invalidNumber(field: "tree size", text: "5 ")),
        ("empty size", "o\n\n\(root)\n", .invalidNumber(field: "tree size", text: "")),
        ("hex size", "o\n0x10\n\(root)\n", .invalidNumber(field: "tree size", text: "0x10")),
        (
            "arabic-indic digits", "o\n\u{661}\u{662}\n\(root)\n",
            .invalidNumber(field: "tree size", text: "\u{661}\u{662}")
        ),
        (
            "overflow", "o\n18446744073709551616\n\(root)\n",
            .numberOutOfRange(field: "tree size", text: "18446744073709551616")
        ),
        (
            "short root", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==\n",
            .wrongHashLength(field: "root hash", byteCount: 31)
        ),
        ("empty root", "o\n5\n\n", .wrongHashLength(field: "root hash", byteCount: 0)),
        ("bad base64 root", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", .invalidBase64(field: "root hash")),
        (
            "url-safe base64 root", "o\n5\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n",
            .invalidBase64(field: "root hash")
        ),
        ("empty origin", "\n5\n\(root)\n", .emptyOrigin),
        ("two lines", "o\n5\n", .checkpointTooShort(lineCount: 2)),
        ("empty extension line", "o\n5\n\(root)\n\n", .emptyExtensionLine(number: 1)),
        ("empty second extension line", "o\n5\n\(root)\nx\n\n", .emptyExtensionLine(number: 2)),
        ("no final newline", "o\n5\n\(root)", .missingFinalNewline),
        ("control character", "o\u{7}\n5\n\(root)\n", .controlCharacter(offset: 1, value: 0x07)),
    ]

    @Test(arguments: malformed)
    func malformedCheckpointsGiveSpecificErrors(name: String, text: String, expected: NoteError) {
        #expect(throws: expected, "\(name)") { try Checkpoint(parsing: text) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: NoteError.invalidUTF8) { try Checkpoint(parsing: [0x6F, 0xC3, 0x0A, 0x35, 0x0A]) }
    }

    @Test func constructingAnInvalidCheckpointFails() {
        #expect(throws: NoteError.emptyOrigin) { try Checkpoint(origin: "", size: 1, rootHash: Self.sofaRoot) }
        #expect(throws: NoteError.embeddedNewline(field: "checkpoint origin")) {
            try Checkpoint(origin: "a\nb", size: 1, rootHash: Self.sofaRoot)
        }
        #expect(throws: NoteError.wrongHashLength(field: "root hash", byteCount: 33)) {
            try Checkpoint(origin: "a", size: 1, rootHash: Self.sofaRoot + [0])
        }
        #expect(throws: NoteError.emptyExtensionLine(number: 2)) {
            try Checkpoint(origin: "a", size: 1, rootHash: Self.sofaRoot, extensionLines: ["x", ""])
        }
        #expect(throws: NoteError.embeddedNewline(field: "checkpoint extension line 1")) {
            try Checkpoint(origin: "a", size: 1, rootHash: Self.sofaRoot, extensionLines: ["x\ny"])
        }
    }

    @Test func equalityIsByBytes() throws {
        // "é" precomposed and decomposed are equal Swift strings but different origins.
        let composed = try Checkpoint(origin: "caf\u{E9}", size: 1, rootHash: Self.sofaRoot)
        let decomposed = try Checkpoint(origin: "cafe\u{301}", size: 1, rootHash: Self.sofaRoot)
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
    }
}
