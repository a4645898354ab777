import Testing

@testable import HavenIdentity

@Suite struct Base32Tests {
    // RFC 4648 section 10, lower case and unpadded as CIDv1 writes them.
    @Test(arguments: [
        ("", ""), ("f", "my"), ("fo", "mzxq"), ("foo", "mzxw6"), ("foob", "mzxw6yq"),
        ("fooba", "mzxw6ytb"), ("foobar", "mzxw6ytboi"),
    ])
    func encodesRFC4648Vectors(text: String, encoded: String) {
        #expect(Base32.encode(Array(text.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(text.utf8))
        #expect(Base32.decode(encoded.uppercased()) == Array(text.utf8))
    }

    @Test func roundTripsRandomBytes() {
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        }
    }

    @Test(arguments: ["m1", "my=", "mz", "0"])
    func rejectsInvalidOrNonCanonicalText(text: String) {
        // "mz" leaves non-zero trailing bits: a second spelling of "f" that must not be accepted.
        #expect(Base32.decode(text) == nil)
    }
}
