import HavenLedger
import Testing

/// c2sp.org/tlog-policy files: parsing, strict errors naming the line, and quorum evaluation.
@Suite struct WitnessPolicyTests {
    let log: TestLog
    let x: [CosignerKey]
    let y: [CosignerKey]
    let policyText: String

    init() throws {
        log = try TestLog(size: 12)
        x = try (1...3).map { try CosignerKey.generate(name: "x.example/w\($0)") }
        y = try (1...3).map { try CosignerKey.generate(name: "y.example/w\($0)") }
        // The spec's example, with comments, blank lines, tabs and surrounding white space.
        policyText = """
            # Haven owner's log
            log \(log.verifierKey.serialized) https://haven.example/ledger/

            witness X1 \(x[0].verifierKey.serialized)
            \twitness X2\t\(x[1].verifierKey.serialized)  https://x2.example/
            witness X3 \(x[2].verifierKey.serialized)
            group X-witnesses 2 X1 X2 X3
              # second operator
            witness Y1 \(y[0].verifierKey.serialized)
            witness Y2 \(y[1].verifierKey.serialized)
            witness Y3 \(y[2].verifierKey.serialized)
            group Y-witnesses any Y1 Y2 Y3

            group X-and-Y all X-witnesses Y-witnesses
            quorum X-and-Y   

            """
    }

    /// The log's checkpoint at 12, signed by the log and cosigned by `cosigners`.
    func note(cosignedBy cosigners: [CosignerKey]) throws -> SignedNote {
        let checkpoint = try log.checkpoint(12)
        return try log.note(12).addingSignatures(cosigners.map { try $0.cosign(checkpoint, timestamp: 7).noteSignature })
    }

    @Test func parsesTheSpecExampleAndRoundTrips() throws {
        let policy = try WitnessPolicy(parsing: policyText)
        #expect(policy.logs == [.init(key: log.verifierKey, url: "https://haven.example/ledger/")])
        #expect(policy.witnesses.map(\.name) == ["X1", "X2", "X3", "Y1", "Y2", "Y3"])
        #expect(policy.witness(named: "X2")?.url == "https://x2.example/")
        #expect(policy.witness(named: "X1")?.url == nil)
        #expect(policy.groups == [
            .init(name: "X-witnesses", threshold: .atLeast(2), members: ["X1", "X2", "X3"]),
            .init(name: "Y-witnesses", threshold: .any, members: ["Y1", "Y2", "Y3"]),
            .init(name: "X-and-Y", threshold: .all, members: ["X-witnesses", "Y-witnesses"]),
        ])
        #expect(policy.quorum == .named("X-and-Y"))
        #expect(try WitnessPolicy(parsing: policy.serialized) == policy)
        #expect(policy.serialized.hasPrefix("log \(log.verifierKey.serialized) https://haven.example/ledger/\n"))
        #expect(policy.serialized.hasSuffix("group X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y\n"))
        // Built from parts, the same policy.
        let built = try WitnessPolicy(
            logs: policy.logs, witnesses: policy.witnesses, groups: policy.groups, quorum: policy.quorum)
        #expect(built == policy)
    }

    @Test func quorumNeedsTwoXAndOneY() throws {
        let policy = try WitnessPolicy(parsing: policyText)
        let checkpoint = try log.checkpoint(12)
        let cases: [([CosignerKey], Bool)] = [
            ([x[0], x[1], y[0]], true),
            ([x[0], x[2], y[2]], true),
            (x + y, true),
            ([x[0], y[0]], false),
            ([x[0], x[1]], false),
            (y, false),
            ([], false),
        ]
        for (cosigners, expected) in cases {
            #expect(policy.isSatisfied(by: try note(cosignedBy: cosigners), for: checkpoint) == expected, "\(cosigners.map(\.name))")
        }
    }

    @Test func logSignatureIsRequiredAndMustMatchTheOrigin() throws {
        let policy = try WitnessPolicy(parsing: policyText)
        let checkpoint = try log.checkpoint(12)
        let cosigned = try note(cosignedBy: [x[0], x[1], y[0]])
        #expect(policy.isSatisfied(by: cosigned, for: checkpoint))
        // Without the log's line the witnesses alone do not do.
        let witnessesOnly = try SignedNote(text: cosigned.text, signatures: Array(cosigned.signatures.dropFirst()))
        #expect(!policy.isSatisfied(by: witnessesOnly, for: checkpoint))
        #expect(policy.isQuorumSatisfied(by: witnessesOnly, for: checkpoint))
        // The note must carry exactly the checkpoint asked about.
        #expect(!policy.isSatisfied(by: cosigned, for: try log.checkpoint(11)))
        // A log key whose name is not the checkpoint's origin does not vouch for it.
        let misnamed = try NoteSignerKey.generate(name: "example.com/another-log")
        let misnamedPolicy = try WitnessPolicy(logs: [.init(key: misnamed.verifierKey)], witnesses: [], quorum: .none)
        let signedByMisnamed = try SignedNote(text: checkpoint.serialized, signatures: [misnamed.sign(checkpoint.serialized)])
        #expect(!misnamedPolicy.isSatisfied(by: signedByMisnamed, for: checkpoint))
        // quorum none: the log's signature suffices.
        let noQuorum = try WitnessPolicy(logs: [.init(key: log.verifierKey)], witnesses: [], quorum: .none)
        #expect(noQuorum.isSatisfied(by: try log.note(12), for: checkpoint))
        // A policy without logs accepts nothing through isSatisfied.
        let noLogs = try WitnessPolicy(logs: [], witnesses: [], quorum: .none)
        #expect(!noLogs.isSatisfied(by: try log.note(12), for: checkpoint))
    }

    @Test func unknownSignaturesAreIgnoredAndBadKnownOnesRejectTheNote() throws {
        let policy = try WitnessPolicy(parsing: policyText)
        let checkpoint = try log.checkpoint(12)
        let stranger = try CosignerKey.generate(name: "x.example/w1")
        #expect(policy.isSatisfied(by: try note(cosignedBy: [stranger, x[0], x[1], y[0]]), for: checkpoint))
        #expect(!policy.isSatisfied(by: try note(cosignedBy: [stranger, x[0], y[0]]), for: checkpoint))
        // A cosignature by X2 over another checkpoint, under X2's name and key ID, fails to verify.
        let wrong = try x[1].cosign(log.checkpoint(11), timestamp: 7).noteSignature
        let withBadLine = try note(cosignedBy: [x[0], x[2], y[0]]).addingSignature(wrong)
        #expect(!policy.isSatisfied(by: withBadLine, for: checkpoint))
    }

    @Test func namesAreComparedAsBytes() throws {
        // "K" and the Kelvin sign are canonically equivalent in Swift, but different names here.
        let text = """
            log \(log.verifierKey.serialized)
            witness K \(x[0].verifierKey.serialized)
            witness \u{212A} \(x[1].verifierKey.serialized)
            group both all K \u{212A}
            quorum both
            """
        let policy = try WitnessPolicy(parsing: text)
        #expect(policy.witnesses.count == 2)
        let checkpoint = try log.checkpoint(12)
        #expect(policy.isSatisfied(by: try note(cosignedBy: [x[0], x[1]]), for: checkpoint))
        #expect(!policy.isSatisfied(by: try note(cosignedBy: [x[0]]), for: checkpoint))
    }

    static func errorCases(log: TestLog, x: [CosignerKey]) -> [(String, String, WitnessError)] {
        let l = log.verifierKey.serialized
        let w1 = x[0].verifierKey.serialized
        let w2 = x[1].verifierKey.serialized
        let renamedW1 = try! NoteVerifierKey(name: "other", type: .ed25519CosignatureV1, publicKey: x[0].verifierKey.publicKey).serialized
        let renamedLog = try! NoteVerifierKey(name: "other", publicKey: log.verifierKey.publicKey).serialized
        return [
            ("unknown keyword", "log \(l)\nwitnes A \(w1)\nquorum none\n", .policyUnknownKeyword(line: 2, keyword: "witnes")),
            ("duplicate witness name", "witness A \(w1)\nwitness A \(w2)\nquorum A\n", .policyDuplicateName(line: 2, name: "A")),
            ("group named like a witness", "witness A \(w1)\ngroup A any A\nquorum A\n", .policyDuplicateName(line: 2, name: "A")),
            ("witness named none", "witness none \(w1)\nquorum none\n", .policyDuplicateName(line: 1, name: "none")),
            ("duplicate log key", "log \(l)\nlog \(renamedLog)\nquorum none\n", .policyDuplicateKey(line: 2, firstLine: 1)),
            ("duplicate witness key", "witness A \(w1)\n\nwitness B \(renamedW1)\nquorum none\n", .policyDuplicateKey(line: 3, firstLine: 1)),
            (
                "bad vkey", "log \(l.dropLast(2))\nquorum none\n",
                .policyInvalidKey(line: 1, .malformedVerifierKey(reason: "the key is not canonical base64 of a type byte and a public key"))
            ),
            ("cosigner key as log key", "log \(w1)\nquorum none\n", .policyWrongKeyType(line: 1, role: "log", found: .ed25519CosignatureV1)),
            ("note key as witness key", "witness A \(l)\nquorum none\n", .policyWrongKeyType(line: 1, role: "witness", found: .ed25519)),
            ("undefined member", "witness A \(w1)\ngroup G any A B\nquorum G\n", .policyUndefinedName(line: 2, name: "B")),
            ("forward reference", "group G any A\nwitness A \(w1)\nquorum G\n", .policyUndefinedName(line: 1, name: "A")),
            ("undefined quorum", "witness A \(w1)\nquorum B\n", .policyUndefinedName(line: 2, name: "B")),
            ("duplicate member", "witness A \(w1)\ngroup G 1 A A\nquorum G\n", .policyDuplicateMember(line: 2, name: "A")),
            ("threshold zero", "witness A \(w1)\ngroup G 0 A\nquorum G\n", .policyInvalidThreshold(line: 2, text: "0", memberCount: 1)),
            ("threshold above n", "witness A \(w1)\ngroup G 2 A\nquorum G\n", .policyInvalidThreshold(line: 2, text: "2", memberCount: 1)),
            ("threshold leading zero", "witness A \(w1)\nwitness B \(w2)\ngroup G 02 A B\nquorum G\n", .policyInvalidThreshold(line: 3, text: "02", memberCount: 2)),
            ("threshold word", "witness A \(w1)\ngroup G some A\nquorum G\n", .policyInvalidThreshold(line: 2, text: "some", memberCount: 1)),
            ("no quorum", "log \(l)\nwitness A \(w1)\n", .policyMissingQuorum),
            ("two quorums", "quorum none\n# again\nquorum none\n", .policyDuplicateQuorum(line: 3, firstLine: 1)),
            ("none as member", "witness A \(w1)\ngroup G any A none\nquorum G\n", .policySyntax(line: 2, reason: "none cannot be a group member")),
            ("group without members", "witness A \(w1)\ngroup G any\nquorum A\n", .policySyntax(line: 2, reason: "expected \"group <name> all|any|<k> <name>...\" with at least one member")),
            ("extra log field", "log \(l) https://a/ extra\nquorum none\n", .policySyntax(line: 1, reason: "expected \"log <vkey> [<url>]\"")),
            ("witness without key", "witness A\nquorum none\n", .policySyntax(line: 1, reason: "expected \"witness <name> <vkey> [<url>]\"")),
            ("quorum with two names", "quorum none none\n", .policySyntax(line: 1, reason: "expected \"quorum <name>\" or \"quorum none\"")),
            ("carriage return", "log \(l)\r\nquorum none\n", .policySyntax(line: 1, reason: "byte 0xd is not allowed (only tab among control characters)")),
        ]
    }

    @Test func strictErrorsNameTheLine() throws {
        for (name, text, expected) in Self.errorCases(log: log, x: x) {
            #expect(throws: expected, "\(name)") { try WitnessPolicy(parsing: text) }
        }
    }

    @Test func errorMessagesNameTheLine() {
        #expect(WitnessError.policyDuplicateName(line: 4, name: "A").description.hasPrefix("policy line 4:"))
        #expect(WitnessError.policyMissingQuorum.description.contains("quorum none"))
    }

    @Test func invalidUTF8AndPartsThatBreakTheRulesAreRefused() throws {
        var bytes = Array("witness A \(x[0].verifierKey.serialized)\nquorum A\n".utf8)
        bytes.insert(0xFF, at: 9)
        #expect(throws: WitnessError.policySyntax(line: 1, reason: "the line is not valid UTF-8")) {
            try WitnessPolicy(parsing: bytes)
        }
        #expect(throws: WitnessError.self) {
            try WitnessPolicy(
                logs: [], witnesses: [.init(name: "A", key: x[0].verifierKey), .init(name: "A", key: x[1].verifierKey)],
                quorum: .named("A"))
        }
        #expect(throws: WitnessError.self) {
            try WitnessPolicy(logs: [], witnesses: [.init(name: "has space", key: x[0].verifierKey)], quorum: .none)
        }
        // A last line without its newline is read all the same.
        #expect(try WitnessPolicy(parsing: "quorum none").quorum == .none)
    }
}
