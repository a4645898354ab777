import Foundation
import HavenIdentity
import Testing

@testable import HavenExchange

/// Each refusal is checked next to the same request done right, which must be accepted: a
/// refusal that also refused the good request would prove nothing.
@Suite struct RequestVerifierTests {
    typealias F = SignatureFixtures

    /// Expects `good` to verify and `bad` to be refused with `error`.
    func expect(
        _ error: SignatureError, good: SignableRequest, bad: SignableRequest, body: [UInt8]? = F.body,
        badBody: [UInt8]?? = .none, at now: Date = F.now, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(throws: Never.self, sourceLocation: sourceLocation) {
            try F.verifier.verify(good, body: body, at: now)
        }
        #expect(throws: error, sourceLocation: sourceLocation) {
            try F.verifier.verify(bad, body: badBody ?? body, at: now)
        }
    }

    // MARK: Round trip

    @Test func acceptsARequestSignedWithHavensPolicy() throws {
        let request = try F.signed(nonce: "n-1")
        let verified = try F.verifier.verify(request, body: F.body, at: F.now.addingTimeInterval(5))
        #expect(
            verified
                == VerifiedSignature(
                    signer: F.key.did, created: F.now, expires: F.now.addingTimeInterval(60), nonce: "n-1",
                    label: "haven"))
    }

    @Test func acceptsABodilessRequest() throws {
        let request = try F.signed(method: "GET", body: nil)
        #expect(try F.verifier.verify(request, body: nil, at: F.now).signer == F.key.did)
        #expect(try F.verifier.verify(request, body: [], at: F.now).signer == F.key.did)
    }

    @Test func acceptsARequestSignedDirectlyOverHavensParameters() throws {
        // The fixture that the refusals below alter, shown to be right before it is altered.
        let request = try F.signed(parameters: F.parameters())
        #expect(try F.verifier.verify(request, body: F.body, at: F.now).nonce == "nonce-1")
    }

    @Test func acceptsParametersInTheOrderTheSignerChose() throws {
        var parameters = F.parameters()
        parameters.order = [.tag, .keyid, .alg, .nonce, .expires, .created]
        let request = try F.signed(parameters: parameters)
        #expect(request.field("Signature-Input")?.contains(#");tag="haven";keyid="#) == true)
        #expect(try F.verifier.verify(request, body: F.body, at: F.now).signer == F.key.did)
    }

    @Test func usesTheHavenLabelAndIgnoresOthers() throws {
        let good = try F.signed(parameters: F.parameters(), label: "peer")
        let input = try #require(good.field("Signature-Input"))
        let signature = try #require(good.field("Signature"))
        let withOthers =
            good
            .replacing("Signature-Input", with: #"other=("@method");created=1;alg="hmac-sha256", "# + input)
            .replacing("Signature", with: "other=:AAAA:, " + signature)
        #expect(try F.verifier.verify(withOthers, body: F.body, at: F.now).label == "peer")
    }

    // MARK: Altered requests

    @Test func refusesAnAlteredBody() throws {
        let good = try F.signed()
        expect(.contentDigestMismatch, good: good, bad: good, badBody: Array(#"{"hello": "world!"}"#.utf8))
        expect(.contentDigestMismatch, good: good, bad: good, badBody: .some(nil))
    }

    @Test func refusesAnAlteredBodyWithAReplacedDigest() throws {
        let good = try F.signed()
        let altered = Array(#"{"hello": "mallory"}"#.utf8)
        let bad = good.replacing("Content-Digest", with: ContentDigest.fieldValue(for: altered))
        expect(.badSignature, good: good, bad: bad, badBody: altered)
    }

    @Test func refusesAnAlteredMethod() throws {
        let good = try F.signed(method: "PUT")
        var bad = good
        bad.method = "DELETE"
        expect(.badSignature, good: good, bad: bad)
    }

    @Test(arguments: [
        "https://alice.example:8420/exchange/v1/tree/private/?a=1",
        "https://alice.example:8420/exchange/v1/tree/photos/?a=2",
        "https://alice.example:8421/exchange/v1/tree/photos/?a=1",
        "https://mallory.example:8420/exchange/v1/tree/photos/?a=1",
        "http://alice.example:8420/exchange/v1/tree/photos/?a=1",
    ])
    func refusesAnAlteredTargetURI(uri: String) throws {
        let good = try F.signed()
        var bad = good
        bad.targetURI = uri
        expect(.badSignature, good: good, bad: bad)
    }

    // MARK: Missing or unknown component policy

    @Test(arguments: [MessageComponent.method, .targetURI, .authority, .contentDigest])
    func refusesASignatureThatDoesNotCoverARequiredComponent(dropped: MessageComponent) throws {
        let good = try F.signed(parameters: F.parameters())
        let components = F.parameters().components.filter { $0 != dropped }
        let bad = try F.signed(parameters: F.parameters(components: components))
        expect(.missingRequiredComponent(dropped.identifier), good: good, bad: bad)
    }

    @Test func requiresTheDigestWhenContentLengthAnnouncesABody() throws {
        let components: [MessageComponent] = [.method, .targetURI, .authority]
        let good = try F.signed(parameters: F.parameters(components: components), body: nil)
        let bad = good.replacing("Content-Length", with: "18")
        expect(.missingRequiredComponent("content-digest"), good: good, bad: bad, body: nil)
    }

    @Test(arguments: [#""@status""#, #""@query-param";name="a""#, #""content-type";sf"#, #""@signature-params""#])
    func refusesAComponentItCannotReproduce(component: String) throws {
        let good = try F.signed(parameters: F.parameters())
        let input = try #require(good.field("Signature-Input"))
        let bad = good.replacing("Signature-Input", with: input.replacingOccurrences(of: "(", with: "(\(component) "))
        let error = #expect(throws: SignatureError.self) { try F.verifier.verify(bad, body: F.body, at: F.now) }
        #expect(throws: Never.self) { try F.verifier.verify(good, body: F.body, at: F.now) }
        guard case .unsupportedComponent(let name)? = error else {
            Issue.record("expected unsupportedComponent, got \(String(describing: error))")
            return
        }
        #expect(component.hasPrefix("\"\(name.split(separator: ";")[0])\""))
    }

    @Test func refusesASignatureOverAFieldTheRequestLacks() throws {
        let parameters = F.parameters(components: [.method, .targetURI, .authority, .contentDigest, .field("date")])
        let good = try F.signed(
            parameters: parameters, extraFields: [(name: "Date", value: "Sun, 15 Jun 2025 15:06:40 GMT")])
        expect(.missingField("date"), good: good, bad: good.replacing("Date", with: nil))
    }

    // MARK: Parameters

    @Test(arguments: ["rsa-pss-sha512", "hmac-sha256", "ED25519"])
    func refusesAnotherAlgorithm(alg: String) throws {
        let good = try F.signed(parameters: F.parameters())
        let bad = try F.signed(parameters: F.parameters(alg: alg))
        expect(.unsupportedAlgorithm(alg), good: good, bad: bad)
    }

    @Test func refusesAMissingAlgorithm() throws {
        let good = try F.signed(parameters: F.parameters())
        expect(.unsupportedAlgorithm(nil), good: good, bad: try F.signed(parameters: F.parameters(alg: nil)))
    }

    @Test(arguments: [
        "test-key-ed25519", "did:web:alice.example", "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
        "did:key:z6Mk" + String(repeating: "a", count: 200),
    ])
    func refusesAKeyIDThatIsNotAnEd25519DIDKey(keyid: String) throws {
        let good = try F.signed(parameters: F.parameters())
        expect(.invalidKeyID(keyid), good: good, bad: try F.signed(parameters: F.parameters(keyid: keyid)))
    }

    @Test func refusesAMissingKeyID() throws {
        let good = try F.signed(parameters: F.parameters())
        expect(.invalidKeyID(nil), good: good, bad: try F.signed(parameters: F.parameters(keyid: nil)))
    }

    @Test func refusesAKeyIDNamingAnotherKey() throws {
        let good = try F.signed(parameters: F.parameters())
        let bad = try F.signed(parameters: F.parameters(keyid: F.otherKey.did.description))
        expect(.badSignature, good: good, bad: bad)
    }

    @Test func refusesAStaleSignature() throws {
        let created = Int64(F.now.timeIntervalSince1970)
        // Long-lived signatures, so that only their age, not their expiry, is at fault.
        let good = try F.signed(parameters: F.parameters(created: created - 300, expires: created))
        let bad = try F.signed(parameters: F.parameters(created: created - 301, expires: created - 1))
        expect(.stale(created: F.now.addingTimeInterval(-301)), good: good, bad: bad)
    }

    @Test func refusesASignatureCreatedInTheFuture() throws {
        let created = Int64(F.now.timeIntervalSince1970)
        let good = try F.signed(parameters: F.parameters(created: created + 60))
        let bad = try F.signed(parameters: F.parameters(created: created + 61))
        expect(.createdInFuture(F.now.addingTimeInterval(61)), good: good, bad: bad)
    }

    @Test func refusesAnExpiredSignature() throws {
        let created = Int64(F.now.timeIntervalSince1970)
        let good = try F.signed(parameters: F.parameters(created: created - 120))
        let bad = try F.signed(parameters: F.parameters(created: created - 121))
        expect(.expired(F.now.addingTimeInterval(-61)), good: good, bad: bad)
    }

    @Test(arguments: [0, -1, 301])
    func refusesAnEmptyOrOverlongValidity(lifetime: Int64) throws {
        let created = Int64(F.now.timeIntervalSince1970)
        let good = try F.signed(parameters: F.parameters(expires: created + 300))
        let bad = try F.signed(parameters: F.parameters(expires: created + lifetime))
        let error = SignatureError.invalidValidityPeriod(
            created: F.now, expires: F.now.addingTimeInterval(TimeInterval(lifetime)))
        expect(error, good: good, bad: bad)
    }

    @Test func refusesAMissingNonceCreatedOrExpires() throws {
        let good = try F.signed(parameters: F.parameters())
        expect(.missingParameter("nonce"), good: good, bad: try F.signed(parameters: F.parameters(nonce: nil)))
        expect(.missingParameter("nonce"), good: good, bad: try F.signed(parameters: F.parameters(nonce: "")))
        expect(.missingParameter("created"), good: good, bad: try F.signed(parameters: F.parameters(created: nil)))
        expect(
            .missingParameter("expires"), good: good, bad: try F.signed(parameters: F.parameters(expires: .some(nil))))
    }

    @Test func refusesASignatureWithoutTheHavenTag() throws {
        let good = try F.signed(parameters: F.parameters())
        expect(.noHavenSignature, good: good, bad: try F.signed(parameters: F.parameters(tag: nil)))
        expect(.noHavenSignature, good: good, bad: try F.signed(parameters: F.parameters(tag: "web-bot-auth")))
    }

    // MARK: Fields

    @Test func refusesAnUnsignedRequest() throws {
        let good = try F.signed()
        expect(.missingSignature, good: good, bad: good.replacing("Signature", with: nil))
        expect(.missingSignature, good: good, bad: good.replacing("Signature-Input", with: nil))
    }

    @Test func refusesALabelWithoutASignature() throws {
        let good = try F.signed()
        let bad = good.replacing("Signature", with: "other=:\(Data(repeating: 1, count: 64).base64EncodedString()):")
        expect(.missingSignatureValue(label: "haven"), good: good, bad: bad)
    }

    @Test(arguments: [
        ("Signature-Input", #"haven=("@method" "#),
        ("Signature-Input", #"haven=("@method");tag="haven";created=1.5"#),
        ("Signature-Input", #"haven=("@method");tag="haven";nonce=token"#),
        ("Signature-Input", #"haven=("@method");tag="haven";custom="x""#),
        ("Signature", "haven=\"not bytes\""),
        ("Signature", "haven=:not base64!:"),
    ])
    func refusesAMalformedField(name: String, value: String) throws {
        let good = try F.signed()
        let bad = good.replacing(name, with: value)
        #expect(throws: Never.self) { try F.verifier.verify(good, body: F.body, at: F.now) }
        let error = #expect(throws: SignatureError.self) { try F.verifier.verify(bad, body: F.body, at: F.now) }
        guard case .malformedField(name, _)? = error else {
            Issue.record("expected malformedField(\(name)), got \(String(describing: error))")
            return
        }
    }

    @Test func refusesANonceTooLong() throws {
        let good = try F.signed(parameters: F.parameters(nonce: String(repeating: "n", count: 128)))
        let bad = try F.signed(parameters: F.parameters(nonce: String(repeating: "n", count: 129)))
        expect(.tooLong("nonce", limit: 128), good: good, bad: bad)
    }

    @Test func refusesASignatureTooLongOrTooShort() throws {
        let good = try F.signed()
        let signature = try #require(try SignatureFields.signature(label: "haven", in: good.field("Signature")!))
        let long = good.replacing(
            "Signature", with: try SignatureFields.signature(label: "haven", bytes: signature + [0]))
        let short = good.replacing(
            "Signature", with: try SignatureFields.signature(label: "haven", bytes: Array(signature.dropLast())))
        expect(.tooLong("signature", limit: 64), good: good, bad: long)
        expect(.badSignature, good: good, bad: short)
    }

    @Test func refusesAFieldLongerThan8KiB() throws {
        let good = try F.signed()
        let input = try #require(good.field("Signature-Input"))
        let padded = "pad=(\(String(repeating: "\"x\" ", count: 2048))), " + input
        expect(
            .tooLong("Signature-Input field", limit: 8192), good: good,
            bad: good.replacing("Signature-Input", with: padded))
    }
}
