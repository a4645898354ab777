import Foundation
import HavenAccess
import HavenIdentity
import Testing

@testable import HavenExchange

@Suite struct HeldCapabilityTests {
    let alice = IdentityKey()
    let bob = IdentityKey()

    func token(issuer: IdentityKey, audience: DID, expires: Date? = nil) throws -> String {
        try CapabilityToken.mint(
            issuer: issuer, audience: audience, capabilities: [Capability(resource: "/photos/trip/", right: .read)],
            expiresAt: expires)
    }

    @Test func keepsATokenThePeerIssuedToThisServer() throws {
        let held = try HeldCapability.verify(try token(issuer: alice, audience: bob.did), issuer: alice.did, holder: bob.did, at: Date())
        #expect(held.issuer == alice.did)
        #expect(held.allows(.read, on: "/photos/trip/beach.jpg", at: Date()))
        #expect(!held.allows(.read, on: "/photos/home.jpg", at: Date()))
        #expect(!held.allows(.write, on: "/photos/trip/beach.jpg", at: Date()))
    }

    @Test func refusesATokenFromAnotherIssuerOrForAnotherHolder() throws {
        let carol = IdentityKey()
        #expect(throws: ExchangeError.self) {
            try HeldCapability.verify(try token(issuer: carol, audience: bob.did), issuer: alice.did, holder: bob.did, at: Date())
        }
        #expect(throws: ExchangeError.self) {
            try HeldCapability.verify(try token(issuer: alice, audience: carol.did), issuer: alice.did, holder: bob.did, at: Date())
        }
        #expect(throws: ExchangeError.self) {
            try HeldCapability.verify("not.a.token", issuer: alice.did, holder: bob.did, at: Date())
        }
    }

    @Test func anExpiredTokenAllowsNothing() throws {
        let now = Date()
        let held = try HeldCapability.verify(
            try token(issuer: alice, audience: bob.did, expires: now.addingTimeInterval(60)), issuer: alice.did,
            holder: bob.did, at: now)
        #expect(held.allows(.read, on: "/photos/trip/a", at: now))
        #expect(!held.allows(.read, on: "/photos/trip/a", at: now.addingTimeInterval(61)))
    }

    @Test func theCatalogPicksATokenCoveringThePath() throws {
        let fixture = try ExchangeFixture()
        defer { fixture.remove() }
        let held = try HeldCapability.verify(try token(issuer: alice, audience: bob.did), issuer: alice.did, holder: bob.did, at: Date())
        try fixture.catalog.saveHeldCapability(held)
        #expect(try fixture.catalog.heldCapability(from: alice.did, allowing: .read, on: "/photos/trip/")?.token == held.token)
        #expect(try fixture.catalog.heldCapability(from: alice.did, allowing: .read, on: "/photos/") == nil)
        #expect(try fixture.catalog.heldCapability(from: bob.did, allowing: .read, on: "/photos/trip/") == nil)
    }
}
