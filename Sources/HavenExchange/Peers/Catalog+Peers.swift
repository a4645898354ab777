import Foundation
import GRDB
import HavenAccess
import HavenIdentity
import HavenStore

extension CatalogMigration {
    /// Peers, the capabilities peers gave this server, mirrors, and received inbox messages.
    public static let exchange = CatalogMigration("v12-exchange") { db in
        try db.execute(
            sql: """
                CREATE TABLE peer (
                    did TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    url TEXT NOT NULL,
                    added_at DATETIME NOT NULL,
                    blocked INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;
                CREATE TABLE held_capability (             -- tokens peers issued to this server
                    id TEXT PRIMARY KEY NOT NULL,          -- CapabilityToken.id of the token
                    issuer TEXT NOT NULL,                  -- the peer's did (root of the chain)
                    token TEXT NOT NULL,
                    capabilities TEXT NOT NULL,            -- JSON [{"with": …, "can": …}]
                    expires_at DATETIME,
                    added_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX held_capability_by_issuer ON held_capability(issuer);
                CREATE TABLE mirror (
                    id TEXT PRIMARY KEY NOT NULL,
                    peer TEXT NOT NULL,                    -- the source peer's did
                    remote_path TEXT NOT NULL,
                    local_path TEXT NOT NULL UNIQUE,
                    feed_id TEXT,
                    cursor INTEGER NOT NULL DEFAULT 0,
                    state TEXT NOT NULL,                   -- active, stopped
                    reason TEXT,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE inbox_message (
                    sender TEXT NOT NULL,
                    id TEXT NOT NULL,
                    path TEXT NOT NULL,
                    received_at DATETIME NOT NULL,
                    PRIMARY KEY (sender, id)
                ) WITHOUT ROWID;
                """)
    }
}

extension Catalog {
    private static func peer(_ row: Row) throws -> Peer {
        Peer(
            did: try DID(parsing: row["did"] as String), name: row["name"], url: row["url"], addedAt: row["added_at"],
            blocked: row["blocked"])
    }

    /// Adds a peer, or updates the name and URL of the one already known by that DID; refuses
    /// a name another peer has.
    public func savePeer(_ peer: Peer) throws(ExchangeError) -> Peer {
        do {
            return try write { db in
                if let taken = try Row.fetchOne(db, sql: "SELECT did FROM peer WHERE name = ?", arguments: [peer.name]),
                    (taken["did"] as String) != peer.did.description
                {
                    throw ExchangeError.peerNameTaken(peer.name)
                }
                try db.execute(
                    sql: """
                        INSERT INTO peer (did, name, url, added_at, blocked) VALUES (?, ?, ?, ?, 0)
                        ON CONFLICT(did) DO UPDATE SET name = excluded.name, url = excluded.url
                        """, arguments: [peer.did.description, peer.name, peer.url, peer.addedAt])
                return try Self.peer(Row.fetchOne(db, sql: "SELECT * FROM peer WHERE did = ?", arguments: [peer.did.description])!)
            }
        } catch let error as ExchangeError {
            throw error
        } catch {
            throw .catalog("\(error)")
        }
    }

    /// Every peer, by name.
    public func peers() throws -> [Peer] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM peer ORDER BY name").map(Self.peer) }
    }

    /// The peer with this DID, if known.
    public func peer(did: DID) throws -> Peer? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM peer WHERE did = ?", arguments: [did.description]).map(Self.peer)
        }
    }

    /// The peer called `name` (or, given a `did:key`, with that DID).
    public func peer(named name: String) throws -> Peer? {
        if name.hasPrefix("did:") || name.hasPrefix("peer:did:"), let principal = try? Principal(parsing: name),
            case .peer(let did) = principal
        {
            return try peer(did: did)
        }
        return try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM peer WHERE name = ?", arguments: [name]).map(Self.peer)
        }
    }

    /// Forgets a peer (its held capabilities and mirrors go with it); false if unknown.
    public func removePeer(did: DID) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM held_capability WHERE issuer = ?", arguments: [did.description])
            try db.execute(sql: "DELETE FROM mirror WHERE peer = ?", arguments: [did.description])
            try db.execute(sql: "DELETE FROM peer WHERE did = ?", arguments: [did.description])
            return db.changesCount > 0
        }
    }

    /// Blocks or unblocks a peer; false if unknown.
    public func setPeerBlocked(did: DID, _ blocked: Bool) throws -> Bool {
        try write { db in
            try db.execute(sql: "UPDATE peer SET blocked = ? WHERE did = ?", arguments: [blocked, did.description])
            return db.changesCount > 0
        }
    }

    /// Whether requests signed by `did` are refused.
    public func isPeerBlocked(_ did: DID) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT blocked FROM peer WHERE did = ?", arguments: [did.description]) ?? false
        }
    }
}
