import Crypto
import Foundation
import HavenIdentity
import Testing

@testable import HavenExchange

@Suite struct SignatureBaseTests {
    // Test vectors from RFC 9421 "HTTP Message Signatures" (IETF, February 2024): the key
    // test-key-ed25519 of Appendix B.1.4, the test-request of Appendix B.2 and the example of
    // Appendix B.2.6 "Signing a Request Using ed25519". Copied from the working group's source of
    // the RFC (github.com/httpwg/http-extensions, archive/draft-ietf-httpbis-message-signatures.md),
    // checked against https://www.rfc-editor.org/rfc/rfc9421; lines the RFC wraps per RFC 8792
    // ('\' line wrapping) are joined here. Copyright (c) 2024 IETF Trust and the persons identified
    // as the document authors. Code components are under the Revised (Simplified) BSD License.
    static let rfcKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
        -----END PRIVATE KEY-----
        """
    /// The public key of B.1.4 in JWK form ("x"), base64url.
    static let rfcPublicKeyX = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"
    /// B.2's test-request: `POST /foo?param=Value&Pet=dog HTTP/1.1` to `example.com`.
    static let rfcRequest = SignableRequest(
        method: "POST",
        targetURI: "https://example.com/foo?param=Value&Pet=dog",
        fields: [
            (name: "Host", value: "example.com"),
            (name: "Date", value: "Tue, 20 Apr 2021 02:07:55 GMT"),
            (name: "Content-Type", value: "application/json"),
            (
                name: "Content-Digest",
                value:
                    "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
            ),
            (name: "Content-Length", value: "18"),
        ])
    static let rfcBase = """
        "date": Tue, 20 Apr 2021 02:07:55 GMT
        "@method": POST
        "@path": /foo
        "@authority": example.com
        "content-type": application/json
        "content-length": 18
        "@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"
        """
    static let rfcSignatureInput =
        #"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#
    static let rfcSignature =
        "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"
    static let rfcSignatureBytes = Array(
        Data(base64Encoded: "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==")!
    )
    static let rfcParameters = SignatureParameters(
        components: [.field("date"), .method, .path, .authority, .field("content-type"), .field("content-length")],
        created: 1_618_884_473, keyid: "test-key-ed25519")

    @Test func theRFCKeyIsTheOneAppendixB14Describes() throws {
        let key = try IdentityKey(pemRepresentation: Self.rfcKeyPEM)
        #expect(Base64URL.encode(key.privateKey.publicKey.rawRepresentation) == Self.rfcPublicKeyX)
    }

    @Test func reproducesTheRFC9421Ed25519SignatureBase() throws {
        let base = try SignatureBase(request: Self.rfcRequest, parameters: Self.rfcParameters)
        #expect(base.text == Self.rfcBase)
    }

    @Test func signsTheRFCBaseToTheRFCSignature() throws {
        let key = try IdentityKey(pemRepresentation: Self.rfcKeyPEM)
        let base = try SignatureBase(request: Self.rfcRequest, parameters: Self.rfcParameters)
        let signature = try base.signature(using: key)
        // Ed25519 (RFC 8032) is deterministic, and swift-crypto's BoringSSL backend follows it.
        // Apple's CryptoKit adds randomness to its signatures, so there only verification can match.
        #if !canImport(CryptoKit)
            #expect(signature == Self.rfcSignatureBytes)
        #endif
        #expect(base.isValidSignature(signature, by: key.privateKey.publicKey))
        #expect(try SignatureFields.signature(label: "sig-b26", bytes: Self.rfcSignatureBytes) == Self.rfcSignature)
    }

    @Test func verifiesTheRFCSignatureAndNotAnAlteredOne() throws {
        let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: Base64URL.decode(Self.rfcPublicKeyX)!)
        let base = try SignatureBase(request: Self.rfcRequest, parameters: Self.rfcParameters)
        #expect(base.isValidSignature(Self.rfcSignatureBytes, by: publicKey))

        let altered = try SignatureBase(
            request: Self.rfcRequest.replacing("Content-Length", with: "19"), parameters: Self.rfcParameters)
        #expect(!altered.isValidSignature(Self.rfcSignatureBytes, by: publicKey))
    }

    @Test func writesAndReadsTheRFCSignatureInput() throws {
        #expect(
            try SignatureFields.signatureInput(label: "sig-b26", parameters: Self.rfcParameters)
                == Self.rfcSignatureInput)
        let parsed = try SignatureFields.parameters(label: "sig-b26", in: Self.rfcSignatureInput)
        #expect(parsed?.components == Self.rfcParameters.components)
        #expect(try parsed?.serialized() == Self.rfcParameters.serialized())
        #expect(try SignatureFields.signature(label: "sig-b26", in: Self.rfcSignature) == Self.rfcSignatureBytes)
    }

    @Test func keepsTheParameterOrderASignerChose() throws {
        // RFC 9421 §2.3's example, whose parameters are not in the order the RFC lists them.
        let inner =
            #"("@target-uri" "@authority" "date" "cache-control");keyid="test-key-rsa-pss";alg="rsa-pss-sha512";created=1618884475;expires=1618884775"#
        let parameters = try #require(try SignatureFields.parameters(label: "sig1", in: "sig1=\(inner)"))
        #expect(try parameters.serialized() == inner)
        #expect(parameters.created == 1_618_884_475)
        #expect(parameters.expires == 1_618_884_775)
        #expect(parameters.alg == "rsa-pss-sha512")
    }

    @Test func derivesTheRequestComponents() throws {
        let request = SignableRequest(
            method: "GET", targetURI: "https://Alice.Example:8420/tree/a%20b?x=1&y=2", fields: [])
        let parameters = SignatureParameters(
            components: [.method, .targetURI, .authority, .scheme, .path, .query, .requestTarget])
        let base = try SignatureBase(request: request, parameters: parameters)
        #expect(
            base.text == """
                "@method": GET
                "@target-uri": https://Alice.Example:8420/tree/a%20b?x=1&y=2
                "@authority": alice.example:8420
                "@scheme": https
                "@path": /tree/a%20b
                "@query": ?x=1&y=2
                "@request-target": /tree/a%20b?x=1&y=2
                "@signature-params": ("@method" "@target-uri" "@authority" "@scheme" "@path" "@query" "@request-target")
                """)
    }

    @Test(arguments: [
        ("https://alice.example:443/", "alice.example", "/", "?"),
        ("http://alice.example:80", "alice.example", "/", "?"),
        ("http://alice.example:443/p?", "alice.example:443", "/p", "?"),
        ("https://[::1]:8420/p?q", "[::1]:8420", "/p", "?q"),
    ])
    func omitsTheDefaultPortAndFillsEmptyPathAndQuery(uri: String, authority: String, path: String, query: String)
        throws
    {
        let target = try TargetURI(uri)
        #expect(target.authority == authority)
        #expect(target.path == path)
        #expect("?" + (target.query ?? "") == query)
    }

    @Test(arguments: [
        "/relative", "ftp://alice.example/", "https://user@alice.example/", "https://alice.example/#f",
        "https://alice.example/a b", "https:///nohost", "https://alice.example:70000/",
    ])
    func refusesATargetURIThatIsNotAnAbsoluteHTTPURI(uri: String) {
        #expect(throws: SignatureError.invalidTargetURI(uri)) { try TargetURI(uri) }
    }

    @Test func joinsRepeatedFieldLinesAndRefusesAMissingOrMultilineField() throws {
        let parameters = SignatureParameters(components: [.field("x-list")])
        let request = SignableRequest(
            method: "GET", targetURI: "https://a.example/",
            fields: [(name: "X-List", value: " a, b "), (name: "x-list", value: "\tc")])
        #expect(try SignatureBase(request: request, parameters: parameters).text.hasPrefix("\"x-list\": a, b, c\n"))
        #expect(throws: SignatureError.missingField("x-list")) {
            try SignatureBase(request: request.replacing("x-list", with: nil), parameters: parameters)
        }
        #expect(throws: SignatureError.self) {
            try SignatureBase(request: request.replacing("x-list", with: "a\n\"@method\": GET"), parameters: parameters)
        }
    }

    @Test(arguments: ["@query-param", "@status", "Date", "@signature-params", ""])
    func refusesComponentsItCannotReproduce(identifier: String) {
        #expect(throws: Never.self) { try MessageComponent(identifier: "date") }
        #expect(throws: SignatureError.unsupportedComponent(identifier)) {
            try MessageComponent(identifier: identifier)
        }
    }
}
