import HavenAccess
import Testing

@Suite("Deciding requests")
struct LicenceEvaluatorTests {
    typealias F = PolicyFixtures

    @Test func nothingIsAllowedThatNoPermissionCovers() throws {
        let licence = try F.parse(F.alicePermission("read"))
        #expect(licence.evaluate(F.request()).isAllowed)
        for request in [F.request(by: F.bob), F.request(on: F.thesis), F.request(.use), F.request(.distribute), F.request(.ai)] {
            let decision = licence.evaluate(request)
            #expect(!decision.isAllowed)
            #expect(decision.basis == .noMatchingPermission)
            #expect(decision.rule == nil)
            #expect(decision.reason.hasSuffix("denied by default"))
        }
    }

    @Test func aPermissionToUseCoversEveryIncludedAction() throws {
        let licence = try F.parse(F.alicePermission("use"))
        for action in LicenceAction.allCases {
            let decision = licence.evaluate(F.request(action))
            #expect(decision.isAllowed, "\(action)")
        }
        #expect(licence.evaluate(F.request(.ai)).reason.contains("haven:ai (included in use) allowed"))
    }

    @Test func aMatchingProhibitionOverridesAPermission() throws {
        let licence = try F.parse(F.document(#"""
            "permission": [{"uid": "urn:uuid:use", "action": "use", "target": "\#(F.reportID)"}],
            "prohibition": [{"uid": "urn:uuid:no-ai", "action": "haven:ai", "target": "\#(F.reportID)"}]
            """#))
        #expect(licence.evaluate(F.request(.read)).isAllowed)
        let ai = licence.evaluate(F.request(.ai))
        #expect(!ai.isAllowed)
        #expect(ai.basis == .conflict)
        #expect(ai.rule?.uid == "urn:uuid:no-ai")
        #expect(ai.reason.contains("conflicts with permission 0 (urn:uuid:use)"))
        #expect(ai.reason.contains("default conflict strategy (invalid)"))
        // A request for `use` as a whole overlaps the prohibited AI use.
        #expect(licence.evaluate(F.request(.use)).basis == .conflict)
    }

    @Test func aProhibitionAloneDenies() throws {
        let licence = try F.parse(F.document(#""prohibition": [{"action": "distribute", "assignee": "\#(F.bobDID)"}]"#))
        let decision = licence.evaluate(F.request(.distribute, by: F.bob))
        #expect(decision.basis == .prohibited)
        #expect(decision.rule?.kind == .prohibition)
        #expect(decision.reason == "prohibition 0: distribute prohibited for \(F.bobDID) on any content")
        #expect(licence.evaluate(F.request(.distribute, by: F.alice)).basis == .noMatchingPermission)
    }

    @Test func aConstrainedProhibitionAppliesOnlyWhenItHolds() throws {
        let licence = try F.parse(F.document(#"""
            "permission": [{"action": "use", "target": "\#(F.reportID)"}],
            "prohibition": [{"action": "use", "target": "\#(F.reportID)",
                             "constraint": [{"leftOperand": "purpose", "operator": "isA", "rightOperand": "dpv:Marketing"}]}]
            """#))
        #expect(licence.evaluate(F.request(purpose: "dpv:AcademicResearch")).isAllowed)
        #expect(licence.evaluate(F.request(purpose: "dpv:DirectMarketing")).basis == .conflict)
        let silent = licence.evaluate(F.request())
        #expect(!silent.isAllowed)
        #expect(silent.basis == .constraintUndetermined)
        #expect(silent.rule?.kind == .prohibition)
        #expect(silent.reason.contains("may forbid"))
    }

    @Test func theFirstPermissionThatHoldsDecides() throws {
        let licence = try F.parse(F.document(#"""
            "permission": [
              {"uid": "urn:uuid:research", "action": "read", "constraint": [{"leftOperand": "purpose", "operator": "isA", "rightOperand": "dpv:ResearchAndDevelopment"}]},
              {"uid": "urn:uuid:until-2027", "action": "read", "constraint": [{"leftOperand": "dateTime", "operator": "lt", "rightOperand": "2027-01-01T00:00:00Z"}]}
            ]
            """#))
        #expect(licence.evaluate(F.request(at: "2026-01-01T00:00:00Z")).rule?.uid == "urn:uuid:until-2027")
        #expect(licence.evaluate(F.request(at: "2026-01-01T00:00:00Z", purpose: "dpv:AcademicResearch")).rule?.uid == "urn:uuid:research")
        let neither = licence.evaluate(F.request(at: "2028-01-01T00:00:00Z"))
        #expect(neither.basis == .constraintUndetermined && neither.rule?.uid == "urn:uuid:research")
        let wrongPurpose = licence.evaluate(F.request(at: "2028-01-01T00:00:00Z", purpose: "dpv:Marketing"))
        #expect(wrongPurpose.basis == .constraintUnsatisfied && wrongPurpose.rule?.uid == "urn:uuid:research")
    }

    @Test func dutiesAndObligationsComeWithTheDecision() throws {
        let licence = try F.parse(F.document(#"""
            "permission": [{"action": "read", "target": "\#(F.reportID)", "duty": [{"uid": "urn:uuid:credit", "action": "attribute"}]}],
            "obligation": [{"action": "delete", "assignee": "\#(F.aliceDID)", "target": "\#(F.reportID)"},
                           {"action": "inform", "assignee": "\#(F.bobDID)"},
                           {"action": "compensate"}]
            """#))
        let alice = licence.evaluate(F.request())
        #expect(alice.duties.map(\.action) == [.attribute, .delete, .compensate])
        #expect(alice.reason.hasSuffix("; duties: attribute, delete, compensate"))
        #expect(licence.evaluate(F.request(by: F.bob)).duties.map(\.action) == [.attribute, .inform, .compensate])
        #expect(licence.evaluate(F.request(.distribute)).duties.isEmpty)
    }

    @Test func theReasonNamesTheRuleAndEveryCondition() throws {
        let licence = try F.parse(F.document(#"""
            "permission": [
              {"action": "distribute", "target": "\#(F.thesisID)"},
              {"uid": "urn:uuid:research-read", "action": "read", "target": "\#(F.reportID)", "assignee": "\#(F.aliceDID)", "constraint": [
                {"leftOperand": "dateTime", "operator": "lteq", "rightOperand": {"@value": "2027-01-01T00:00:00Z", "@type": "xsd:dateTime"}},
                {"leftOperand": "purpose", "operator": "isA", "rightOperand": {"@id": "dpv:ResearchAndDevelopment"}},
                {"leftOperand": "count", "operator": "lteq", "rightOperand": 3}]}]
            """#))
        let decision = licence.evaluate(F.request(purpose: "dpv:ResearchAndDevelopment"))
        #expect(decision == LicenceDecision(
            isAllowed: true, basis: .permitted,
            rule: LicenceRuleReference(kind: .permission, index: 1, uid: "urn:uuid:research-read", key: LicenceRuleKey("urn:uuid:research-read")),
            reason: "permission 1 (urn:uuid:research-read): read allowed for \(F.aliceDID) on \(F.reportID) until 2027-01-01T00:00:00Z "
                + "for purpose dpv:ResearchAndDevelopment (2 of 3 uses left)",
            countUse: LicenceRuleKey("urn:uuid:research-read")
        ))
    }

    @Test func anAgreementGrantsOnlyItsAssignee() throws {
        let licence = try F.parse(F.document(#"""
            "assigner": "\#(F.bobDID)", "assignee": "\#(F.aliceDID)", "target": "\#(F.reportID)",
            "permission": [{"action": "read"}, {"action": "haven:ai"}]
            """#, type: "Agreement"))
        #expect(licence.evaluate(F.request(.ai)).rule?.index == 1)
        #expect(!licence.evaluate(F.request(by: F.carol)).isAllowed)
        #expect(!licence.evaluate(F.request(on: F.thesis)).isAllowed)
    }
}
