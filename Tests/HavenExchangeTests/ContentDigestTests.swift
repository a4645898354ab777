import Testing

@testable import HavenExchange

@Suite struct ContentDigestTests {
    // RFC 9530 (Digest Fields, IETF), Appendix D "Sample Digest Values": the digests of the JSON
    // object {"hello": "world"}. Copyright (c) 2024 IETF Trust and the persons identified as the
    // document authors; code components are under the Revised (Simplified) BSD License.
    static let body = Array(#"{"hello": "world"}"#.utf8)
    static let sha256 = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    static let sha512 =
        "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"

    @Test func computesTheRFC9530SampleDigest() throws {
        #expect(ContentDigest.fieldValue(for: Self.body) == Self.sha256)
        try ContentDigest.verify(fieldValue: Self.sha256, body: Self.body)
    }

    @Test func refusesADigestOfAnotherBody() throws {
        try ContentDigest.verify(fieldValue: Self.sha256, body: Self.body)
        #expect(throws: SignatureError.contentDigestMismatch) {
            try ContentDigest.verify(fieldValue: Self.sha256, body: Array(#"{"hello": "world!"}"#.utf8))
        }
        #expect(throws: SignatureError.contentDigestMismatch) {
            try ContentDigest.verify(fieldValue: Self.sha256, body: [])
        }
    }

    @Test func refusesAFieldWithoutSHA256() throws {
        try ContentDigest.verify(fieldValue: "\(Self.sha512), \(Self.sha256)", body: Self.body)
        #expect(throws: SignatureError.missingContentDigestAlgorithm) {
            try ContentDigest.verify(fieldValue: Self.sha512, body: Self.body)
        }
    }

    @Test func ignoresOtherAlgorithmsWhenSHA256IsPresent() throws {
        // The sha-512 member here is not this body's digest: only sha-256 is checked.
        try ContentDigest.verify(fieldValue: "sha-512=:AAAA:, unixsum=30637, \(Self.sha256)", body: Self.body)
    }

    @Test(arguments: ["sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "sha-256=:not base64!:", "sha-256"])
    func refusesAMalformedField(value: String) {
        #expect(throws: Never.self) { try ContentDigest.verify(fieldValue: Self.sha256, body: Self.body) }
        let error = #expect(throws: SignatureError.self) {
            try ContentDigest.verify(fieldValue: value, body: Self.body)
        }
        #expect(error.map { if case .malformedField("Content-Digest", _) = $0 { true } else { false } } == true)
    }
}
