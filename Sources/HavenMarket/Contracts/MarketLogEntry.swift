import HavenStore

/// What the storage market writes into a server's ledger: one line naming a document by its
/// CID (the document itself is kept beside the log). Both parties log every revision of a
/// contract they agree to, so its creation and settlement are in both ledgers; the consumer
/// logs each failed challenge's evidence, where witnesses timestamp it, and a new period before
/// drawing that period's challenges from the resulting checkpoint.
public enum MarketLogEntry: Sendable, Hashable {
    /// A binding revision (`status` after it) of a contract.
    case revision(contract: ContractID, number: UInt64, revision: ContentID, status: ContractStatus)
    /// Evidence of a challenge that failed.
    case evidence(contract: ContractID, evidence: ContentID, outcome: ChallengeOutcome)
    /// A provider's answer to evidence it holds a timely answer against.
    case dispute(contract: ContractID, evidence: ContentID)
    /// The start of a period's challenges: the checkpoint that includes this entry seeds them.
    case period(contract: ContractID, period: UInt64)

    static let prefix = "haven-market/v1"

    /// The entry as the log stores it.
    public var encoded: [UInt8] {
        let line: String
        switch self {
        case .revision(let contract, let number, let revision, let status):
            line = "\(Self.prefix) revision \(contract) \(number) \(revision) \(status.rawValue)"
        case .evidence(let contract, let evidence, let outcome):
            line = "\(Self.prefix) evidence \(contract) \(evidence) \(outcome.rawValue)"
        case .dispute(let contract, let evidence):
            line = "\(Self.prefix) dispute \(contract) \(evidence)"
        case .period(let contract, let period):
            line = "\(Self.prefix) period \(contract) \(period)"
        }
        return Array(line.utf8)
    }

    /// Reads an entry this type wrote; `nil` for any other log entry.
    public init?(parsing bytes: [UInt8]) {
        let words = String(decoding: bytes, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard words.count >= 4, words[0] == Self.prefix, let contract = try? ContractID(parsing: words[2]) else { return nil }
        switch (words[1], words.count) {
        case ("revision", 6):
            guard let number = UInt64(words[3]), let revision = try? ContentID(parsing: words[4]),
                let status = ContractStatus(rawValue: words[5])
            else { return nil }
            self = .revision(contract: contract, number: number, revision: revision, status: status)
        case ("evidence", 5):
            guard let evidence = try? ContentID(parsing: words[3]), let outcome = ChallengeOutcome(rawValue: words[4]) else {
                return nil
            }
            self = .evidence(contract: contract, evidence: evidence, outcome: outcome)
        case ("dispute", 4):
            guard let evidence = try? ContentID(parsing: words[3]) else { return nil }
            self = .dispute(contract: contract, evidence: evidence)
        case ("period", 4):
            guard let period = UInt64(words[3]) else { return nil }
            self = .period(contract: contract, period: period)
        default:
            return nil
        }
        guard encoded == bytes else { return nil }
    }
}
