import Foundation
import HavenIdentity
import Testing

@testable import HavenAccess

@Suite struct AccessPolicyTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let laptop = Principal.app("laptop")

    func grant(
        id: String = "g1", to principal: Principal = .app("laptop"), _ rights: [Right], on resource: String,
        notBefore: TimeInterval? = nil, expires: TimeInterval? = nil
    ) -> Grant {
        Grant(
            id: id, principal: principal, rights: rights, resource: resource, purpose: nil, createdAt: now - 60,
            notBefore: notBefore.map { now + $0 }, expiresAt: expires.map { now + $0 }, revokedAt: nil)
    }

    func decide(_ right: Right, _ resource: String, _ grants: [Grant], as principal: Principal = .app("laptop")) -> AccessDecision {
        AccessPolicy.decide(AccessRequest(principal: principal, right: right, resource: resource), grants: grants, at: now)
    }

    @Test func theOwnerMayDoEverything() {
        #expect(decide(.delete, "/anything", [], as: .owner).allowed)
    }

    @Test(arguments: [
        ("/notes/", "/notes/a.txt", true), ("/notes/", "/notes/", true), ("/notes/", "/notes/deep/b", true),
        ("/notes", "/notes/a.txt", true), ("/notes", "/notes", true),
        ("/notes/", "/notes2/a.txt", false), ("/notes", "/notes2/a.txt", false), ("/notes", "/notes2", false),
        ("/notes/", "/notes", false), ("/notes/a.txt", "/notes/a.txt", true), ("/notes/a.txt", "/notes/a.txt2", false),
        ("/notes/a.txt", "/notes/a.txt/x", true), ("/", "/anything/at/all", true), ("/photos/", "/", false),
    ])
    func aGrantCoversItsPathAndBelowOnly(granted: String, asked: String, allowed: Bool) {
        #expect(decide(.read, asked, [grant([.read], on: granted)]).allowed == allowed)
    }

    @Test func aGrantGivesOnlyItsRights() {
        let grants = [grant([.read, .list], on: "/notes/")]
        #expect(decide(.read, "/notes/a", grants).allowed)
        #expect(decide(.list, "/notes/", grants).allowed)
        let denied = decide(.write, "/notes/a", grants)
        #expect(!denied.allowed)
        #expect(denied.reason.contains("read,list, not write"))
    }

    @Test func aGrantGivesNothingToOthers() {
        let denied = decide(.read, "/notes/a", [grant([.read], on: "/notes/")], as: .app("phone"))
        #expect(!denied.allowed)
        #expect(denied.reason == "app:phone holds no grant with read on /notes/a")
    }

    @Test func aGrantHoldsOnlyWithinItsWindow() {
        let early = decide(.read, "/n/a", [grant([.read], on: "/n/", notBefore: 10)])
        #expect(!early.allowed)
        #expect(early.reason.contains("not valid before"))
        #expect(decide(.read, "/n/a", [grant([.read], on: "/n/", notBefore: 0)]).allowed)
        #expect(decide(.read, "/n/a", [grant([.read], on: "/n/", expires: 1)]).allowed)
        let expired = decide(.read, "/n/a", [grant([.read], on: "/n/", expires: 0)])
        #expect(!expired.allowed)
        #expect(expired.reason.contains("expired"))
    }

    @Test func theDecisionNamesTheGrantThatAllowedIt() {
        let decision = decide(.read, "/n/a", [grant(id: "gA", [.list], on: "/n/"), grant(id: "gB", [.read], on: "/n/")])
        #expect(decision.allowed)
        #expect(decision.reason == "grant gB gives read on /n/")
        #expect(decision.basis == "gB")
    }

    @Test func aCapabilityAllowsWhatItCarriesOnly() throws {
        let holder = IdentityKey().did
        let capability = VerifiedCapability(
            id: "t1", issuer: IdentityKey().did, audience: holder,
            capabilities: [Capability(resource: "/photos/trip/", right: .read)], chain: ["t1"], expiresAt: nil)
        func decide(_ right: Right, _ resource: String) -> AccessDecision {
            AccessPolicy.decide(AccessRequest(principal: .peer(holder), right: right, resource: resource), capability: capability)
        }
        #expect(decide(.read, "/photos/trip/a.jpg").allowed)
        #expect(decide(.read, "/photos/trip/a.jpg").basis == "t1")
        #expect(!decide(.read, "/photos/other.jpg").allowed)
        #expect(!decide(.read, "/photos/trip2/a.jpg").allowed)
        #expect(!decide(.write, "/photos/trip/a.jpg").allowed)
    }
}
