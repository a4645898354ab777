/// Reads a c2sp.org/tlog-policy file line by line into `WitnessPolicy`'s parts, enforcing the
/// spec's rules as it goes: the character set, one keyword per line, names defined before use,
/// names unique (witnesses and groups share one namespace, `none` is reserved), no duplicate
/// keys, members listed once, 1 <= k <= n, and at most one quorum line.
struct WitnessPolicyParser {
    private(set) var logs: [WitnessPolicy.Log] = []
    private(set) var witnesses: [WitnessPolicy.Witness] = []
    private(set) var groups: [WitnessPolicy.Group] = []
    private(set) var quorum: WitnessPolicy.Quorum?

    /// Every defined witness and group name (as bytes, which is how the spec compares them).
    private var names: Set<[UInt8]> = [Array("none".utf8)]
    /// The public keys seen on log and on witness lines, with the line that listed each.
    private var logKeyLines: [[UInt8]: Int] = [:]
    private var witnessKeyLines: [[UInt8]: Int] = [:]
    private var quorumLine: Int?

    private static let tab: UInt8 = 0x09
    private static let newline: UInt8 = 0x0A
    private static let space: UInt8 = 0x20

    mutating func parse(_ bytes: [UInt8]) throws(WitnessError) {
        var lines = bytes.split(separator: Self.newline, omittingEmptySubsequences: false)
        // A final newline ends the last line rather than starting an empty one.
        if lines.last?.isEmpty == true { lines.removeLast() }
        for (offset, line) in lines.enumerated() {
            try parseLine(line, number: offset + 1)
        }
    }

    private mutating func parseLine(_ line: ArraySlice<UInt8>, number: Int) throws(WitnessError) {
        // Tab, newline, 0x20-0x7E and bytes with the high bit set; no other control character.
        if let byte = line.first(where: { $0 != Self.tab && ($0 < 0x20 || $0 == 0x7F) }) {
            throw .policySyntax(line: number, reason: "byte 0x\(String(byte, radix: 16)) is not allowed (only tab among control characters)")
        }
        guard String(validating: line, as: UTF8.self) != nil else {
            throw .policySyntax(line: number, reason: "the line is not valid UTF-8")
        }
        let fields = line.split(whereSeparator: { $0 == Self.space || $0 == Self.tab })
            .map { String(decoding: $0, as: UTF8.self) }
        guard let keyword = fields.first, !keyword.hasPrefix("#") else { return }
        let arguments = Array(fields.dropFirst())
        switch keyword {
        case "log": try parseLog(arguments, number: number)
        case "witness": try parseWitness(arguments, number: number)
        case "group": try parseGroup(arguments, number: number)
        case "quorum": try parseQuorum(arguments, number: number)
        default: throw .policyUnknownKeyword(line: number, keyword: String(keyword.prefix(64)))
        }
    }

    private mutating func parseLog(_ fields: [String], number: Int) throws(WitnessError) {
        guard (1...2).contains(fields.count) else {
            throw .policySyntax(line: number, reason: "expected \"log <vkey> [<url>]\"")
        }
        let key = try Self.key(fields[0], number: number, role: "log", type: .ed25519)
        try Self.register(key, number: number, in: &logKeyLines)
        logs.append(WitnessPolicy.Log(key: key, url: fields.count == 2 ? fields[1] : nil))
    }

    private mutating func parseWitness(_ fields: [String], number: Int) throws(WitnessError) {
        guard (2...3).contains(fields.count) else {
            throw .policySyntax(line: number, reason: "expected \"witness <name> <vkey> [<url>]\"")
        }
        let name = fields[0]
        let key = try Self.key(fields[1], number: number, role: "witness", type: .ed25519CosignatureV1)
        try define(name, number: number)
        try Self.register(key, number: number, in: &witnessKeyLines)
        witnesses.append(WitnessPolicy.Witness(name: name, key: key, url: fields.count == 3 ? fields[2] : nil))
    }

    private mutating func parseGroup(_ fields: [String], number: Int) throws(WitnessError) {
        guard fields.count >= 3 else {
            throw .policySyntax(line: number, reason: "expected \"group <name> all|any|<k> <name>...\" with at least one member")
        }
        let name = fields[0]
        let members = Array(fields.dropFirst(2))
        var seen: Set<[UInt8]> = []
        for member in members {
            guard member != "none" else {
                throw .policySyntax(line: number, reason: "none cannot be a group member")
            }
            guard names.contains(Array(member.utf8)) else { throw .policyUndefinedName(line: number, name: member) }
            guard seen.insert(Array(member.utf8)).inserted else { throw .policyDuplicateMember(line: number, name: member) }
        }
        let threshold: WitnessPolicy.Threshold
        switch fields[1] {
        case "all": threshold = .all
        case "any": threshold = .any
        case let text:
            // A plain decimal: ASCII digits, no sign, no leading zero.
            guard text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text.first != "0", text.count <= 9,
                let k = Int(text), k <= members.count
            else {
                throw .policyInvalidThreshold(line: number, text: String(text.prefix(64)), memberCount: members.count)
            }
            threshold = .atLeast(k)
        }
        try define(name, number: number)
        groups.append(WitnessPolicy.Group(name: name, threshold: threshold, members: members))
    }

    private mutating func parseQuorum(_ fields: [String], number: Int) throws(WitnessError) {
        guard fields.count == 1 else { throw .policySyntax(line: number, reason: "expected \"quorum <name>\" or \"quorum none\"") }
        if let quorumLine { throw .policyDuplicateQuorum(line: number, firstLine: quorumLine) }
        let name = fields[0]
        if name == "none" {
            quorum = WitnessPolicy.Quorum.none
        } else {
            guard names.contains(Array(name.utf8)) else { throw .policyUndefinedName(line: number, name: name) }
            quorum = .named(name)
        }
        quorumLine = number
    }

    private mutating func define(_ name: String, number: Int) throws(WitnessError) {
        guard names.insert(Array(name.utf8)).inserted else { throw .policyDuplicateName(line: number, name: name) }
    }

    private static func key(_ vkey: String, number: Int, role: String, type: NoteSignatureType) throws(WitnessError) -> NoteVerifierKey {
        let key: NoteVerifierKey
        do {
            key = try NoteVerifierKey(parsing: vkey)
        } catch {
            throw .policyInvalidKey(line: number, error)
        }
        guard key.type == type else { throw .policyWrongKeyType(line: number, role: role, found: key.type) }
        return key
    }

    /// Records `key`'s public key; two vkeys wrapping the same key are duplicates whatever their names.
    private static func register(_ key: NoteVerifierKey, number: Int, in lines: inout [[UInt8]: Int]) throws(WitnessError) {
        let raw = Array(key.publicKey.rawRepresentation)
        if let first = lines[raw] { throw .policyDuplicateKey(line: number, firstLine: first) }
        lines[raw] = number
    }
}
