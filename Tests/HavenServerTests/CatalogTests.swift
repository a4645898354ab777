import Foundation
import HavenStore
import HavenIdentity
import Testing

@testable import HavenServer

@Suite struct CatalogTests {
    let catalog: Catalog
    init() throws { catalog = try Catalog.inMemory() }

    @Test func tokensAreListedInCreationOrder() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try catalog.insertToken(APIToken.generate(), name: "owner", principal: .owner, createdAt: start)
        _ = try catalog.insertToken(APIToken.generate(), name: "phone", principal: .app("phone"), createdAt: start + 2)
        _ = try catalog.insertToken(APIToken.generate(), name: "laptop", principal: .app("laptop"), createdAt: start + 1)
        #expect(try catalog.tokens().map(\.name) == ["owner", "laptop", "phone"])
    }

    @Test func anActiveNameCannotBeTakenTwiceButARevokedOneCanBeReused() throws {
        _ = try catalog.insertToken(APIToken.generate(), name: "laptop", principal: .app("laptop"), createdAt: Date())
        #expect(throws: RegistryError.tokenNameTaken("laptop")) {
            try catalog.insertToken(APIToken.generate(), name: "laptop", principal: .app("laptop"), createdAt: Date())
        }
        let revoked = try catalog.revokeToken(named: "laptop", at: Date())
        #expect(revoked.isRevoked)
        _ = try catalog.insertToken(APIToken.generate(), name: "laptop", principal: .app("laptop"), createdAt: Date())
        #expect(try catalog.tokens().map(\.name) == ["laptop"])
        #expect(try catalog.tokens(includeRevoked: true).count == 2)
    }

    @Test func revokingAnUnknownNameFails() {
        #expect(throws: RegistryError.tokenNotFound("ghost")) { try catalog.revokeToken(named: "ghost", at: Date()) }
    }

    @Test func theOwnerTokenCannotBeRevokedThroughTheCatalogAPI() throws {
        _ = try catalog.insertToken(APIToken.generate(), name: "owner", principal: .owner, createdAt: Date())
        #expect(throws: RegistryError.ownerTokenProtected) { try catalog.revokeToken(named: "owner", at: Date()) }
        #expect(try catalog.tokens().map(\.isRevoked) == [false])
    }
}
