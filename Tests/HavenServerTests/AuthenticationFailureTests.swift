import HavenAccess
import HavenIdentity
import Testing

@testable import HavenServer

/// What a failure is called in the log: a public id or a keyed fingerprint, never a secret.
@Suite struct AuthenticationFailureTests {
    let fingerprint = CredentialFingerprint()

    @Test func anAPITokenIsNamedByItsPublicIDAlone() {
        let token = APIToken.generate()
        let secret = String(token.stringValue.split(separator: "_").last!)
        let name = AuthenticationFailure.credential(inAuthorization: "Bearer \(token.stringValue)", fingerprint: fingerprint)
        #expect(name == "hvn_\(token.id.rawValue)")
        #expect(name?.contains(secret) == false)
    }

    @Test(arguments: [
        "Bearer hunter2", "Basic b3duZXI6aHVudGVyMg==", "Bearer hvn_short_hunter2", "Bearer a.b.hunter2", "hunter2",
    ])
    func anythingElseIsAFingerprintThatRevealsNothing(header: String) throws {
        let name = try #require(AuthenticationFailure.credential(inAuthorization: header, fingerprint: fingerprint))
        #expect(name.hasPrefix("fp:"))
        #expect(name.count == 19)
        #expect(!name.contains("hunter2") && !name.contains("b3duZXI6"))
        // The same text gets the same name, so repeated failures can be told apart.
        #expect(AuthenticationFailure.credential(inAuthorization: header, fingerprint: fingerprint) == name)
        #expect(AuthenticationFailure.credential(inAuthorization: header, fingerprint: CredentialFingerprint()) != name)
    }

    @Test func aCapabilityTokenIsNamedByTheIDTheAuditLogUses() {
        let token = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0." + String(repeating: "s", count: 86)
        let name = AuthenticationFailure.credential(inAuthorization: "Bearer \(token)", fingerprint: fingerprint)
        #expect(name == "capability " + CapabilityToken.id(of: token))
    }

    @Test func noCredentialsHaveNoName() {
        #expect(AuthenticationFailure.credential(inAuthorization: nil, fingerprint: fingerprint) == nil)
        #expect(AuthenticationFailure.credential(inAuthorization: "", fingerprint: fingerprint) == nil)
    }

    @Test(arguments: [
        (AuthenticationError.missingCredentials, AuthenticationFailure.Kind.missing),
        (.notBearer, .malformed), (.malformedToken, .malformed), (.invalidToken, .unknown),
        (.revokedToken, .revoked), (.sessionEnded, .session), (.capabilityNotAccepted, .capability),
        (.invalidCapability(id: "x", .revoked(id: "x")), .capability),
    ])
    func everyRefusalHasItsKind(error: AuthenticationError, kind: AuthenticationFailure.Kind) {
        #expect(AuthenticationFailure.kind(of: error) == kind)
    }

    @Test func theServersOwnTroubleIsNoFailureOfTheClient() {
        #expect(AuthenticationFailure.kind(of: .catalogUnavailable("disk")) == nil)
    }

    @Test func onlyFailuresThatPresentAWrongCredentialCountTowardsThrottling() {
        let throttled = AuthenticationFailure.Kind.allCases.filter(\.isThrottled)
        #expect(Set(throttled) == [.malformed, .unknown, .revoked, .session, .loginCode, .capability, .signature])
    }
}
