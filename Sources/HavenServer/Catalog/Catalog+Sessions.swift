import Foundation
import GRDB
import HavenIdentity
import HavenStore

extension CatalogMigration {
    /// Web sessions and one-time login codes: only hashes of their secrets are kept.
    static let webSessions = CatalogMigration("v13-web-sessions") { db in
        try db.execute(
            sql: """
                CREATE TABLE web_session (
                    id TEXT PRIMARY KEY NOT NULL,
                    secret_hash BLOB NOT NULL,
                    principal TEXT NOT NULL,
                    token_id TEXT NOT NULL,
                    token_name TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    last_seen_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL,
                    idle_timeout INTEGER NOT NULL,
                    revoked_at DATETIME,
                    user_agent TEXT
                ) WITHOUT ROWID;
                CREATE INDEX web_session_by_principal ON web_session(principal, created_at);
                CREATE TABLE login_code (
                    code_hash BLOB PRIMARY KEY NOT NULL,
                    principal TEXT NOT NULL,
                    token_id TEXT NOT NULL,
                    token_name TEXT NOT NULL,
                    expires_at DATETIME NOT NULL,
                    used_at DATETIME
                ) WITHOUT ROWID;
                """)
    }
}

/// Why a web session or login code could not be used.
public enum SessionError: Error, Equatable, Sendable {
    case notFound(String)
    /// The login code is unknown, used or expired: the three are not told apart.
    case invalidLoginCode
}

extension SessionError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let id): "no session '\(id)' of yours is active; see GET /haven/sessions"
        case .invalidLoginCode:
            "this login link is not valid: it was used already, has expired or was never issued; run 'haven open' for a new one"
        }
    }
}

/// Who a login code or a session signs in as: the principal and the token it was made from.
public struct SessionOrigin: Sendable, Equatable {
    public let principal: Principal
    public let tokenID: TokenID
    public let tokenName: String

    public init(principal: Principal, tokenID: TokenID, tokenName: String) {
        self.principal = principal
        self.tokenID = tokenID
        self.tokenName = tokenName
    }
}

extension Catalog {
    /// Records a new session for `origin`, keeping only the hash of `key`'s secret.
    public func createSession(
        _ key: SessionKey, for origin: SessionOrigin, idleTimeout: Int, lifetime: Int, userAgent: String?, at now: Date
    ) throws -> WebSession {
        let session = WebSession(
            id: key.id, principal: origin.principal, token: origin.tokenName, tokenID: origin.tokenID,
            createdAt: now, lastSeenAt: now, expiresAt: now.addingTimeInterval(TimeInterval(lifetime)),
            idleTimeout: idleTimeout, revokedAt: nil, userAgent: userAgent.map { String($0.prefix(200)) })
        try write { db in
            // Sessions over for a day are of no further use: the table holds live ones and recent history.
            let dayAgo = now.addingTimeInterval(-86_400)
            try db.execute(
                sql: """
                    DELETE FROM web_session
                    WHERE expires_at < ? OR revoked_at < ? OR datetime(last_seen_at, '+' || idle_timeout || ' seconds') < ?
                    """,
                arguments: [dayAgo, dayAgo, dayAgo])
            try db.execute(
                sql: """
                    INSERT INTO web_session (id, secret_hash, principal, token_id, token_name, created_at, last_seen_at,
                        expires_at, idle_timeout, user_agent)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.id, Data(key.secretHash), session.principal.description, origin.tokenID.rawValue,
                    origin.tokenName, now, now, session.expiresAt, idleTimeout, session.userAgent,
                ])
        }
        return session
    }

    /// The session with this id and the hash of its secret, ended or not; `nil` if there is none.
    public func storedSession(id: String) throws -> (session: WebSession, secretHash: [UInt8])? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM web_session WHERE id = ?", arguments: [id]) else {
                return nil
            }
            return (try Self.session(row), Array(row["secret_hash"] as Data))
        }
    }

    /// Notes a request in the session now, which moves its idle end.
    public func touchSession(id: String, at now: Date) throws {
        try write { db in
            try db.execute(sql: "UPDATE web_session SET last_seen_at = ? WHERE id = ?", arguments: [now, id])
        }
    }

    /// Sessions active at `now`, newest first: all of them, or those of `principal`.
    public func activeSessions(of principal: Principal?, at now: Date) throws -> [WebSession] {
        let sessions = try read { db in
            var sql = "SELECT * FROM web_session WHERE revoked_at IS NULL AND expires_at > ?"
            var arguments: StatementArguments = [now]
            if let principal {
                sql += " AND principal = ?"
                arguments += [principal.description]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY created_at DESC, id", arguments: arguments).map(Self.session)
        }
        return sessions.filter { $0.isActive(at: now) }
    }

    /// Ends a session: the owner may end any, anyone else only their own.
    ///
    /// - Throws: ``SessionError/notFound(_:)`` if no such session is active for `caller`.
    @discardableResult
    public func revokeSession(id: String, by caller: Principal, at now: Date) throws -> WebSession {
        try write { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT * FROM web_session WHERE id = ? AND revoked_at IS NULL", arguments: [id])
            else { throw SessionError.notFound(id) }
            let session = try Self.session(row)
            guard caller == .owner || session.principal == caller else { throw SessionError.notFound(id) }
            try db.execute(sql: "UPDATE web_session SET revoked_at = ? WHERE id = ?", arguments: [now, id])
            return session
        }
    }

    /// Records a login code for `origin` that works once, until `expiresAt`.
    public func createLoginCode(_ code: LoginCode, for origin: SessionOrigin, expiresAt: Date) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM login_code WHERE expires_at < ?", arguments: [Date()])
            try db.execute(
                sql: "INSERT INTO login_code (code_hash, principal, token_id, token_name, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [Data(code.hash), origin.principal.description, origin.tokenID.rawValue, origin.tokenName, expiresAt])
        }
    }

    /// Uses a login code up: who it signs in as, or ``SessionError/invalidLoginCode`` if it is
    /// unknown, used or expired. Marking it used and reading it are one transaction, so two
    /// browsers racing with the same link cannot both succeed.
    public func redeemLoginCode(_ code: LoginCode, at now: Date) throws -> SessionOrigin {
        try write { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT * FROM login_code WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
                arguments: [Data(code.hash), now])
            else { throw SessionError.invalidLoginCode }
            try db.execute(sql: "UPDATE login_code SET used_at = ? WHERE code_hash = ?", arguments: [now, Data(code.hash)])
            return SessionOrigin(
                principal: try Principal(parsing: row["principal"] as String),
                tokenID: TokenID(rawValue: row["token_id"]), tokenName: row["token_name"])
        }
    }

    private static func session(_ row: Row) throws -> WebSession {
        WebSession(
            id: row["id"], principal: try Principal(parsing: row["principal"] as String), token: row["token_name"],
            tokenID: TokenID(rawValue: row["token_id"]), createdAt: row["created_at"], lastSeenAt: row["last_seen_at"],
            expiresAt: row["expires_at"], idleTimeout: row["idle_timeout"], revokedAt: row["revoked_at"],
            userAgent: row["user_agent"])
    }
}
