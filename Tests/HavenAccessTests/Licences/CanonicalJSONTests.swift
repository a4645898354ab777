import HavenAccess
import Testing

@Suite("Canonical JSON for signing")
struct CanonicalJSONTests {
    typealias F = PolicyFixtures

    @Test func canonicalFormSortsKeysAndDropsWhitespace() throws {
        let policy = try F.parse(#"""
            {
              "uid": "urn:uuid:1",
              "@context": "http://www.w3.org/ns/odrl.jsonld",
              "permission": [{"target": "\#(F.reportID)", "action": "read",
                "constraint": [{"rightOperand": "2027-01-01T01:00:00.500+01:00", "operator": "lt", "leftOperand": "dateTime"}]}]
            }
            """#)
        let expected = #"{"@context":["http://www.w3.org/ns/odrl.jsonld",{"dpv":"https://w3id.org/dpv#","haven":"https://haven.example/ns#"}],"#
            + #""@type":"Set","permission":[{"action":"read","constraint":[{"leftOperand":"dateTime","operator":"lt","#
            + #""rightOperand":{"@type":"xsd:dateTime","@value":"2027-01-01T00:00:00.5Z"}}],"target":"\#(F.reportID)"}],"#
            + #""profile":"https://haven.example/ns/odrl-profile","uid":"urn:uuid:1"}"#
        #expect(String(decoding: policy.canonicalJSON, as: UTF8.self) == expected)
    }

    @Test func everyFeatureRoundTripsThroughTheCanonicalForm() throws {
        let policy = try LicencePolicy(
            kind: .agreement,
            uid: "urn:uuid:licence-7",
            title: "Research licence \"v1\"\n",
            summary: "Read and AI use for research, three times; no redistribution. \u{1}",
            assigner: F.bob,
            permissions: [
                LicenceRule(
                    uid: "urn:uuid:p0", action: .read, target: F.report, assignee: F.alice,
                    constraints: [
                        .dateTime(.lteq, F.time("2027-01-01T00:00:00Z")),
                        .purpose(.isA, [try DPVPurpose("dpv:ResearchAndDevelopment")]),
                        .count(.lteq, 3),
                    ],
                    duties: [LicenceDuty(uid: "urn:uuid:d0", action: .attribute)]
                ),
                LicenceRule(
                    action: .distribute, target: F.report, assignee: F.alice,
                    constraints: [.or([.recipient(.isAnyOf, [F.bob, F.carol]), .and([.purpose(.isNoneOf, [try DPVPurpose("dpv:Marketing")])])])]
                ),
            ],
            prohibitions: [LicenceRule(uid: "urn:uuid:n0", action: .ai, target: F.report, assignee: F.alice, constraints: [.recipient(.neq, [F.carol])])],
            obligations: [LicenceDuty(action: .delete, assignee: F.alice, target: F.report)]
        )
        let bytes = policy.canonicalJSON
        let reread = try LicencePolicy(parsing: bytes)
        #expect(reread == policy)
        #expect(reread.canonicalJSON == bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""dct:title":"Research licence \"v1\"\n""#))
        #expect(text.contains(#"\u0001""#))
        #expect(text.contains(#""action":"haven:ai""#))
        #expect(text.contains(#""rightOperand":{"@id":"dpv:ResearchAndDevelopment"}"#))
        #expect(text.contains(#""rightOperand":[{"@id":"\#(F.bobDID)"},{"@id":"\#(F.carolDID)"}]"#))
        #expect(!text.contains(" \""))
    }

    @Test func theSameLicenceWrittenTwoWaysSignsTheSameBytes() throws {
        let compact = try F.parse(F.alicePermission("use", constraints: #"[{"leftOperand": "dateTime", "operator": "gteq", "rightOperand": "2026-01-01T00:00:00Z"}]"#))
        let spaced = try F.parse(F.alicePermission("use", constraints: #"""
            [ { "operator" : "gteq" , "rightOperand" : { "@type" : "xsd:dateTime" , "@value" : "2025-12-31T19:00:00.000-05:00" } , "leftOperand" : "dateTime" } ]
            """#))
        #expect(compact.canonicalJSON == spaced.canonicalJSON)
    }
}
