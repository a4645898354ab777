import Foundation
import HavenIdentity
import Testing

@testable import HavenAccess
import HavenStore

@Suite struct GrantTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func grant(
        to principal: Principal = .app("laptop"), on resource: String = "models/", expires: TimeInterval? = nil,
        revoked: Bool = false
    ) -> Grant {
        Grant(
            id: "g1", principal: principal, rights: [.infer], resource: resource, purpose: nil,
            createdAt: now - 60, expiresAt: expires.map { now + $0 }, revokedAt: revoked ? now - 1 : nil)
    }

    @Test(arguments: [
        ("models/", "models/smollm2", true),
        ("models/smollm2", "models/smollm2", true),
        ("models/smollm2", "models/smollm2-large", false),
        ("models/smollm2", "models/other", false),
    ])
    func coversItsResourceOnly(granted: String, asked: String, allowed: Bool) {
        #expect(grant(on: granted).allows(.app("laptop"), .infer, on: asked, at: now) == allowed)
    }

    @Test func coversItsPrincipalOnly() {
        #expect(!grant().allows(.app("phone"), .infer, on: "models/x", at: now))
    }

    @Test func expiredAndRevokedGrantsAllowNothing() {
        #expect(grant(expires: 1).allows(.app("laptop"), .infer, on: "models/x", at: now))
        #expect(!grant(expires: 0).allows(.app("laptop"), .infer, on: "models/x", at: now))
        #expect(!grant(expires: -10).allows(.app("laptop"), .infer, on: "models/x", at: now))
        #expect(!grant(revoked: true).allows(.app("laptop"), .infer, on: "models/x", at: now))
    }

    @Test func theCatalogKeepsAndRevokesGrants() throws {
        let catalog = try Catalog.inMemory(schema: CatalogSchema([.grants, .grantNotBefore, .shares, .licences]))
        try catalog.insertGrant(grant())
        #expect(try catalog.grants(for: .app("laptop")).count == 1)
        #expect(try catalog.grants(for: .app("phone")).isEmpty)
        let revoked = try catalog.revokeGrant(id: "g1", at: now)
        #expect(revoked.revokedAt == now)
        #expect(try catalog.grants(for: .app("laptop")).isEmpty)
        #expect(throws: AccessError.grantNotFound("g1")) { try catalog.revokeGrant(id: "g1", at: now) }
    }
}
