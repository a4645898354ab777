import Testing

@testable import HavenStore

struct ContentIDBinaryTests {
    static let helloWorld = Array("hello world".utf8)

    @Test func rawIdOfHelloWorldHasThePublishedBytes() {
        let id = ContentID.hashing(Self.helloWorld, codec: .raw)
        // CIDv1, raw (0x55), sha2-256 (0x12), 32 bytes (0x20), then SHA-256("hello world").
        let expected = [0x01, 0x55, 0x12, 0x20] + Self.bytes(hex: "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        #expect(id.binaryRepresentation == expected)
        // dag-json's codec 0x129 takes two varint bytes.
        #expect(ContentID.hashing(Self.helloWorld, codec: .dagJSON).binaryRepresentation.prefix(5) == [0x01, 0xA9, 0x02, 0x12, 0x20])
    }

    @Test(arguments: [ContentID.Codec.raw, .dagJSON])
    func binaryRoundTrips(codec: ContentID.Codec) throws {
        let id = ContentID.hashing(Array("some chunk".utf8), codec: codec)
        #expect(try ContentID(binary: id.binaryRepresentation) == id)
        #expect(try ContentID(binary: id.binaryRepresentation[...]) == id)
    }

    @Test(arguments: [ContentID.Codec.raw, .dagJSON])
    func binaryIsWhatTheDescriptionSpellsInBase32(codec: ContentID.Codec) {
        let id = ContentID.hashing(Array("another chunk".utf8), codec: codec)
        #expect(id.description == "b" + Self.base32(id.binaryRepresentation))
    }

    @Test func readBinaryStopsAtTheEndOfTheID() throws {
        let id = ContentID.hashing(Self.helloWorld, codec: .dagJSON)
        let (read, byteCount) = try ContentID.readBinary(from: id.binaryRepresentation + Self.helloWorld)
        #expect(read == id)
        #expect(byteCount == 37)
    }

    @Test func matchesComparesTheSHA256() {
        let id = ContentID.hashing(Self.helloWorld, codec: .raw)
        #expect(id.matches(Self.helloWorld))
        #expect(ContentID(codec: .dagJSON, digest: id.digest).matches(Self.helloWorld))
        var flipped = Self.helloWorld
        flipped[0] ^= 0x20
        #expect(!id.matches(flipped))
    }

    static let digest = Self.bytes(hex: "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")

    /// Binary ids Haven refuses, each with a word its reason must contain.
    static let nonCanonical: [([UInt8], String)] = {
        let digest = Self.digest
        let canonicalHead: [UInt8] = [0x01, 0x55, 0x12, 0x20]
        var cases: [([UInt8], String)] = []
        cases.append(([], "truncated"))
        cases.append((canonicalHead + digest.dropLast(), "truncated"))
        cases.append((canonicalHead + digest + [0x00], "after the digest"))
        cases.append(([0x12, 0x20] + digest, "CIDv0"))
        cases.append(([0x02, 0x55, 0x12, 0x20] + digest, "version 2"))
        cases.append(([0x01, 0x70, 0x12, 0x20] + digest, "codec 0x70"))
        cases.append(([0x01, 0x55, 0x13, 0x20] + digest, "multihash 0x13"))
        cases.append(([0x01, 0x55, 0x12, 0x10] + digest.prefix(16), "32 bytes, not 16"))
        cases.append(([0x81, 0x00, 0x55, 0x12, 0x20] + digest, "non-minimal"))  // version 1 in two bytes
        cases.append(([0x01, 0xD5, 0x00, 0x12, 0x20] + digest, "non-minimal"))  // raw in two bytes
        cases.append(([0x01, 0xA9, 0x82, 0x00, 0x12, 0x20] + digest, "non-minimal"))  // dag-json in three
        cases.append(([UInt8](repeating: 0x81, count: 40), "too long"))
        return cases
    }()

    @Test(arguments: nonCanonical)
    func nonCanonicalBinaryIsRejectedWithItsReason(bytes: [UInt8], reasonMentions: String) {
        // The canonical form, next to the refused ones.
        #expect((try? ContentID(binary: [0x01, 0x55, 0x12, 0x20] + Self.digest)) == ContentID.hashing(Self.helloWorld, codec: .raw))
        do {
            let id = try ContentID(binary: bytes)
            Issue.record("\(bytes) parsed as \(id)")
        } catch {
            guard case .invalidContentID(_, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(reason.contains(reasonMentions), "reason was: \(reason)")
        }
    }

    // MARK: Helpers

    /// RFC 4648 base32, lower case, unpadded: written here so the test does not lean on the
    /// encoder it checks.
    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var bits = bytes.flatMap { byte in (0..<8).reversed().map { (byte >> $0) & 1 } }
        bits += [UInt8](repeating: 0, count: (5 - bits.count % 5) % 5)
        return String(stride(from: 0, to: bits.count, by: 5).map { start in
            alphabet[Int(bits[start..<start + 5].reduce(0) { $0 << 1 | $1 })]
        })
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }
}
