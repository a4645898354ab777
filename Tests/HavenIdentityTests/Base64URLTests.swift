import Testing

@testable import HavenIdentity

@Suite struct Base64URLTests {
    // RFC 4648 §10, without the padding base64url drops.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func encodesTheRFC4648Vectors(text: String, encoded: String) {
        #expect(Base64URL.encode(Array(text.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(text.utf8))
    }

    @Test func usesTheURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test(arguments: [
        "Zg==",  // padding
        "Zm8=",
        "+_-_",  // the standard alphabet's '+'
        "-/-_",  // and '/'
        "Zm9v Yg",  // whitespace
        "Zm9vY",  // a length of 1 modulo 4
        "Zh",  // non-zero trailing bits: a second spelling of "f"
        "Zm9",
        "Zm9vYg\n",
    ])
    func refusesAnythingButOneCanonicalSpelling(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func roundTripsRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for count in 0..<70 {
            let bytes = (0..<count).map { _ in generator.next() as UInt8 }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }
}
