/// The head of the audit log as committed to the ledger: the sequence number and hash of the
/// newest entry at that moment. The hash chain alone cannot show that its newest entries were
/// removed; an anchor kept outside the catalog (in the witnessed log) can.
public struct AuditAnchor: Sendable, Equatable, Codable {
    public let sequence: Int64
    public let hash: String

    public init(sequence: Int64, hash: String) {
        self.sequence = sequence
        self.hash = hash
    }

    /// The prefix of a ledger entry that holds an anchor.
    public static let entryPrefix = Array("haven-audit-head/v1 ".utf8)

    /// The ledger entry: `haven-audit-head/v1 <sequence> <hash>`.
    public var entry: [UInt8] { Self.entryPrefix + Array("\(sequence) \(hash)".utf8) }

    /// Reads an anchor entry; `nil` for any other entry.
    public init?(entry: [UInt8]) {
        guard entry.count <= 256, entry.starts(with: Self.entryPrefix) else { return nil }
        let fields = String(decoding: entry.dropFirst(Self.entryPrefix.count), as: UTF8.self).split(separator: " ")
        guard fields.count == 2, let sequence = Int64(fields[0]), sequence > 0,
            fields[1].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }), !fields[1].isEmpty
        else { return nil }
        self.init(sequence: sequence, hash: String(fields[1]))
    }
}
