/// A transparency log trust policy in the c2sp.org/tlog-policy format (the successor of
/// Sigsum's policy file, with keys as vkeys): the logs trusted, the witnesses known, named
/// groups of them with thresholds, and the quorum a checkpoint's cosignatures must meet.
///
/// ```
/// log <vkey> [<url>]
/// witness <name> <vkey> [<url>]
/// group <name> all|any|<k> <name>...
/// quorum <name>|none
/// ```
///
/// Parsing is strict and names the line at fault (`WitnessError.policy…`). Log keys are Ed25519
/// note keys (type 0x01) named after the log's origin; witness keys are cosignature/v1 keys (type
/// 0x04). Names are compared as bytes, as the spec requires. `serialized` writes a canonical
/// form (comments and blank lines dropped) that parses back to an equal policy.
public struct WitnessPolicy: Sendable, Hashable {
    /// A trusted log: checkpoints signed by `key` are accepted for the origin `key.name`.
    public struct Log: Sendable, Hashable {
        /// The log's key; its name is the log's origin.
        public let key: NoteVerifierKey
        /// Where to reach the log (for Haven, the server's base URL), if given.
        public let url: String?

        public init(key: NoteVerifierKey, url: String? = nil) {
            self.key = key
            self.url = url
        }
    }

    /// A known witness: `name` is local to the policy, `key` verifies its cosignatures.
    public struct Witness: Sendable, Hashable {
        /// The name groups and the quorum refer to it by.
        public let name: String
        /// The witness's cosigner key (type 0x04).
        public let key: NoteVerifierKey
        /// The witness's tlog-witness submission prefix, if given.
        public let url: String?

        public init(name: String, key: NoteVerifierKey, url: String? = nil) {
            self.name = name
            self.key = key
            self.url = url
        }

        public static func == (lhs: Witness, rhs: Witness) -> Bool {
            NoteSyntax.sameBytes(lhs.name, rhs.name) && lhs.key == rhs.key
                && lhs.url.map { Array($0.utf8) } == rhs.url.map { Array($0.utf8) }
        }

        public func hash(into hasher: inout Hasher) {
            NoteSyntax.hashBytes(of: name, into: &hasher)
            hasher.combine(key)
            hasher.combine(url.map { Array($0.utf8) })
        }
    }

    /// How many members of a group must have witnessed a checkpoint for the group to have.
    public enum Threshold: Sendable, Hashable {
        /// Every member.
        case all
        /// At least one member.
        case any
        /// At least `k` members, 1 <= k <= member count.
        case atLeast(Int)

        /// The number of members required out of `memberCount`.
        public func required(of memberCount: Int) -> Int {
            switch self {
            case .all: memberCount
            case .any: 1
            case .atLeast(let k): k
            }
        }
    }

    /// A named group of witnesses and earlier groups, witnessing when `threshold` members do.
    public struct Group: Sendable, Hashable {
        /// The name the quorum and later groups refer to it by.
        public let name: String
        /// How many members must have witnessed.
        public let threshold: Threshold
        /// Names of witnesses and groups defined before this group, each once.
        public let members: [String]

        public init(name: String, threshold: Threshold, members: [String]) {
            self.name = name
            self.threshold = threshold
            self.members = members
        }

        public static func == (lhs: Group, rhs: Group) -> Bool {
            NoteSyntax.sameBytes(lhs.name, rhs.name) && lhs.threshold == rhs.threshold
                && lhs.members.count == rhs.members.count && zip(lhs.members, rhs.members).allSatisfy(NoteSyntax.sameBytes)
        }

        public func hash(into hasher: inout Hasher) {
            NoteSyntax.hashBytes(of: name, into: &hasher)
            hasher.combine(threshold)
            for member in members { NoteSyntax.hashBytes(of: member, into: &hasher) }
        }
    }

    /// The rule a checkpoint's cosignatures must meet.
    public enum Quorum: Sendable, Hashable {
        /// No cosignature is required.
        case none
        /// The named witness must have cosigned, or the named group witnessed.
        case named(String)

        public static func == (lhs: Quorum, rhs: Quorum) -> Bool {
            switch (lhs, rhs) {
            case (.none, .none): true
            case (.named(let a), .named(let b)): NoteSyntax.sameBytes(a, b)
            default: false
            }
        }

        public func hash(into hasher: inout Hasher) {
            switch self {
            case .none: hasher.combine(0)
            case .named(let name): NoteSyntax.hashBytes(of: name, into: &hasher)
            }
        }
    }

    /// The trusted logs, in file order.
    public let logs: [Log]
    /// The known witnesses, in file order.
    public let witnesses: [Witness]
    /// The groups, in definition order (each refers only to earlier names).
    public let groups: [Group]
    /// The quorum.
    public let quorum: Quorum

    /// A policy from its parts, checked by the same rules as a parsed file (line numbers in
    /// errors refer to `serialized`).
    public init(logs: [Log], witnesses: [Witness], groups: [Group] = [], quorum: Quorum) throws(WitnessError) {
        self = try WitnessPolicy(parsing: Self.render(logs: logs, witnesses: witnesses, groups: groups, quorum: quorum))
    }

    /// Parses a policy file.
    public init(parsing bytes: some Collection<UInt8>) throws(WitnessError) {
        var parser = WitnessPolicyParser()
        try parser.parse(Array(bytes))
        guard let quorum = parser.quorum else { throw .policyMissingQuorum }
        self.logs = parser.logs
        self.witnesses = parser.witnesses
        self.groups = parser.groups
        self.quorum = quorum
    }

    /// Parses a policy file.
    public init(parsing text: String) throws(WitnessError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// The policy file: logs, witnesses, groups in order, then the quorum, one per line.
    public var serialized: String {
        Self.render(logs: logs, witnesses: witnesses, groups: groups, quorum: quorum)
    }

    private static func render(logs: [Log], witnesses: [Witness], groups: [Group], quorum: Quorum) -> String {
        var lines: [String] = []
        for log in logs {
            lines.append((["log", log.key.serialized] + (log.url.map { [$0] } ?? [])).joined(separator: " "))
        }
        for witness in witnesses {
            lines.append((["witness", witness.name, witness.key.serialized] + (witness.url.map { [$0] } ?? [])).joined(separator: " "))
        }
        for group in groups {
            let threshold = switch group.threshold {
            case .all: "all"
            case .any: "any"
            case .atLeast(let k): String(k)
            }
            lines.append((["group", group.name, threshold] + group.members).joined(separator: " "))
        }
        switch quorum {
        case .none: lines.append("quorum none")
        case .named(let name): lines.append("quorum \(name)")
        }
        return lines.map { $0 + "\n" }.joined()
    }

    // MARK: Verification

    /// Whether `note` carries `checkpoint` (its text, byte for byte), a valid signature by a
    /// trusted log whose key name is the checkpoint's origin, and cosignatures meeting the
    /// quorum. Signatures by unknown keys are ignored; a signature that claims a trusted key but
    /// fails to verify makes the note invalid (c2sp.org/signed-note: clients SHOULD reject it).
    /// A policy without log lines accepts nothing here; use `isQuorumSatisfied` for it.
    public func isSatisfied(by note: SignedNote, for checkpoint: Checkpoint) -> Bool {
        guard carries(checkpoint, note) else { return false }
        let keys = logs.map(\.key).filter { NoteSyntax.sameBytes($0.name, checkpoint.origin) }
        guard Self.verifiedSignatureCount(of: note, by: keys) ?? 0 > 0 else { return false }
        return isQuorumSatisfied(by: note, for: checkpoint)
    }

    /// Whether the cosignatures on `note` (which must carry `checkpoint`) meet the quorum,
    /// whatever signed it as the log. Cosignature timestamps are not compared with any clock.
    public func isQuorumSatisfied(by note: SignedNote, for checkpoint: Checkpoint) -> Bool {
        guard carries(checkpoint, note) else { return false }
        var witnessed: [[UInt8]: Bool] = [:]
        for witness in witnesses {
            guard let count = Self.verifiedSignatureCount(of: note, by: [witness.key]) else { return false }
            witnessed[Array(witness.name.utf8)] = count > 0
        }
        for group in groups {
            let satisfied = group.members.count { witnessed[Array($0.utf8)] == true }
            witnessed[Array(group.name.utf8)] = satisfied >= group.threshold.required(of: group.members.count)
        }
        switch quorum {
        case .none: return true
        case .named(let name): return witnessed[Array(name.utf8)] == true
        }
    }

    /// The witness named `name`, if any.
    public func witness(named name: String) -> Witness? {
        witnesses.first { NoteSyntax.sameBytes($0.name, name) }
    }

    private func carries(_ checkpoint: Checkpoint, _ note: SignedNote) -> Bool {
        NoteSyntax.sameBytes(note.text, checkpoint.serialized)
    }

    /// How many signatures on `note` verify with `keys`; nil if one claims a key and fails.
    private static func verifiedSignatureCount(of note: SignedNote, by keys: [NoteVerifierKey]) -> Int? {
        let text = Array(note.text.utf8)
        var count = 0
        for signature in note.signatures {
            for key in keys where key.matches(signature) {
                guard key.verify(signature, text: text) else { return nil }
                count += 1
            }
        }
        return count
    }
}
