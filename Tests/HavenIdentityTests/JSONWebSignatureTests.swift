import Crypto
import Foundation
import Testing

@testable import HavenIdentity

/// RFC 8037 appendix A.1 and A.4: an Ed25519 key and the compact JWS of
/// "Example of Ed25519 signing" under the header {"alg":"EdDSA"}.
private enum RFC8037 {
    static let seed = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
    static let publicKey = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    static let signingInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    static let signature = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    static let token = signingInput + "." + signature
}

@Suite struct JSONWebSignatureTests {
    let key = IdentityKey()

    /// A token with the given header JSON, payload and signature bytes, encoded as JWS does.
    func token(header: String, payload: String = #"{"sub":"x"}"#, signature: [UInt8]) -> String {
        Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "."
            + Base64URL.encode(signature)
    }

    func decodingError(_ token: String) -> JSONWebSignatureError? {
        #expect(throws: JSONWebSignatureError.self) { try JSONWebSignature.decode(token) }
    }

    @Test func signsDecodesAndVerifies() throws {
        let payload = Array(#"{"hello":"world"}"#.utf8)
        let token = try JSONWebSignature.sign(payload: payload, with: key)
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        #expect(segments.count == 3)
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
        #expect(segments[0] == "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9")  // {"alg":"EdDSA","typ":"JWT"}

        let decoded = try JSONWebSignature.decode(token)
        #expect(decoded.header == Array(#"{"alg":"EdDSA","typ":"JWT"}"#.utf8))
        #expect(decoded.payload == payload)
        #expect(decoded.signingInput == Array(segments[0...1].joined(separator: ".").utf8))
        #expect(decoded.signature.count == 64)
        #expect(decoded.isSigned(by: key.did))
    }

    @Test func verifiesTheRFC8037Example() throws {
        let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: Base64URL.decode(RFC8037.publicKey)!)
        let decoded = try JSONWebSignature.decode(RFC8037.token)
        #expect(decoded.header == Array(#"{"alg":"EdDSA"}"#.utf8))
        #expect(decoded.payload == Array("Example of Ed25519 signing".utf8))
        #expect(decoded.isSigned(by: DID(publicKey: publicKey)))
    }

    @Test func signsAsTheRFC8037ExampleDoes() throws {
        // Ed25519 is deterministic, so our key type must reproduce the published signature.
        let key = try IdentityKey(seed: Base64URL.decode(RFC8037.seed)!)
        #expect(key.did.publicKeyBytes == Base64URL.decode(RFC8037.publicKey))
        let decoded = try JSONWebSignature.decode(RFC8037.token)
        #expect(Array(try key.signature(for: decoded.signingInput)) == decoded.signature)
    }

    @Test func refusesAlgNoneWithAnEmptySignature() {
        let unsigned = token(header: #"{"alg":"none","typ":"JWT"}"#, signature: [])
        #expect(unsigned.hasSuffix("."))
        #expect(decodingError(unsigned) == .unsupportedAlgorithm("none"))
    }

    @Test func refusesAnHMACTokenSignedWithThePublicKey() {
        // The classic confusion: an HS256 token whose secret is the verifier's public key.
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        let payload = #"{"sub":"x"}"#
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array(signingInput.utf8), using: SymmetricKey(data: key.did.publicKeyBytes))
        #expect(decodingError(token(header: header, signature: Array(mac))) == .unsupportedAlgorithm("HS256"))
    }

    @Test(arguments: [
        (#"{"alg":"RS256"}"#, "RS256"),
        (#"{"alg":"ES256"}"#, "ES256"),
        (#"{"alg":"eddsa"}"#, "eddsa"),
        (#"{"alg":"Ed25519"}"#, "Ed25519"),
        (#"{"alg":""}"#, ""),
        (#"{"typ":"JWT"}"#, ""),
    ])
    func refusesEveryOtherAlgorithm(header: String, algorithm: String) {
        #expect(decodingError(token(header: header, signature: Array(repeating: 1, count: 64)))
            == .unsupportedAlgorithm(algorithm))
    }

    @Test func refusesCriticalExtensionsAndOtherTypes() {
        let signature = [UInt8](repeating: 1, count: 64)
        #expect(decodingError(token(header: #"{"alg":"EdDSA","crit":["b64"],"b64":false}"#, signature: signature))
            == .criticalExtensions)
        #expect(decodingError(token(header: #"{"alg":"EdDSA","typ":"JWE"}"#, signature: signature))
            == .unsupportedType("JWE"))
    }

    @Test(arguments: [#"["EdDSA"]"#, #""EdDSA""#, "alg=EdDSA", #"{"alg":1}"#, #"{"alg":"EdDSA","typ":7}"#])
    func refusesAHeaderThatIsNotAJSONObjectOfStrings(header: String) {
        guard case .malformed = decodingError(token(header: header, signature: Array(repeating: 1, count: 64)))
        else {
            Issue.record("expected a malformed header")
            return
        }
    }

    @Test(arguments: [
        RFC8037.token + "=",  // padding
        RFC8037.signingInput + "." + RFC8037.signature.replacingOccurrences(of: "_", with: "/"),  // '/' for '_'
        RFC8037.signingInput + "." + String(RFC8037.signature.dropLast()) + "h",  // the same bytes, spelt differently
        "eyJhbGciOiJFZERTQSJ9=.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc." + RFC8037.signature,
        RFC8037.signingInput,  // two segments
        RFC8037.token + ".e30",  // four segments
        " " + RFC8037.token,
        RFC8037.signingInput + ".hgyY0il_MGCjP0Jz",  // a short signature
    ])
    func refusesAnythingButStrictUnpaddedBase64URL(text: String) {
        guard case .malformed = decodingError(text) else {
            Issue.record("expected a malformed token")
            return
        }
    }

    @Test func refusesTokensOverSixteenKibibytes() throws {
        let large = token(
            header: #"{"alg":"EdDSA"}"#, payload: String(repeating: "x", count: 13_000), signature: Array(
                repeating: 1, count: 64))
        #expect(decodingError(large) == .tooLarge(bytes: large.utf8.count))
        // 124 bytes of header, dots and signature around the payload's base64url.
        #expect(throws: JSONWebSignatureError.tooLarge(bytes: 16_386)) {
            try JSONWebSignature.sign(payload: Array(repeating: 0x78, count: 12_196), with: key)
        }
        let largest = try JSONWebSignature.sign(payload: Array(repeating: 0x78, count: 12_195), with: key)
        #expect(largest.utf8.count == JSONWebSignature.maximumSize)
        #expect(try JSONWebSignature.decode(largest).isSigned(by: key.did))
    }

    @Test func anAlteredPayloadIsNotSigned() throws {
        let token = try JSONWebSignature.sign(payload: Array(#"{"can":"read"}"#.utf8), with: key)
        let parts = token.split(separator: ".").map(String.init)
        let altered = [parts[0], Base64URL.encode(Array(#"{"can":"write"}"#.utf8)), parts[2]].joined(separator: ".")
        #expect(try !JSONWebSignature.decode(altered).isSigned(by: key.did))
    }

    @Test func anotherKeyDidNotSignIt() throws {
        let token = try JSONWebSignature.sign(payload: Array("{}".utf8), with: key)
        #expect(try !JSONWebSignature.decode(token).isSigned(by: IdentityKey().did))
    }
}
