import HavenStore

/// What the storage market writes into a server's ledger: one line naming a document by its
/// CID (the document itself is kept beside the log). Both parties log every revision of a
/// contract they agree to, so its creation and settlement are in both ledgers; the consumer
/// logs each failed challenge's evidence, where witnesses timestamp it, and a new period before
/// drawing that period's challenges from the resulting checkpoint. Data sales are logged by
/// purchase id on both sides: the seller's listing and sale, the buyer's purchase, the
/// delivery, and a refund when the seller did not deliver in time.
public enum MarketLogEntry: Sendable, Hashable {
    /// A binding revision (`status` after it) of a contract.
    case revision(contract: ContractID, number: UInt64, revision: ContentID, status: ContractStatus)
    /// Evidence of a challenge that failed.
    case evidence(contract: ContractID, evidence: ContentID, outcome: ChallengeOutcome)
    /// A provider's answer to evidence it holds a timely answer against.
    case dispute(contract: ContractID, evidence: ContentID)
    /// The start of a period's challenges: the checkpoint that includes this entry seeds them.
    case period(contract: ContractID, period: UInt64)
    /// A data listing published (the signed listing is kept beside the log).
    case listing(listing: ContentID)
    /// The seller charged `order` once and issued the licence record `licence`.
    case sale(purchase: PurchaseID, order: ContentID, licence: ContentID)
    /// The buyer paid with `order` and holds the licence record `licence`.
    case purchase(purchase: PurchaseID, order: ContentID, licence: ContentID)
    /// The content was delivered and checked against the listing's content id.
    case delivery(purchase: PurchaseID, content: ContentID)
    /// Not delivered by the deadline: the price of `order` went back to the buyer.
    case refund(purchase: PurchaseID, order: ContentID)

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
        case .listing(let listing):
            line = "\(Self.prefix) listing \(listing)"
        case .sale(let purchase, let order, let licence):
            line = "\(Self.prefix) sale \(purchase) \(order) \(licence)"
        case .purchase(let purchase, let order, let licence):
            line = "\(Self.prefix) purchase \(purchase) \(order) \(licence)"
        case .delivery(let purchase, let content):
            line = "\(Self.prefix) delivery \(purchase) \(content)"
        case .refund(let purchase, let order):
            line = "\(Self.prefix) refund \(purchase) \(order)"
        }
        return Array(line.utf8)
    }

    /// Reads an entry this type wrote; `nil` for any other log entry.
    public init?(parsing bytes: [UInt8]) {
        let words = String(decoding: bytes, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard words.count >= 3, words[0] == Self.prefix else { return nil }
        func cid(_ index: Int) -> ContentID? { try? ContentID(parsing: words[index]) }
        let contract = try? ContractID(parsing: words[2])
        let purchase = PurchaseID(words[2])
        switch (words[1], words.count) {
        case ("revision", 6):
            guard let contract, let number = UInt64(words[3]), let revision = cid(4),
                let status = ContractStatus(rawValue: words[5])
            else { return nil }
            self = .revision(contract: contract, number: number, revision: revision, status: status)
        case ("evidence", 5):
            guard let contract, let evidence = cid(3), let outcome = ChallengeOutcome(rawValue: words[4]) else { return nil }
            self = .evidence(contract: contract, evidence: evidence, outcome: outcome)
        case ("dispute", 4):
            guard let contract, let evidence = cid(3) else { return nil }
            self = .dispute(contract: contract, evidence: evidence)
        case ("period", 4):
            guard let contract, let period = UInt64(words[3]) else { return nil }
            self = .period(contract: contract, period: period)
        case ("listing", 3):
            guard let listing = cid(2) else { return nil }
            self = .listing(listing: listing)
        case ("sale", 5):
            guard let purchase, let order = cid(3), let licence = cid(4) else { return nil }
            self = .sale(purchase: purchase, order: order, licence: licence)
        case ("purchase", 5):
            guard let purchase, let order = cid(3), let licence = cid(4) else { return nil }
            self = .purchase(purchase: purchase, order: order, licence: licence)
        case ("delivery", 4):
            guard let purchase, let content = cid(3) else { return nil }
            self = .delivery(purchase: purchase, content: content)
        case ("refund", 4):
            guard let purchase, let order = cid(3) else { return nil }
            self = .refund(purchase: purchase, order: order)
        default:
            return nil
        }
        guard encoded == bytes else { return nil }
    }
}
