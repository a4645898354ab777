import HavenAccess
import Testing

/// A document outside the subset, and the term and JSON path its refusal must name.
struct StrictRefusal: Sendable, CustomTestStringConvertible {
    let name: String
    let json: String
    let term: String
    let path: String

    var testDescription: String { name }

    static let all: [StrictRefusal] = {
        typealias F = PolicyFixtures
        let report = F.reportID
        func permission(_ members: String) -> String {
            F.document(#""permission": [{"action": "read", "target": "\#(report)", \#(members)}]"#)
        }
        func constraint(_ object: String) -> String {
            F.alicePermission(constraints: "[\(object)]")
        }
        return [
            StrictRefusal(name: "unknown action", json: F.alicePermission("print"), term: "print", path: "$.permission[0].action"),
            StrictRefusal(name: "transfer actions", json: F.alicePermission("sell"), term: "sell", path: "$.permission[0].action"),
            StrictRefusal(name: "deprecated write", json: F.alicePermission("write"), term: "write", path: "$.permission[0].action"),
            StrictRefusal(
                name: "refinement on an action",
                json: F.document(#""permission": [{"target": "\#(report)", "action": [{"rdf:value": {"@id": "odrl:print"}, "refinement": [{"leftOperand": "resolution", "operator": "lteq", "rightOperand": 1200}]}]}]"#),
                term: "refinement", path: "$.permission[0].action[0].refinement"
            ),
            StrictRefusal(
                name: "refinement on a constraint",
                json: constraint(#"{"leftOperand": "count", "operator": "lteq", "rightOperand": 3, "refinement": []}"#),
                term: "refinement", path: "$.permission[0].constraint[0].refinement"
            ),
            StrictRefusal(
                name: "unknown left operand",
                json: constraint(#"{"leftOperand": "spatial", "operator": "eq", "rightOperand": "EU"}"#),
                term: "spatial", path: "$.permission[0].constraint[0].leftOperand"
            ),
            StrictRefusal(
                name: "elapsed time is not dateTime",
                json: constraint(#"{"leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": "P30D"}"#),
                term: "elapsedTime", path: "$.permission[0].constraint[0].leftOperand"
            ),
            StrictRefusal(
                name: "operator that does not suit the left operand",
                json: constraint(#"{"leftOperand": "dateTime", "operator": "isA", "rightOperand": "2027-01-01T00:00:00Z"}"#),
                term: "isA", path: "$.permission[0].constraint[0].operator"
            ),
            StrictRefusal(
                name: "unknown operator",
                json: constraint(#"{"leftOperand": "purpose", "operator": "hasPart", "rightOperand": "dpv:Marketing"}"#),
                term: "hasPart", path: "$.permission[0].constraint[0].operator"
            ),
            StrictRefusal(
                name: "count greater than",
                json: constraint(#"{"leftOperand": "count", "operator": "gt", "rightOperand": 3}"#),
                term: "gt", path: "$.permission[0].constraint[0].operator"
            ),
            StrictRefusal(
                name: "unit",
                json: constraint(#"{"leftOperand": "count", "operator": "lteq", "rightOperand": 3, "unit": "http://qudt.org/vocab/unit/HR"}"#),
                term: "unit", path: "$.permission[0].constraint[0].unit"
            ),
            StrictRefusal(
                name: "right operand reference",
                json: constraint(#"{"leftOperand": "recipient", "operator": "eq", "rightOperandReference": "https://example.com/who"}"#),
                term: "rightOperandReference", path: "$.permission[0].constraint[0].rightOperandReference"
            ),
            StrictRefusal(
                name: "date without time",
                json: constraint(#"{"leftOperand": "dateTime", "operator": "lt", "rightOperand": {"@value": "2027-01-01", "@type": "xsd:date"}}"#),
                term: "xsd:date", path: "$.permission[0].constraint[0].rightOperand['@type']"
            ),
            StrictRefusal(
                name: "xone",
                json: constraint(#"{"xone": [{"leftOperand": "purpose", "operator": "eq", "rightOperand": "dpv:Marketing"}]}"#),
                term: "xone", path: "$.permission[0].constraint[0].xone"
            ),
            StrictRefusal(
                name: "andSequence",
                json: constraint(#"{"andSequence": [{"leftOperand": "purpose", "operator": "eq", "rightOperand": "dpv:Marketing"}]}"#),
                term: "andSequence", path: "$.permission[0].constraint[0].andSequence"
            ),
            StrictRefusal(
                name: "unknown DPV purpose",
                json: constraint(#"{"leftOperand": "purpose", "operator": "isA", "rightOperand": "dpv:Gardening"}"#),
                term: "dpv:Gardening", path: "$.permission[0].constraint[0].rightOperand"
            ),
            StrictRefusal(
                name: "purpose from another vocabulary",
                json: constraint(#"{"leftOperand": "purpose", "operator": "isAnyOf", "rightOperand": ["dpv:Marketing", "https://example.com/purposes#Fun"]}"#),
                term: "https://example.com/purposes#Fun", path: "$.permission[0].constraint[0].rightOperand[1]"
            ),
            StrictRefusal(
                name: "count on a prohibition",
                json: F.document(#""prohibition": [{"action": "distribute", "constraint": [{"leftOperand": "count", "operator": "lteq", "rightOperand": 1}]}]"#),
                term: "count", path: "$.prohibition[0].constraint[0].leftOperand"
            ),
            StrictRefusal(
                name: "count inside a logical constraint",
                json: constraint(#"{"or": [{"leftOperand": "count", "operator": "lteq", "rightOperand": 1}, {"leftOperand": "purpose", "operator": "eq", "rightOperand": "dpv:AcademicResearch"}]}"#),
                term: "count", path: "$.permission[0].constraint[0].or[0].leftOperand"
            ),
            StrictRefusal(
                name: "inheritFrom",
                json: F.document(#""inheritFrom": "urn:uuid:parent", "permission": [{"action": "read"}]"#),
                term: "inheritFrom", path: "$.inheritFrom"
            ),
            StrictRefusal(
                name: "conflict strategy perm",
                json: F.document(#""conflict": "perm", "permission": [{"action": "read"}]"#),
                term: "perm", path: "$.conflict"
            ),
            StrictRefusal(
                name: "conflict strategy prohibit",
                json: F.document(#""conflict": "prohibit", "permission": [{"action": "read"}]"#),
                term: "prohibit", path: "$.conflict"
            ),
            StrictRefusal(name: "policy type Ticket", json: F.document(#""permission": [{"action": "read"}]"#, type: "Ticket"), term: "Ticket", path: "$['@type']"),
            StrictRefusal(name: "policy type Request", json: F.document(#""permission": [{"action": "read"}]"#, type: "Request"), term: "Request", path: "$['@type']"),
            StrictRefusal(
                name: "unknown policy property",
                json: F.document(#""dct:creator": "Alice", "permission": [{"action": "read"}]"#),
                term: "dct:creator", path: "$['dct:creator']"
            ),
            StrictRefusal(
                name: "another profile",
                json: F.document(#""profile": "https://example.com/profile", "permission": [{"action": "read"}]"#),
                term: "https://example.com/profile", path: "$.profile"
            ),
            StrictRefusal(name: "assigner on a rule", json: permission(#""assigner": "\#(F.bobDID)""#), term: "assigner", path: "$.permission[0].assigner"),
            StrictRefusal(name: "typed rule", json: permission(#""@type": "Permission""#), term: "@type", path: "$.permission[0]['@type']"),
            StrictRefusal(
                name: "party collection",
                json: permission(#""assignee": {"@type": "PartyCollection", "source": "https://example.com/friends"}"#),
                term: "PartyCollection", path: "$.permission[0].assignee['@type']"
            ),
            StrictRefusal(
                name: "asset collection",
                json: F.document(#""permission": [{"action": "read", "target": {"@type": "AssetCollection", "source": "https://example.com/album"}}]"#),
                term: "AssetCollection", path: "$.permission[0].target['@type']"
            ),
            StrictRefusal(
                name: "remedy on a prohibition",
                json: F.document(#""prohibition": [{"action": "distribute", "remedy": [{"action": "delete"}]}]"#),
                term: "remedy", path: "$.prohibition[0].remedy"
            ),
            StrictRefusal(
                name: "duty on a prohibition",
                json: F.document(#""prohibition": [{"action": "distribute", "duty": [{"action": "inform"}]}]"#),
                term: "duty", path: "$.prohibition[0].duty"
            ),
            StrictRefusal(
                name: "constraint on a duty",
                json: permission(#""duty": [{"action": "delete", "constraint": [{"leftOperand": "dateTime", "operator": "lt", "rightOperand": "2027-01-01T00:00:00Z"}]}]"#),
                term: "constraint", path: "$.permission[0].duty[0].constraint"
            ),
            StrictRefusal(name: "unknown duty action", json: permission(#""duty": [{"action": "watermark"}]"#), term: "watermark", path: "$.permission[0].duty[0].action"),
            StrictRefusal(
                name: "refined duty",
                json: permission(#""duty": [{"action": [{"rdf:value": {"@id": "odrl:compensate"}, "refinement": [{"leftOperand": "payAmount", "operator": "eq", "rightOperand": 5}]}]}]"#),
                term: "refinement", path: "$.permission[0].duty[0].action[0].refinement"
            ),
            StrictRefusal(
                name: "another context",
                json: #"{"@context": "https://schema.org/", "uid": "urn:uuid:p", "permission": [{"action": "read"}]}"#,
                term: "https://schema.org/", path: "$['@context']"
            ),
        ]
    }()
}

@Suite("Reading licence policies")
struct PolicyParsingTests {
    typealias F = PolicyFixtures

    @Test func minimalPolicyReadsWithODRLDefaults() throws {
        let policy = try F.parse(#"{"@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "urn:uuid:1", "permission": [{"action": "use"}]}"#)
        #expect(policy.kind == .set)
        #expect(policy.uid == "urn:uuid:1")
        #expect(policy.permissions == [LicenceRule(action: .use)])
        #expect(policy.prohibitions.isEmpty)
    }

    @Test(arguments: StrictRefusal.all)
    func termsOutsideTheSubsetAreRefusedWithTheirPath(_ refusal: StrictRefusal) {
        let error = F.refusal(refusal.json)
        #expect(error?.unsupportedTerm == refusal.term, "\(String(describing: error))")
        #expect(error?.path == refusal.path)
        let message = error.map { "\($0)" } ?? ""
        #expect(message.contains("'\(refusal.term)'"))
        #expect(message.contains(refusal.path))
    }

    @Test func missingRequiredPropertiesAreNamed() {
        #expect(F.refusal(#"{"uid": "urn:uuid:1", "permission": [{"action": "use"}]}"#)?.caseName == "missingProperty")
        #expect(F.refusal(F.document(#""permission": [{"target": "\#(F.reportID)"}]"#)) == .missingProperty("an action", path: "$.permission[0]"))
        #expect(F.refusal(#"{"@context": "http://www.w3.org/ns/odrl.jsonld", "permission": [{"action": "use"}]}"#) == .missingProperty("a uid", path: "$"))
        #expect(F.refusal(F.alicePermission(constraints: #"[{"leftOperand": "dateTime", "operator": "lt"}]"#))
            == .missingProperty("a rightOperand", path: "$.permission[0].constraint[0]"))
        #expect(F.refusal(F.document(#""permission": []"#))?.caseName == "missingProperty")
    }

    @Test func offersAndAgreementsNeedTheirParties() throws {
        let rule = #""permission": [{"action": "read", "target": "\#(F.reportID)"}]"#
        #expect(F.refusal(F.document(rule, type: "Offer"))?.caseName == "missingProperty")
        _ = try F.parse(F.document(#""assigner": "\#(F.bobDID)", \#(rule)"#, type: "Offer"))
        #expect(F.refusal(F.document(#""assigner": "\#(F.bobDID)", \#(rule)"#, type: "Agreement"))
            == .missingProperty("an assignee (every rule of an Agreement is granted to someone)", path: "$.permission[0]"))
        let agreement = try F.parse(F.document(#""assigner": "\#(F.bobDID)", "assignee": "\#(F.aliceDID)", \#(rule)"#, type: "Agreement"))
        #expect(agreement.kind == .agreement)
        #expect(agreement.assigner == F.bob)
        #expect(agreement.permissions[0].assignee == F.alice)
    }

    @Test func policyLevelTargetAndAssigneeApplyToEveryRule() throws {
        let policy = try F.parse(F.document(
            #""target": "\#(F.reportID)", "assignee": "\#(F.aliceDID)", "permission": [{"action": "read"}], "prohibition": [{"action": "distribute"}], "obligation": [{"action": "attribute"}]"#
        ))
        #expect(policy.permissions[0].target == F.report && policy.permissions[0].assignee == F.alice)
        #expect(policy.prohibitions[0].target == F.report && policy.prohibitions[0].assignee == F.alice)
        #expect(policy.obligations[0].target == F.report && policy.obligations[0].assignee == F.alice)

        let twice = F.document(#""target": "\#(F.reportID)", "permission": [{"action": "read", "target": "\#(F.thesisID)"}]"#)
        #expect(F.refusal(twice) == .conflictingProperty("target", path: "$.permission[0].target"))
    }

    @Test func ruleUIDsMustBeUnique() {
        let json = F.document(#""permission": [{"uid": "urn:uuid:r", "action": "read"}], "prohibition": [{"uid": "urn:uuid:r", "action": "haven:ai"}]"#)
        #expect(F.refusal(json)?.path == "$.prohibition[0].uid")
    }

    @Test func compactDPVAndHavenNamesNeedTheirPrefixes() throws {
        let purpose = #""permission": [{"action": "read", "constraint": [{"leftOperand": "purpose", "operator": "isA", "rightOperand": "dpv:AcademicResearch"}]}]"#
        let bare = #"{"@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "urn:uuid:1", \#(purpose)}"#
        #expect(F.refusal(bare)?.path == "$['@context']")
        _ = try F.parse(F.document(purpose))

        let ai = #"{"@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "urn:uuid:1", "prohibition": [{"action": "haven:ai"}]}"#
        #expect(F.refusal(ai)?.path == "$['@context']")
        let full = #"{"@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "urn:uuid:1", "prohibition": [{"action": "https://haven.example/ns#ai"}]}"#
        #expect(try F.parse(full).prohibitions[0].action == .ai)

        let wrongPrefix = #"{"@context": ["http://www.w3.org/ns/odrl.jsonld", {"dpv": "https://w3id.org/dpv/2.0#"}], "uid": "urn:uuid:1", \#(purpose)}"#
        #expect(F.refusal(wrongPrefix)?.path == "$['@context'][1].dpv")
    }

    @Test func equivalentSpellingsReadAsTheSamePolicy() throws {
        let canonical = try F.parse(F.document(#"""
            "permission": [{"uid": "urn:uuid:p", "action": "read", "assignee": "\#(F.aliceDID)", "target": "\#(F.reportID)",
              "constraint": [{"and": [
                {"leftOperand": "dateTime", "operator": "lt", "rightOperand": {"@value": "2027-01-01T00:00:00Z", "@type": "xsd:dateTime"}},
                {"leftOperand": "purpose", "operator": "isAnyOf", "rightOperand": [{"@id": "dpv:AcademicResearch"}]},
                {"leftOperand": "recipient", "operator": "eq", "rightOperand": {"@id": "\#(F.bobDID)"}}
              ]}, {"leftOperand": "count", "operator": "lteq", "rightOperand": 3}]}]
            """#))
        let variant = try F.parse(F.document(#"""
            "permission": {"uid": "urn:uuid:p", "action": ["http://www.w3.org/ns/odrl/2/read"], "assignee": {"@id": "\#(F.aliceDID)"}, "target": {"@id": "\#(F.reportID)"},
              "constraint": [{"and": {"@list": [
                {"leftOperand": "http://www.w3.org/ns/odrl/2/dateTime", "operator": "http://www.w3.org/ns/odrl/2/lt", "rightOperand": "2027-01-01T01:00:00+01:00"},
                {"leftOperand": "purpose", "operator": "isAnyOf", "rightOperand": ["https://w3id.org/dpv#AcademicResearch"]},
                {"leftOperand": "recipient", "operator": "eq", "rightOperand": "\#(F.bobDID)"}
              ]}}, {"leftOperand": "count", "operator": "lteq", "rightOperand": {"@value": 3, "@type": "xsd:integer"}}]}
            """#))
        #expect(variant == canonical)
        #expect(variant.canonicalJSON == canonical.canonicalJSON)
    }

    @Test func rightOperandsMustHaveTheRightShape() {
        func refusal(_ constraint: String) -> PolicyError? {
            F.refusal(F.alicePermission(constraints: "[\(constraint)]"))
        }
        let path = "$.permission[0].constraint[0].rightOperand"
        #expect(refusal(#"{"leftOperand": "count", "operator": "lteq", "rightOperand": -1}"#)?.path == path)
        #expect(refusal(#"{"leftOperand": "count", "operator": "lteq", "rightOperand": 2.5}"#)?.path == path)
        #expect(refusal(#"{"leftOperand": "count", "operator": "lteq", "rightOperand": "3"}"#)?.path == path)
        #expect(refusal(#"{"leftOperand": "purpose", "operator": "eq", "rightOperand": ["dpv:Marketing"]}"#)?.path == path)
        #expect(refusal(#"{"leftOperand": "purpose", "operator": "isAnyOf", "rightOperand": "dpv:Marketing"}"#)?.path == path)
        #expect(refusal(#"{"leftOperand": "purpose", "operator": "isAnyOf", "rightOperand": []}"#)?.path == path)
        #expect(refusal(#"{"leftOperand": "recipient", "operator": "eq", "rightOperand": "alice@example.com"}"#)?.path == path)
        #expect(refusal(#"{"leftOperand": "dateTime", "operator": "lt", "rightOperand": "2027-01-01T00:00:00"}"#)?.path == path)
        #expect(refusal(#"{"leftOperand": "dateTime", "operator": "lt", "rightOperand": "2027-02-30T00:00:00Z"}"#)?.path == path)
        #expect(F.refusal(F.document(#""permission": [{"action": "read", "assignee": "alice"}]"#))?.path == "$.permission[0].assignee")
        #expect(F.refusal(F.document(#""permission": [{"action": "read", "target": "has space"}]"#))?.path == "$.permission[0].target")
        #expect(F.refusal(F.document(#""permission": [{"action": ["read", "use"]}]"#))?.path == "$.permission[0].action")
    }

    @Test func logicalConstraintsNestOnlySoDeep() throws {
        let leaf = #"{"leftOperand": "dateTime", "operator": "lt", "rightOperand": "2027-01-01T00:00:00Z"}"#
        var four = leaf
        for _ in 0..<4 { four = #"{"and": [\#(four)]}"# }
        _ = try F.parse(F.alicePermission(constraints: "[\(four)]"))
        let five = #"{"or": [\#(four)]}"#
        let error = F.refusal(F.alicePermission(constraints: "[\(five)]"))
        #expect(error == .tooDeep(path: "$.permission[0].constraint[0].or[0].and[0].and[0].and[0]", limit: 4))
        #expect(F.refusal(F.alicePermission(constraints: #"[{"and": [], "or": []}]"#))?.caseName == "invalidValue")
        #expect(F.refusal(F.alicePermission(constraints: #"[{"and": []}]"#))?.path == "$.permission[0].constraint[0].and")
    }
}

@Suite("Limits and JSON strictness")
struct PolicyDocumentLimitTests {
    typealias F = PolicyFixtures

    @Test func documentsAreAtMost64KiB() throws {
        let json = F.alicePermission()
        let padding = String(repeating: " ", count: LicencePolicy.maximumSize - json.utf8.count)
        _ = try F.parse(json + padding)
        #expect(F.refusal(json + padding + " ") == .tooLarge(size: LicencePolicy.maximumSize + 1, limit: 65_536))
    }

    @Test func nestingIsLimitedWhileReading() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = F.refusal(F.document(#""dct:title": \#(deep), "permission": [{"action": "read"}]"#))
        #expect(error?.caseName == "tooDeep")
        #expect(error?.path == "$['dct:title']" + String(repeating: "[0]", count: 15))
    }

    @Test func duplicateMembersAreRefusedNotMerged() {
        let json = F.document(#""permission": [{"action": "read", "action": "use"}]"#)
        #expect(F.refusal(json) == .duplicateKey("action", path: "$.permission[0]"))
    }

    @Test(arguments: [
        #"{"uid": "urn:uuid:1",}"#,
        #"{"uid": "urn:uuid:1"} {}"#,
        #"{"count": 01}"#,
        #"{"uid": "\ud800"}"#,
        "{\"uid\": \"tab\tinside\"}",
        #"{'uid': 1}"#,
        #"{"uid": "\q"}"#,
        "",
    ])
    func malformedJSONIsRefused(_ json: String) {
        #expect(F.refusal(json)?.caseName == "malformedJSON")
    }

    @Test func invalidUTF8IsRefused() {
        let bytes = Array(F.alicePermission().utf8) + [0xFF]
        #expect(throws: PolicyError.malformedJSON(offset: 0, reason: "the document is not valid UTF-8")) {
            try LicencePolicy(parsing: bytes)
        }
    }

    @Test func escapesAndUnicodeReadExactly() throws {
        let policy = try F.parse(F.document(#""dct:title": "\"Café\" \u00e9\ud83d\ude00\n\/", "permission": [{"action": "read"}]"#))
        #expect(policy.title == "\"Café\" é😀\n/")
    }

    @Test func damagedDocumentsAreRefusedWithoutCrashing() throws {
        let original = Array(PolicyFixtures.alicePermission(constraints: #"""
            [{"or": [{"leftOperand": "purpose", "operator": "isAnyOf", "rightOperand": ["dpv:AcademicResearch", "dpv:Marketing"]},
                     {"leftOperand": "dateTime", "operator": "lt", "rightOperand": {"@value": "2027-01-01T00:00:00.5+02:00", "@type": "xsd:dateTime"}}]},
             {"leftOperand": "count", "operator": "lteq", "rightOperand": 9223372036854775807}]
            """#).utf8)
        let policy = try LicencePolicy(parsing: original)
        #expect(policy.evaluate(F.request(purpose: "dpv:AcademicResearch", uses: [policy.key(ofPermission: 0): .max])).basis == .constraintUnsatisfied)
        for length in 0..<original.count {
            #expect(throws: PolicyError.self) { try LicencePolicy(parsing: Array(original[..<length])) }
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let replacements = Array("{}[]\",:0-9.eE+tfnu\u{7F}\u{0}".utf8) + [0xC3, 0xFF]
        for _ in 0..<2_000 {
            var damaged = original
            for _ in 0..<3 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let position = Int(state >> 33) % damaged.count
                damaged[position] = replacements[Int(state >> 17) % replacements.count]
            }
            if let reread = try? LicencePolicy(parsing: damaged) {
                #expect(try LicencePolicy(parsing: reread.canonicalJSON) == reread)
            }
        }
    }

    @Test func errorsExplainThemselves() {
        let error = F.refusal(F.alicePermission(constraints: #"[{"leftOperand": "count", "operator": "gt", "rightOperand": 3}]"#))
        #expect("\(error!)" == "'gt' at $.permission[0].constraint[0].operator is outside Haven's ODRL 2.2 subset (supported here: lteq, lt); the licence is refused rather than enforced without it")
    }
}
