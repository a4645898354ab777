import Foundation
import Testing

@testable import HavenExchange

@Suite struct RequestSignerTests {
    typealias F = SignatureFixtures

    @Test func signsWithHavensParametersAndCoversTheBodyDigest() throws {
        let fields = try RequestSigner(key: F.key, lifetime: 60)
            .sign(method: "POST", targetURI: F.targetURI, body: F.body, at: F.now, nonce: "n-1")
        let request = SignableRequest(method: "POST", targetURI: F.targetURI, fields: fields)
        #expect(fields.map(\.name) == ["Content-Digest", "Signature-Input", "Signature"])
        #expect(request.field("Content-Digest") == ContentDigest.fieldValue(for: F.body))
        #expect(
            request.field("Signature-Input")
                == #"haven=("@method" "@target-uri" "@authority" "content-digest");created=1750000000"#
                + #";expires=1750000060;nonce="n-1";alg="ed25519";keyid="\#(F.key.did)";tag="haven""#)
        #expect(request.field("Signature")?.hasPrefix("haven=:") == true)
    }

    @Test func leavesTheDigestOutWithoutABody() throws {
        let fields = try RequestSigner(key: F.key).sign(method: "GET", targetURI: F.targetURI, body: nil, at: F.now)
        let request = SignableRequest(method: "GET", targetURI: F.targetURI, fields: fields)
        #expect(request.field("Content-Digest") == nil)
        #expect(request.field("Signature-Input")?.hasPrefix(#"haven=("@method" "@target-uri" "@authority");"#) == true)
    }

    @Test func drawsAFreshNonceForEachRequest() throws {
        let first = try F.verifier.verify(try F.signed(), body: F.body, at: F.now)
        let second = try F.verifier.verify(try F.signed(), body: F.body, at: F.now)
        #expect(first.nonce != second.nonce)
        #expect(first.nonce.count == 22)
    }

    @Test func refusesANonceTooLongOrUnwritableAndAnUnusableLifetime() throws {
        let signer = RequestSigner(key: F.key)
        _ = try signer.sign(
            method: "GET", targetURI: F.targetURI, body: nil, at: F.now, nonce: String(repeating: "n", count: 128))
        #expect(throws: SignatureError.tooLong("nonce", limit: 128)) {
            try signer.sign(
                method: "GET", targetURI: F.targetURI, body: nil, at: F.now, nonce: String(repeating: "n", count: 129))
        }
        #expect(throws: SignatureError.self) {
            try signer.sign(method: "GET", targetURI: F.targetURI, body: nil, at: F.now, nonce: "é")
        }
        #expect(throws: SignatureError.self) {
            try RequestSigner(key: F.key, lifetime: 0).sign(method: "GET", targetURI: F.targetURI, body: nil, at: F.now)
        }
        #expect(throws: SignatureError.invalidTargetURI("/relative")) {
            try signer.sign(method: "GET", targetURI: "/relative", body: nil, at: F.now)
        }
    }
}
