import HavenAccess

/// Parties, content and documents shared by the licence-policy tests.
enum PolicyFixtures {
    static let aliceDID = "did:key:z6MkrDQrXeToMm43v5GSDUqa2s6UzUJWFVa496W8W6vv81WL"
    static let bobDID = "did:key:z6Mkv63U78W2pHrFFULw8j97uMk2gapcYEWKV4FYjwXYx5mx"
    static let carolDID = "did:key:z6Mks9dzZSUtaJZqDgWhBBh1k3EzDUZys9RbSsKqptcK67y5"
    static let reportID = "bafkreiffjqkg5bxyz2q527tuqtatuxx3cv6xi5bxwdiypbpi2mrgkmhhke"
    static let thesisID = "bafkreifzkvwmemggabpwfuksxg7c2zch2fwuylv2xr353o73lphhjlg47m"

    static let alice = try! LicenceParty(aliceDID)
    static let bob = try! LicenceParty(bobDID)
    static let carol = try! LicenceParty(carolDID)
    static let report = try! LicenceTarget(reportID)
    static let thesis = try! LicenceTarget(thesisID)

    /// The context every test document declares: ODRL's, with the dpv and haven prefixes.
    static let context = #"["http://www.w3.org/ns/odrl.jsonld", {"dpv": "https://w3id.org/dpv#", "haven": "https://haven.example/ns#"}]"#

    /// A policy document around `body` (the members after `uid`, e.g. `"permission": [...]`).
    static func document(_ body: String, type: String = "Set", uid: String = "urn:uuid:policy-under-test") -> String {
        #"{"@context": \#(context), "@type": "\#(type)", "uid": "\#(uid)", \#(body)}"#
    }

    /// A policy with one permission of `action` on the report for Alice, with `constraints`.
    static func alicePermission(_ action: String = "read", constraints: String = "[]", uid: String = "urn:uuid:permission-1") -> String {
        document(#""permission": [{"uid": "\#(uid)", "action": "\#(action)", "target": "\#(reportID)", "assignee": "\#(aliceDID)", "constraint": \#(constraints)}]"#)
    }

    static func parse(_ json: String) throws(PolicyError) -> LicencePolicy {
        try LicencePolicy(parsing: Array(json.utf8))
    }

    /// The error reading `json` throws, or `nil` when it parses.
    static func refusal(_ json: String) -> PolicyError? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error
        }
    }

    static func time(_ text: String) -> PolicyTime {
        try! PolicyTime(iso8601: text)
    }

    static func request(
        _ action: LicenceAction = .read,
        by party: LicenceParty = alice,
        on target: LicenceTarget = report,
        at time: String = "2026-06-01T12:00:00Z",
        purpose: String? = nil,
        recipient: LicenceParty? = nil,
        uses: [LicenceRuleKey: Int] = [:]
    ) -> LicenceRequest {
        LicenceRequest(
            assignee: party, action: action, target: target,
            purpose: purpose.map { try! DPVPurpose($0) },
            time: Self.time(time), recipient: recipient, usesSoFar: uses
        )
    }
}

extension PolicyError {
    /// The case's name, as the ported vectors record it.
    var caseName: String {
        switch self {
        case .tooLarge: "tooLarge"
        case .tooDeep: "tooDeep"
        case .malformedJSON: "malformedJSON"
        case .duplicateKey: "duplicateKey"
        case .unsupportedTerm: "unsupportedTerm"
        case .missingProperty: "missingProperty"
        case .invalidValue: "invalidValue"
        case .conflictingProperty: "conflictingProperty"
        }
    }
}
