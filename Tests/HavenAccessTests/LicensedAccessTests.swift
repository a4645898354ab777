import Foundation
import HavenIdentity
import HavenStore
import Testing

@testable import HavenAccess

/// Grants and capability tokens that carry a licence: the decision function enforces it on
/// every use, names the rule that decided, and counted uses are counted atomically.
@Suite struct LicensedAccessTests {
    typealias F = PolicyFixtures
    /// 2026-06-01, before the licence's end date.
    let now = Date(timeIntervalSince1970: 1_780_272_000)
    let bob = Principal.peer(try! DID(parsing: PolicyFixtures.bobDID))

    /// Research use of the report by Bob, three times, until 2027.
    let research = try! F.parse(
        F.document(
            #"""
            "permission": [{"uid": "urn:uuid:research-read", "action": "use", "target": "\#(F.reportID)", "assignee": "\#(F.bobDID)",
              "constraint": [
                {"leftOperand": "dateTime", "operator": "lt", "rightOperand": "2027-01-01T00:00:00Z"},
                {"leftOperand": "purpose", "operator": "isA", "rightOperand": "dpv:ResearchAndDevelopment"},
                {"leftOperand": "count", "operator": "lteq", "rightOperand": 3}]}]
            """#))

    func grant(policy: LicencePolicy?, id: String = "g-licensed") -> Grant {
        Grant(
            id: id, principal: bob, rights: [.read, .list], resource: "/reports/", purpose: nil, createdAt: now - 60,
            expiresAt: nil, revokedAt: nil, policy: policy)
    }

    func request(purpose: String? = "dpv:AcademicResearch", target: LicenceTarget = F.report, counted: Bool = true) -> AccessRequest {
        AccessRequest(
            principal: bob, right: .read, resource: "/reports/q1.pdf",
            use: LicenceUse(action: .read, target: target, purpose: purpose.map { try! DPVPurpose($0) }, counted: counted))
    }

    @Test func aLicensedGrantAllowsTheUseItNamesAndSaysWhichRule() {
        let decision = AccessPolicy.decide(request(), grants: [grant(policy: research)], at: now)
        #expect(decision.allowed)
        #expect(decision.basis == "g-licensed")
        #expect(decision.reason.contains("urn:uuid:research-read"))
        #expect(decision.reason.contains("under licence urn:uuid:policy-under-test"))
        #expect(decision.countedUses == [CountedUse(basis: "g-licensed", key: LicenceRuleKey("urn:uuid:research-read"))])
    }

    @Test func theLicenceRefusesAnotherPurposeTheEndDateAndTheFourthUse() {
        let grants = [grant(policy: research)]
        let marketing = AccessPolicy.decide(request(purpose: "dpv:Marketing"), grants: grants, at: now)
        #expect(!marketing.allowed)
        #expect(marketing.reason.contains("refuses it"))
        #expect(marketing.countedUses.isEmpty)

        let unstated = AccessPolicy.decide(request(purpose: nil), grants: grants, at: now)
        #expect(!unstated.allowed)

        let late = AccessPolicy.decide(request(), grants: grants, at: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(!late.allowed)

        let third = AccessPolicy.decide(request(), grants: grants, at: now) { _ in [LicenceRuleKey("urn:uuid:research-read"): 2] }
        #expect(third.allowed)
        let fourth = AccessPolicy.decide(request(), grants: grants, at: now) { _ in [LicenceRuleKey("urn:uuid:research-read"): 3] }
        #expect(!fourth.allowed)
        #expect(fourth.reason.contains("urn:uuid:research-read"))
    }

    @Test func otherContentUnderTheSameGrantIsNotLicensed() {
        let decision = AccessPolicy.decide(request(target: F.thesis), grants: [grant(policy: research)], at: now)
        #expect(!decision.allowed)
    }

    @Test func aRequestThatStatesNoUseIsRefusedByALicensedGrantOnly() {
        let plain = AccessRequest(principal: bob, right: .list, resource: "/reports/")
        let refused = AccessPolicy.decide(plain, grants: [grant(policy: research)], at: now)
        #expect(!refused.allowed)
        #expect(refused.reason.contains("carries the licence"))
        #expect(AccessPolicy.decide(plain, grants: [grant(policy: nil)], at: now).allowed)
    }

    @Test func anUncountedUseChecksEveryOtherTermButCountsNothing() {
        let grants = [grant(policy: research)]
        let chunk = AccessPolicy.decide(request(counted: false), grants: grants, at: now) { _ in
            [LicenceRuleKey("urn:uuid:research-read"): 3]
        }
        #expect(chunk.allowed)
        #expect(chunk.countedUses.isEmpty)
        #expect(!AccessPolicy.decide(request(purpose: "dpv:Marketing", counted: false), grants: grants, at: now).allowed)
    }

    @Test func anUnrestrictedGrantBesideALicensedOneStillAllows() {
        let grants = [grant(policy: research), grant(policy: nil, id: "g-plain")]
        let decision = AccessPolicy.decide(request(purpose: "dpv:Marketing"), grants: grants, at: now)
        #expect(decision.allowed)
        #expect(decision.basis == "g-plain")
    }

    @Test func aCapabilityCarryingALicenceIsDecidedByIt() throws {
        let token = VerifiedCapability(
            id: "tok", issuer: try DID(parsing: F.aliceDID), audience: try DID(parsing: F.bobDID),
            capabilities: [Capability(resource: "/reports/", right: .read)], chain: ["tok"], expiresAt: nil)
        let allowed = AccessPolicy.decide(request(), capability: token, policies: ["tok": research], at: now)
        #expect(allowed.allowed)
        #expect(allowed.reason.hasPrefix("capability token tok under licence"))
        #expect(allowed.countedUses.count == 1)
        #expect(!AccessPolicy.decide(request(purpose: "dpv:Marketing"), capability: token, policies: ["tok": research], at: now).allowed)
        #expect(AccessPolicy.decide(request(purpose: "dpv:Marketing"), capability: token, policies: [:], at: now).allowed)
    }

    // MARK: Counting in the catalog

    func catalog(with grant: Grant) throws -> Catalog {
        let catalog = try Catalog.inMemory(schema: CatalogSchema([.grants, .grantNotBefore, .shares, .licences]))
        try catalog.insertGrant(grant)
        return catalog
    }

    @Test func aLicenceKeptInTheCatalogReadsBackTheSame() throws {
        let catalog = try catalog(with: grant(policy: research))
        let kept = try #require(try catalog.grants(for: bob).first)
        #expect(kept.policy == research)
    }

    @Test func countedUsesStopAtTheLimitInTheCatalog() throws {
        let catalog = try catalog(with: grant(policy: research))
        var answers: [Bool] = []
        for _ in 0..<5 {
            let grants = try catalog.grants(for: bob)
            let decision = try catalog.decideCounting(at: now) { uses in
                AccessPolicy.decide(request(), grants: grants, at: now, uses: uses)
            }
            answers.append(decision.allowed)
        }
        #expect(answers == [true, true, true, false, false])
        #expect(try catalog.licenceUses(basis: "g-licensed") == [LicenceRuleKey("urn:uuid:research-read"): 3])
    }

    @Test func racingRequestsGetExactlyTheLicensedNumberOfUses() async throws {
        let catalog = try catalog(with: grant(policy: research))
        let grants = try catalog.grants(for: bob)
        let request = request()
        let now = now
        let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try catalog.decideCounting(at: now) { uses in
                        AccessPolicy.decide(request, grants: grants, at: now, uses: uses)
                    }.allowed
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 3)
    }
}
