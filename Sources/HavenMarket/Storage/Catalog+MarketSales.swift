import Foundation
import GRDB
import HavenIdentity
import HavenStore

extension CatalogMigration {
    /// Data licences for sale: the listings published here, the sales made (seller side,
    /// keyed by purchase id, so an order is charged once), and the purchases made (buyer side).
    public static let marketSales = CatalogMigration("v21-market-sales") { db in
        try db.execute(
            sql: """
                CREATE TABLE market_listing (
                    id TEXT PRIMARY KEY NOT NULL,      -- CID of the signed listing
                    document BLOB NOT NULL,            -- the signed canonical JSON
                    path TEXT NOT NULL,                -- the file it sells
                    policy TEXT NOT NULL,              -- the licence policy's canonical JSON
                    log_index INTEGER,
                    created_at DATETIME NOT NULL,
                    withdrawn_at DATETIME
                ) WITHOUT ROWID;
                CREATE TABLE market_sale (
                    purchase TEXT PRIMARY KEY NOT NULL, -- the buyer's purchase id
                    listing TEXT NOT NULL REFERENCES market_listing(id),
                    buyer TEXT NOT NULL,
                    order_document BLOB NOT NULL,      -- the buyer's signed order: its payment
                    price INTEGER NOT NULL,
                    licence TEXT NOT NULL,             -- the licence record's CID
                    share TEXT NOT NULL,               -- the capability's token id
                    token TEXT NOT NULL,               -- the capability (bound to the buyer's key)
                    state TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    deadline DATETIME NOT NULL,
                    settled_at DATETIME,               -- delivered or refunded
                    served_at DATETIME                 -- when the content was first served under the capability
                ) WITHOUT ROWID;
                CREATE INDEX market_sale_share ON market_sale(share);
                CREATE TABLE market_purchase (
                    purchase TEXT PRIMARY KEY NOT NULL,
                    seller TEXT NOT NULL,
                    listing_document BLOB NOT NULL,
                    policy TEXT NOT NULL,
                    order_document BLOB NOT NULL,
                    price INTEGER NOT NULL,
                    path TEXT NOT NULL,                -- where the content is delivered here
                    purpose TEXT,                      -- stated when fetching, for licences that need one
                    state TEXT NOT NULL,
                    licence TEXT,                      -- the seller's licence record, once paid
                    token TEXT,                        -- the capability it issued
                    created_at DATETIME NOT NULL,
                    deadline DATETIME NOT NULL,
                    settled_at DATETIME,
                    last_error TEXT
                ) WITHOUT ROWID;
                CREATE INDEX market_purchase_state ON market_purchase(state, deadline);
                """)
    }
}

/// A listing published here.
public struct PublishedListing: Sendable {
    public let listing: DataListing
    public let path: String
    /// The licence policy's canonical JSON.
    public let policy: [UInt8]
    public let logIndex: UInt64?
    public let createdAt: Date
    public let withdrawnAt: Date?

    public init(listing: DataListing, path: String, policy: [UInt8], logIndex: UInt64?, createdAt: Date, withdrawnAt: Date?) {
        self.listing = listing
        self.path = path
        self.policy = policy
        self.logIndex = logIndex
        self.createdAt = createdAt
        self.withdrawnAt = withdrawnAt
    }
}

/// A sale made here (seller side).
public struct SaleRecord: Sendable {
    public let order: PurchaseOrder
    public let listing: ContentID
    public let licence: ContentID
    public let share: String
    public let token: String
    public let state: SaleState
    public let createdAt: Date
    public let deadline: Date
    public let settledAt: Date?
    /// When the content was first served under the sale's capability: the seller's proof of delivery.
    public let servedAt: Date?

    public var purchase: PurchaseID { order.purchase }

    public init(
        order: PurchaseOrder, listing: ContentID, licence: ContentID, share: String, token: String, state: SaleState,
        createdAt: Date, deadline: Date, settledAt: Date?, servedAt: Date? = nil
    ) {
        self.servedAt = servedAt
        self.order = order
        self.listing = listing
        self.licence = licence
        self.share = share
        self.token = token
        self.state = state
        self.createdAt = createdAt
        self.deadline = deadline
        self.settledAt = settledAt
    }
}

/// A purchase made here (buyer side).
public struct PurchaseRecord: Sendable {
    public let order: PurchaseOrder
    public let listing: DataListing
    public let policy: [UInt8]
    public let path: String
    public let purpose: String?
    public let state: SaleState
    public let licence: ContentID?
    public let token: String?
    public let createdAt: Date
    public let deadline: Date
    public let settledAt: Date?
    public let lastError: String?

    public var purchase: PurchaseID { order.purchase }

    public init(
        order: PurchaseOrder, listing: DataListing, policy: [UInt8], path: String, purpose: String?, state: SaleState,
        licence: ContentID?, token: String?, createdAt: Date, deadline: Date, settledAt: Date?, lastError: String?
    ) {
        self.order = order
        self.listing = listing
        self.policy = policy
        self.path = path
        self.purpose = purpose
        self.state = state
        self.licence = licence
        self.token = token
        self.createdAt = createdAt
        self.deadline = deadline
        self.settledAt = settledAt
        self.lastError = lastError
    }
}

extension Catalog {
    // MARK: Listings

    /// Keeps a signed listing with the path it sells and its policy.
    public func saveListing(_ listing: DataListing, path: String, policy: [UInt8], at date: Date) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO market_listing (id, document, path, policy, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO NOTHING
                    """,
                arguments: [listing.id.description, Data(listing.encoded), path, String(decoding: policy, as: UTF8.self), date])
        }
    }

    public func setListingLogIndex(_ index: UInt64, of listing: ContentID) throws {
        try write { db in
            try db.execute(sql: "UPDATE market_listing SET log_index = ? WHERE id = ?", arguments: [Int64(index), listing.description])
        }
    }

    /// Withdraws a listing; `false` if there is no such listing still open.
    public func withdrawListing(id: String, at date: Date) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE market_listing SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL", arguments: [date, id])
            return db.changesCount == 1
        }
    }

    /// Listings published here, oldest first; withdrawn ones only when asked for.
    public func listings(includeWithdrawn: Bool = false) throws -> [PublishedListing] {
        let rows = try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM market_listing \(includeWithdrawn ? "" : "WHERE withdrawn_at IS NULL") ORDER BY created_at, id")
        }
        return try rows.map(Self.listing(from:))
    }

    /// One listing published here, withdrawn or not.
    public func listing(id: ContentID) throws -> PublishedListing? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM market_listing WHERE id = ?", arguments: [id.description])
        }.map(Self.listing(from:))
    }

    private static func listing(from row: Row) throws -> PublishedListing {
        let listing: DataListing
        do {
            listing = try DataListing(parsing: [UInt8](row["document"] as Data))
        } catch {
            throw CatalogError.database(reason: "listing \(row["id"] as String) is damaged: \(error)")
        }
        return PublishedListing(
            listing: listing, path: row["path"], policy: Array((row["policy"] as String).utf8),
            logIndex: (row["log_index"] as Int64?).map(UInt64.init), createdAt: row["created_at"], withdrawnAt: row["withdrawn_at"])
    }

    // MARK: Sales

    /// Records a sale unless one with this purchase id exists. Returns the sale that stands
    /// and whether it is the one just recorded (so the caller charges and logs exactly once).
    public func recordSale(_ sale: SaleRecord) throws -> (sale: SaleRecord, isNew: Bool) {
        try write { db in
            if let existing = try Row.fetchOne(
                db, sql: "SELECT * FROM market_sale WHERE purchase = ?", arguments: [sale.purchase.value])
            {
                return (try Self.sale(from: existing), false)
            }
            try db.execute(
                sql: """
                    INSERT INTO market_sale (purchase, listing, buyer, order_document, price, licence, share, token, state,
                        created_at, deadline)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    sale.purchase.value, sale.listing.description, sale.order.buyer.description, Data(sale.order.encoded),
                    sale.order.price, sale.licence.description, sale.share, sale.token, sale.state.rawValue, sale.createdAt,
                    sale.deadline,
                ])
            return (sale, true)
        }
    }

    public func sale(purchase: PurchaseID) throws -> SaleRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM market_sale WHERE purchase = ?", arguments: [purchase.value])
        }.map(Self.sale(from:))
    }

    /// Sales, newest first.
    public func sales() throws -> [SaleRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM market_sale ORDER BY created_at DESC, purchase")
        }.map(Self.sale(from:))
    }

    /// Moves a pending sale to `state`; `false` if it was no longer pending.
    public func settleSale(_ purchase: PurchaseID, as state: SaleState, at date: Date) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE market_sale SET state = ?, settled_at = ? WHERE purchase = ? AND state = 'pending'",
                arguments: [state.rawValue, date, purchase.value])
            return db.changesCount == 1
        }
    }

    /// Notes that content was served under capability `share`, if it is a sale's (the first
    /// time only). Cheap when it is not: one indexed update.
    public func noteSaleServed(share: String, at date: Date) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE market_sale SET served_at = ? WHERE share = ? AND served_at IS NULL", arguments: [date, share])
        }
    }

    /// Pending sales whose deadline passed.
    public func overdueSales(at date: Date) throws -> [SaleRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM market_sale WHERE state = 'pending' AND deadline < ? ORDER BY deadline", arguments: [date])
        }.map(Self.sale(from:))
    }

    private static func sale(from row: Row) throws -> SaleRecord {
        do {
            guard let state = SaleState(rawValue: row["state"]) else { throw SaleError.malformed("state") }
            return SaleRecord(
                order: try PurchaseOrder(parsing: [UInt8](row["order_document"] as Data)),
                listing: try ContentID(parsing: row["listing"] as String), licence: try ContentID(parsing: row["licence"] as String),
                share: row["share"], token: row["token"], state: state, createdAt: row["created_at"], deadline: row["deadline"],
                settledAt: row["settled_at"], servedAt: row["served_at"])
        } catch {
            throw CatalogError.database(reason: "sale \(row["purchase"] as String) is damaged: \(error)")
        }
    }

    // MARK: Purchases

    /// Records a purchase about to be paid (state pending, no licence yet).
    public func recordPurchase(_ purchase: PurchaseRecord) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO market_purchase (purchase, seller, listing_document, policy, order_document, price, path, purpose,
                        state, created_at, deadline)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    purchase.purchase.value, purchase.listing.seller.description, Data(purchase.listing.encoded),
                    String(decoding: purchase.policy, as: UTF8.self), Data(purchase.order.encoded), purchase.order.price,
                    purchase.path, purchase.purpose, purchase.state.rawValue, purchase.createdAt, purchase.deadline,
                ])
        }
    }

    /// Keeps the licence and capability the seller answered a purchase with.
    public func setPurchaseLicence(_ purchase: PurchaseID, licence: ContentID, token: String) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE market_purchase SET licence = ?, token = ? WHERE purchase = ?",
                arguments: [licence.description, token, purchase.value])
        }
    }

    /// Notes why a delivery attempt failed.
    public func setPurchaseError(_ purchase: PurchaseID, _ message: String?) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE market_purchase SET last_error = ? WHERE purchase = ?",
                arguments: [message.map { String($0.prefix(1000)) }, purchase.value])
        }
    }

    /// Moves a pending purchase to `state`; `false` if it was no longer pending.
    public func settlePurchase(_ purchase: PurchaseID, as state: SaleState, at date: Date) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE market_purchase SET state = ?, settled_at = ? WHERE purchase = ? AND state = 'pending'",
                arguments: [state.rawValue, date, purchase.value])
            return db.changesCount == 1
        }
    }

    public func purchase(_ purchase: PurchaseID) throws -> PurchaseRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM market_purchase WHERE purchase = ?", arguments: [purchase.value])
        }.map(Self.purchase(from:))
    }

    /// Purchases, newest first; only pending ones when asked.
    public func purchases(pendingOnly: Bool = false) throws -> [PurchaseRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM market_purchase \(pendingOnly ? "WHERE state = 'pending'" : "") ORDER BY created_at DESC, purchase")
        }.map(Self.purchase(from:))
    }

    private static func purchase(from row: Row) throws -> PurchaseRecord {
        do {
            guard let state = SaleState(rawValue: row["state"]) else { throw SaleError.malformed("state") }
            return PurchaseRecord(
                order: try PurchaseOrder(parsing: [UInt8](row["order_document"] as Data)),
                listing: try DataListing(parsing: [UInt8](row["listing_document"] as Data)),
                policy: Array((row["policy"] as String).utf8), path: row["path"], purpose: row["purpose"], state: state,
                licence: try (row["licence"] as String?).map { try ContentID(parsing: $0) }, token: row["token"],
                createdAt: row["created_at"], deadline: row["deadline"], settledAt: row["settled_at"], lastError: row["last_error"])
        } catch {
            throw CatalogError.database(reason: "purchase \(row["purchase"] as String) is damaged: \(error)")
        }
    }
}
