import HavenLedger

/// Shared values and small transformations for the witness tests.
enum WitnessFixtures {
    static let timestamp: UInt64 = 1_700_000_000

    static func cosigner(_ name: String = "witness.example/w1") throws -> CosignerKey {
        try CosignerKey.generate(name: name)
    }

    /// The checkpoint note `note` with one byte of its root hash line changed, signatures kept.
    static func tamperingRoot(of note: SignedNote) throws -> SignedNote {
        var lines = note.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = lines[2].first == "A" ? "B" + lines[2].dropFirst() : "A" + lines[2].dropFirst()
        return try SignedNote(text: lines.joined(separator: "\n"), signatures: note.signatures)
    }

    /// `hash` with its first bit flipped.
    static func flipped(_ hash: [UInt8]) -> [UInt8] {
        var copy = hash
        copy[0] ^= 0x80
        return copy
    }
}
