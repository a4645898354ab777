import Testing

@testable import HavenIdentity

@Suite struct Base58Tests {
    // Vectors from the base58 Internet-Draft (draft-msporny-base58).
    @Test(arguments: [
        ("Hello World!", "2NEpo7TZRRrLZSi2U"),
        ("The quick brown fox jumps over the lazy dog.", "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z"),
    ])
    func encodesPublishedVectors(text: String, encoded: String) {
        #expect(Base58.encode(Array(text.utf8)) == encoded)
        #expect(Base58.decode(encoded) == Array(text.utf8))
    }

    @Test func keepsLeadingZeroBytesAsOnes() {
        #expect(Base58.encode([0x00, 0x00, 0x28, 0x7F, 0xB4, 0xCD]) == "11233QC4")
        #expect(Base58.decode("11233QC4") == [0x00, 0x00, 0x28, 0x7F, 0xB4, 0xCD])
        #expect(Base58.encode([]) == "")
        #expect(Base58.decode("") == [])
    }

    @Test func roundTripsRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<80 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base58.decode(Base58.encode(bytes)) == bytes)
        }
    }

    @Test(arguments: ["0", "O", "I", "l", "abc+", "é"])
    func rejectsCharactersOutsideTheAlphabet(text: String) {
        #expect(Base58.decode(text) == nil)
    }
}
