import HavenAccess
import Testing

/// Each constraint kind, decided through a one-permission policy for Alice reading the report.
@Suite("Constraints")
struct LicenceConstraintTests {
    typealias F = PolicyFixtures

    private func policy(_ constraint: String) throws -> LicencePolicy {
        try F.parse(F.alicePermission(constraints: "[\(constraint)]"))
    }

    private func dateTime(_ op: String, _ bound: String) -> String {
        #"{"leftOperand": "dateTime", "operator": "\#(op)", "rightOperand": {"@value": "\#(bound)", "@type": "xsd:dateTime"}}"#
    }

    // MARK: dateTime

    @Test(arguments: [
        // operator, request time, allowed — around an expiry of 2027-01-01T00:00:00Z
        ("lteq", "2026-12-31T23:59:59.999999999Z", true),
        ("lteq", "2027-01-01T00:00:00Z", true),
        ("lteq", "2027-01-01T00:00:00.000000001Z", false),
        ("lt", "2026-12-31T23:59:59.999999999Z", true),
        ("lt", "2027-01-01T00:00:00Z", false),
        ("gteq", "2026-12-31T23:59:59.999999999Z", false),
        ("gteq", "2027-01-01T00:00:00Z", true),
        ("gt", "2027-01-01T00:00:00Z", false),
        ("gt", "2027-01-01T00:00:00.000000001Z", true),
        ("eq", "2027-01-01T01:00:00+01:00", true),
        ("eq", "2027-01-01T00:00:00.001Z", false),
        ("neq", "2027-01-01T00:00:00Z", false),
        ("neq", "2027-01-01T00:00:01Z", true),
    ])
    func dateTimeBoundariesAreExact(_ op: String, _ now: String, _ allowed: Bool) throws {
        let decision = try policy(dateTime(op, "2027-01-01T00:00:00Z")).evaluate(F.request(at: now))
        #expect(decision.isAllowed == allowed, "\(decision.reason)")
        #expect(decision.basis == (allowed ? .permitted : .constraintUnsatisfied))
        #expect(decision.rule?.uid == "urn:uuid:permission-1")
    }

    @Test func expiryIsExplained() throws {
        let licence = try policy(dateTime("lteq", "2027-01-01T00:00:00Z"))
        #expect(licence.evaluate(F.request(at: "2026-06-01T00:00:00Z")).reason.hasSuffix("until 2027-01-01T00:00:00Z"))
        #expect(licence.evaluate(F.request(at: "2027-02-01T00:00:00Z")).reason
            == "permission 0 (urn:uuid:permission-1) does not allow read of \(F.reportID) now: it is 2027-02-01T00:00:00Z, not until 2027-01-01T00:00:00Z")
    }

    // MARK: purpose

    @Test(arguments: [
        // operator, right operand, stated purpose, allowed
        ("isA", #""dpv:ResearchAndDevelopment""#, "dpv:AcademicResearch", true),
        ("isA", #""dpv:ResearchAndDevelopment""#, "dpv:ResearchAndDevelopment", true),
        ("isA", #""dpv:AcademicResearch""#, "dpv:ResearchAndDevelopment", false),
        ("isA", #""dpv:ResearchAndDevelopment""#, "dpv:Marketing", false),
        ("eq", #""dpv:ResearchAndDevelopment""#, "dpv:CommercialResearch", true),
        ("eq", #""dpv:AcademicResearch""#, "dpv:CommercialResearch", false),
        ("isAnyOf", #"["dpv:AcademicResearch", "dpv:NonCommercialPurpose"]"#, "dpv:NonCommercialResearch", true),
        ("isAnyOf", #"["dpv:AcademicResearch", "dpv:NonCommercialPurpose"]"#, "dpv:CommercialResearch", false),
        ("neq", #""dpv:Marketing""#, "dpv:TargetedAdvertising", false),
        ("neq", #""dpv:Marketing""#, "dpv:ServiceProvision", true),
        ("isNoneOf", #"["dpv:Marketing", "dpv:CommercialPurpose"]"#, "dpv:CommercialResearch", false),
        ("isNoneOf", #"["dpv:Marketing", "dpv:CommercialPurpose"]"#, "dpv:AcademicResearch", true),
    ])
    func purposesFollowTheDPVHierarchy(_ op: String, _ right: String, _ stated: String, _ allowed: Bool) throws {
        let licence = try policy(#"{"leftOperand": "purpose", "operator": "\#(op)", "rightOperand": \#(right)}"#)
        let decision = licence.evaluate(F.request(purpose: stated))
        #expect(decision.isAllowed == allowed, "\(decision.reason)")
    }

    @Test func aPurposeConstraintWithoutAStatedPurposeDeniesAndSaysWhy() throws {
        let licence = try policy(#"{"leftOperand": "purpose", "operator": "isA", "rightOperand": "dpv:ResearchAndDevelopment"}"#)
        let decision = licence.evaluate(F.request())
        #expect(!decision.isAllowed)
        #expect(decision.basis == .constraintUndetermined)
        #expect(decision.rule?.index == 0)
        #expect(decision.reason.contains("the request states no purpose (required: purpose isA dpv:ResearchAndDevelopment)"))
        #expect(licence.evaluate(F.request(purpose: "dpv:AcademicResearch")).reason
            .hasSuffix("for purpose dpv:ResearchAndDevelopment (stated: dpv:AcademicResearch)"))
    }

    // MARK: count

    @Test func countLimitsUsesAndAsksForEachUseToBeCounted() throws {
        let licence = try policy(#"{"leftOperand": "count", "operator": "lteq", "rightOperand": 3}"#)
        let key = LicenceRuleKey("urn:uuid:permission-1")
        #expect(licence.key(ofPermission: 0) == key)

        let first = licence.evaluate(F.request())
        #expect(first.isAllowed && first.countUse == key)
        #expect(first.reason.hasSuffix("(2 of 3 uses left)"))
        let last = licence.evaluate(F.request(uses: [key: 2]))
        #expect(last.isAllowed && last.reason.hasSuffix("(0 of 3 uses left)"))
        let spent = licence.evaluate(F.request(uses: [key: 3]))
        #expect(!spent.isAllowed && spent.basis == .constraintUnsatisfied && spent.countUse == nil)
        #expect(spent.reason.hasSuffix("all 3 allowed uses have been made"))
        #expect(licence.evaluate(F.request(uses: [LicenceRuleKey("urn:uuid:other"): 9])).isAllowed)
    }

    @Test func countLessThanExcludesTheLimit() throws {
        let licence = try policy(#"{"leftOperand": "count", "operator": "lt", "rightOperand": 3}"#)
        let key = licence.key(ofPermission: 0)
        #expect(licence.evaluate(F.request(uses: [key: 1])).reason.hasSuffix("(0 of 2 uses left)"))
        #expect(!licence.evaluate(F.request(uses: [key: 2])).isAllowed)
        #expect(!(try self.policy(#"{"leftOperand": "count", "operator": "lt", "rightOperand": 0}"#)).evaluate(F.request()).isAllowed)
    }

    @Test func aNegativeUseCountCannotBeEvaluated() throws {
        let licence = try policy(#"{"leftOperand": "count", "operator": "lteq", "rightOperand": 3}"#)
        let decision = licence.evaluate(F.request(uses: [licence.key(ofPermission: 0): -1]))
        #expect(!decision.isAllowed && decision.basis == .constraintUndetermined)
    }

    @Test func rulesWithoutAUIDAreCountedByPlace() throws {
        let licence = try F.parse(F.document(#"""
            "permission": [{"action": "distribute", "target": "\#(F.thesisID)"},
                           {"action": "read", "target": "\#(F.reportID)", "constraint": [{"leftOperand": "count", "operator": "lteq", "rightOperand": 1}]}]
            """#, uid: "urn:uuid:licence-9"))
        let key = LicenceRuleKey("urn:uuid:licence-9#permission[1]")
        #expect(licence.evaluate(F.request()).countUse == key)
        #expect(!licence.evaluate(F.request(uses: [key: 1])).isAllowed)
        #expect(licence.evaluate(F.request(.distribute, on: F.thesis)).countUse == nil)
    }

    // MARK: recipient

    @Test(arguments: [
        ("eq", #""\#(PolicyFixtures.bobDID)""#, PolicyFixtures.bobDID, true),
        ("eq", #""\#(PolicyFixtures.bobDID)""#, PolicyFixtures.carolDID, false),
        ("isAnyOf", #"["\#(PolicyFixtures.bobDID)", "\#(PolicyFixtures.carolDID)"]"#, PolicyFixtures.carolDID, true),
        ("isPartOf", #"["\#(PolicyFixtures.bobDID)"]"#, PolicyFixtures.carolDID, false),
        ("neq", #""\#(PolicyFixtures.bobDID)""#, PolicyFixtures.bobDID, false),
        ("isNoneOf", #"["\#(PolicyFixtures.bobDID)"]"#, PolicyFixtures.carolDID, true),
    ])
    func recipientsAreComparedByDID(_ op: String, _ right: String, _ recipient: String, _ allowed: Bool) throws {
        let licence = try F.parse(F.alicePermission("distribute", constraints: #"[{"leftOperand": "recipient", "operator": "\#(op)", "rightOperand": \#(right)}]"#))
        let decision = licence.evaluate(F.request(.distribute, recipient: try LicenceParty(recipient)))
        #expect(decision.isAllowed == allowed, "\(decision.reason)")
    }

    @Test func distributingWithoutARecipientCannotBeEvaluated() throws {
        let licence = try F.parse(F.alicePermission("distribute", constraints: #"[{"leftOperand": "recipient", "operator": "eq", "rightOperand": "\#(F.bobDID)"}]"#))
        let decision = licence.evaluate(F.request(.distribute))
        #expect(decision.basis == .constraintUndetermined)
        #expect(decision.reason.contains("names no recipient"))
    }

    // MARK: and / or

    @Test func logicalConstraintsUseThreeValuedLogic() throws {
        let research = #"{"leftOperand": "purpose", "operator": "isA", "rightOperand": "dpv:ResearchAndDevelopment"}"#
        let before2027 = dateTime("lt", "2027-01-01T00:00:00Z")
        let anyOf = try policy(#"{"or": [\#(research), \#(before2027)]}"#)
        #expect(anyOf.evaluate(F.request(at: "2026-01-01T00:00:00Z")).isAllowed)
        #expect(anyOf.evaluate(F.request(at: "2028-01-01T00:00:00Z")).basis == .constraintUndetermined)
        #expect(!anyOf.evaluate(F.request(at: "2028-01-01T00:00:00Z", purpose: "dpv:Marketing")).isAllowed)
        #expect(anyOf.evaluate(F.request(at: "2028-01-01T00:00:00Z", purpose: "dpv:AcademicResearch")).isAllowed)

        let allOf = try policy(#"{"and": [\#(research), \#(before2027)]}"#)
        #expect(allOf.evaluate(F.request(at: "2028-01-01T00:00:00Z")).basis == .constraintUnsatisfied)
        #expect(allOf.evaluate(F.request(at: "2026-01-01T00:00:00Z")).basis == .constraintUndetermined)
        let allowed = allOf.evaluate(F.request(at: "2026-01-01T00:00:00Z", purpose: "dpv:ScientificResearch"))
        #expect(allowed.reason.hasSuffix("for purpose dpv:ResearchAndDevelopment (stated: dpv:ScientificResearch) and before 2027-01-01T00:00:00Z"))
    }
}
