import Foundation
import HavenStore
import HavenIdentity
import Testing

@testable import HavenServer

@Suite struct TokenAuthenticatorTests {
    let catalog: Catalog
    let token = APIToken.generate()
    let authenticator: TokenAuthenticator

    init() throws {
        catalog = try Catalog.inMemory()
        _ = try catalog.insertToken(token, name: "laptop", principal: .app("laptop"), createdAt: Date())
        authenticator = TokenAuthenticator(catalog: catalog, owner: IdentityKey().did)
    }

    @Test func aKnownTokenIdentifiesItsPrincipal() throws {
        let authentication = try authenticator.authenticate(authorization: "Bearer \(token.stringValue)")
        #expect(authentication == Authentication(principal: .app("laptop"), tokenName: "laptop", tokenID: token.id))
        // The scheme is case-insensitive (RFC 9110).
        #expect(try authenticator.authenticate(authorization: "bearer \(token.stringValue)").tokenName == "laptop")
    }

    @Test(arguments: [
        (String?.none, AuthenticationError.missingCredentials),
        ("", .missingCredentials),
        ("Basic dXNlcjpwYXNz", .notBearer),
        ("Bearer", .malformedToken),
        ("Bearer nonsense", .malformedToken),
        ("Bearer \(APIToken.generate().stringValue)", .invalidToken),
    ])
    func badCredentialsAreRefused(header: String?, expected: AuthenticationError) {
        #expect(throws: expected) { try authenticator.authenticate(authorization: header) }
    }

    @Test func theRightIDWithAnotherSecretIsRefused() throws {
        let forged = token.stringValue.dropLast(4) + "aaaa"
        #expect(forged != token.stringValue)
        #expect(throws: AuthenticationError.invalidToken) { try authenticator.authenticate(authorization: "Bearer \(forged)") }
    }

    @Test func aRevokedTokenIsRefusedOnItsNextUse() throws {
        _ = try authenticator.authenticate(authorization: "Bearer \(token.stringValue)")
        _ = try catalog.revokeToken(named: "laptop", at: Date())
        #expect(throws: AuthenticationError.revokedToken) {
            try authenticator.authenticate(authorization: "Bearer \(token.stringValue)")
        }
    }
}
