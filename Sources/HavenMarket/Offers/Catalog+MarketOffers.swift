import Foundation
import GRDB
import HavenStore

extension CatalogMigration {
    /// The storage offers this server published, as signed documents.
    public static let marketOffers = CatalogMigration("v19-market-offers") { db in
        try db.execute(
            sql: """
                CREATE TABLE market_offer (
                    id TEXT PRIMARY KEY NOT NULL,      -- CID of the signed offer
                    document BLOB NOT NULL,            -- the signed canonical JSON
                    log_index INTEGER,                 -- its entry in this server's ledger, once appended
                    created_at DATETIME NOT NULL,
                    withdrawn_at DATETIME
                ) WITHOUT ROWID;
                """)
    }
}

/// An offer this server published, with where it stands.
public struct PublishedOffer: Sendable {
    public let offer: StorageOffer
    public let logIndex: UInt64?
    public let createdAt: Date
    public let withdrawnAt: Date?
}

extension Catalog {
    /// Keeps a signed offer.
    public func saveMarketOffer(_ offer: StorageOffer, at date: Date) throws {
        try write { db in
            try db.execute(
                sql: "INSERT INTO market_offer (id, document, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
                arguments: [offer.id.description, Data(offer.encoded), date])
        }
    }

    /// Notes where an offer stands in this server's log.
    public func setMarketOfferLogIndex(_ index: UInt64, of offer: ContentID) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE market_offer SET log_index = ? WHERE id = ?", arguments: [Int64(index), offer.description])
        }
    }

    /// Withdraws an offer; `false` if there is no such offer still open.
    public func withdrawMarketOffer(id: String, at date: Date) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE market_offer SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL", arguments: [date, id])
            return db.changesCount == 1
        }
    }

    /// Offers published here, oldest first; withdrawn ones only when asked for.
    public func marketOffers(includeWithdrawn: Bool = false) throws -> [PublishedOffer] {
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM market_offer \(includeWithdrawn ? "" : "WHERE withdrawn_at IS NULL") ORDER BY created_at, id")
        }
        return try rows.map { row in
            let document: Data = row["document"]
            let index: Int64? = row["log_index"]
            return PublishedOffer(
                offer: try StorageOffer(parsing: [UInt8](document)), logIndex: index.map { UInt64($0) },
                createdAt: row["created_at"], withdrawnAt: row["withdrawn_at"])
        }
    }
}
