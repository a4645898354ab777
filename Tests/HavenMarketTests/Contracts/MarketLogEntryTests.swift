import HavenMarket
import HavenStore
import Testing

@Suite struct MarketLogEntryTests {
    let contract = ChallengeFixtures.contract
    let document = ContentID.hashing(Array("document".utf8), codec: .dagJSON)
    let purchase = PurchaseID(String(repeating: "0a", count: 16))!

    @Test func everyEntryReadsBackAsWritten() throws {
        let entries: [MarketLogEntry] = [
            .revision(contract: contract, number: 3, revision: document, status: .active),
            .revision(contract: contract, number: 4, revision: document, status: .breached),
            .evidence(contract: contract, evidence: document, outcome: .late),
            .dispute(contract: contract, evidence: document),
            .period(contract: contract, period: 12),
            .listing(listing: document),
            .sale(purchase: purchase, order: document, licence: document),
            .purchase(purchase: purchase, order: document, licence: document),
            .delivery(purchase: purchase, content: document),
            .refund(purchase: purchase, order: document),
        ]
        for entry in entries {
            #expect(MarketLogEntry(parsing: entry.encoded) == entry)
        }
        #expect(
            String(decoding: MarketLogEntry.period(contract: contract, period: 12).encoded, as: UTF8.self)
                == "haven-market/v1 period \(contract) 12")
    }

    @Test func otherLinesAreNotMarketEntries() {
        for line in [
            "haven-audit-head/v1 4 abc", "haven-market/v1 period \(contract)", "haven-market/v1 period \(contract) x",
            "haven-market/v1 revision \(contract) 1 \(document) lost", "haven-market/v1  period \(contract) 1",
            "haven-market/v1 period \(contract) 01",
            "haven-market/v1 refund \(String(repeating: "0A", count: 16)) \(document)",
            "haven-market/v1 sale \(purchase) \(document)", "haven-market/v1 delivery \(contract) \(document)",
            "haven-market/v1 listing \(purchase)",
        ] {
            #expect(MarketLogEntry(parsing: Array(line.utf8)) == nil, "\(line)")
        }
    }
}
