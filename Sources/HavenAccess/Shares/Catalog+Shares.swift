import Foundation
import GRDB
import HavenIdentity
import HavenStore

extension CatalogMigration {
    /// Capability tokens the owner minted, and revoked token ids (minted here or delegated).
    public static let shares = CatalogMigration("v7-shares") { db in
        try db.execute(
            sql: """
                CREATE TABLE share (
                    id TEXT PRIMARY KEY NOT NULL,
                    audience TEXT NOT NULL,
                    capabilities TEXT NOT NULL,          -- JSON [{"with": …, "can": …}]
                    created_at DATETIME NOT NULL,
                    not_before DATETIME,
                    expires_at DATETIME,
                    revoked_at DATETIME
                ) WITHOUT ROWID;
                CREATE TABLE revoked_token (
                    id TEXT PRIMARY KEY NOT NULL,
                    revoked_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                """)
    }
}

extension Catalog {
    /// Mints a capability token signed by `key` and remembers it as a share, so it can be
    /// listed and revoked; returns the token (shown once) and the share.
    public func mintShare(
        issuer key: IdentityKey, audience: DID, capabilities: [Capability], notBefore: Date? = nil, expiresAt: Date?,
        policy: LicencePolicy? = nil, at now: Date = Date()
    ) throws -> (token: String, share: Share) {
        let token = try CapabilityToken.mint(
            issuer: key, audience: audience, capabilities: capabilities, notBefore: notBefore, expiresAt: expiresAt)
        let share = Share(
            id: CapabilityToken.id(of: token), audience: audience, capabilities: capabilities, createdAt: now,
            notBefore: notBefore, expiresAt: expiresAt, revokedAt: nil, policy: policy)
        try insertShare(share)
        return (token, share)
    }

    /// Remembers a minted token (its id and claims, not the token).
    public func insertShare(_ share: Share) throws {
        let capabilities = String(decoding: try JSONEncoder().encode(share.capabilities), as: UTF8.self)
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO share (id, audience, capabilities, created_at, not_before, expires_at, revoked_at, policy)
                    VALUES (?, ?, ?, ?, ?, ?, NULL, ?)
                    """,
                arguments: [
                    share.id, share.audience.description, capabilities, share.createdAt, share.notBefore, share.expiresAt,
                    share.policy.map { String(decoding: $0.canonicalJSON, as: UTF8.self) },
                ])
        }
    }

    /// Minted tokens, oldest first; revoked ones only when asked for.
    public func shares(includeRevoked: Bool = false) throws -> [Share] {
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM share \(includeRevoked ? "" : "WHERE revoked_at IS NULL") ORDER BY created_at, id")
        }
        do {
            return try rows.map { row in
                Share(
                    id: row["id"], audience: try DID(parsing: row["audience"] as String),
                    capabilities: try JSONDecoder().decode([Capability].self, from: Data((row["capabilities"] as String).utf8)),
                    createdAt: row["created_at"], notBefore: row["not_before"], expiresAt: row["expires_at"],
                    revokedAt: row["revoked_at"],
                    policy: try (row["policy"] as String?).map { try LicencePolicy(parsing: Array($0.utf8)) })
            }
        } catch {
            throw CatalogError.database(reason: "a share record is damaged: \(error)")
        }
    }

    /// Revokes the token with this id, and with it every token it proves: a delegated token
    /// is checked link by link, so revoking one link stops the whole chain below it. Returns
    /// whether the token was minted here.
    @discardableResult
    public func revokeToken(id: String, at date: Date) throws -> Bool {
        try write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO revoked_token (id, revoked_at) VALUES (?, ?)", arguments: [id, date])
            try db.execute(sql: "UPDATE share SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [date, id])
            return try Bool.fetchOne(db, sql: "SELECT 1 FROM share WHERE id = ?", arguments: [id]) ?? false
        }
    }

}

extension Catalog {
    /// The licences carried by the shares among `ids` (a verified token's chain), by id.
    public func sharePolicies(among ids: [String]) throws -> [String: LicencePolicy] {
        guard !ids.isEmpty else { return [:] }
        let rows = try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, policy FROM share WHERE policy IS NOT NULL AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments(ids))
        }
        var policies: [String: LicencePolicy] = [:]
        for row in rows {
            do {
                policies[row["id"]] = try LicencePolicy(parsing: Array((row["policy"] as String).utf8))
            } catch {
                throw CatalogError.database(reason: "the licence of share \(row["id"] as String) is damaged: \(error)")
            }
        }
        return policies
    }

    /// Whether the token with this id was revoked.
    public func isTokenRevoked(_ id: String) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM revoked_token WHERE id = ?", arguments: [id]) ?? false
        }
    }
}
