import HavenMarket

extension FuzzTarget {
    /// What storage-market and data-sale peers send each other: signed offers, contract
    /// revisions, challenge evidence, listings and purchase orders (canonical JSON), the lines
    /// the market writes to the ledger, and contract ids. Every input goes to each parser.
    static let market = FuzzTarget(
        name: "market",
        summary: "StorageOffer, ContractRevision, ChallengeEvidence, DataListing, PurchaseOrder, MarketLogEntry, ContractID"
    ) { bytes throws(FuzzFinding) in
        try writesBack("storage offer", bytes, StorageOffer.init(parsing:), \.encoded)
        try writesBack("contract revision", bytes, ContractRevision.init(parsing:), \.encoded)
        try writesBack("challenge evidence", bytes, ChallengeEvidence.init(parsing:), \.encoded)
        try writesBack("data listing", bytes, DataListing.init(parsing:), \.encoded)
        try writesBack("purchase order", bytes, PurchaseOrder.init(parsing:), \.encoded)
        if let entry = MarketLogEntry(parsing: bytes) {
            try expect(MarketLogEntry(parsing: entry.encoded) == entry, "market log entry \(text(entry.encoded)) does not parse back")
        }
        let string = text(bytes)
        if let contract = attempt({ try ContractID(parsing: string) }) {
            try expect(contract.description == string, "contract id '\(string)' is written back as '\(contract)'")
        }
    }

    /// Checks a signed document type: what `parse` accepts is its own canonical encoding, and
    /// that encoding parses to an equal value.
    private static func writesBack<Document: Equatable>(
        _ name: String, _ bytes: [UInt8], _ parse: ([UInt8]) throws -> Document, _ encoded: (Document) -> [UInt8]
    ) throws(FuzzFinding) {
        guard let document = attempt({ try parse(bytes) }) else { return }
        try expect(encoded(document) == bytes, "an accepted \(name) is not its own canonical encoding")
        try expect(attempt({ try parse(encoded(document)) }) == document, "a \(name) does not parse back")
    }
}
