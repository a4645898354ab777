import Foundation
import GRDB
import HavenIdentity
import HavenStore

/// A local copy of a peer's folder kept current by following the peer's change feed.
public struct Mirror: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// Following the feed.
        case active
        /// Stopped, with the reason (a revoked capability, a removed peer, …); what it copied stays.
        case stopped
    }

    public let id: String
    /// The peer followed.
    public let peer: DID
    public let remotePath: DataPath
    public let localPath: DataPath
    /// The peer's feed id the cursor belongs to; a different one means the feed was reset.
    public var feedID: String?
    /// The last change applied (its sequence in the peer's feed).
    public var cursor: Int64
    public var state: State
    public var reason: String?
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, peer: DID, remotePath: DataPath, localPath: DataPath, feedID: String? = nil, cursor: Int64 = 0,
        state: State = .active, reason: String? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.peer = peer
        self.remotePath = remotePath
        self.localPath = localPath
        self.feedID = feedID
        self.cursor = cursor
        self.state = state
        self.reason = reason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, peer, cursor, state, reason
        case remotePath = "remote_path"
        case localPath = "local_path"
        case feedID = "feed_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(peer, forKey: .peer)
        try container.encode(remotePath, forKey: .remotePath)
        try container.encode(localPath, forKey: .localPath)
        try container.encode(feedID, forKey: .feedID)
        try container.encode(cursor, forKey: .cursor)
        try container.encode(state, forKey: .state)
        try container.encode(reason, forKey: .reason)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension Catalog {
    private static func mirror(_ row: Row) throws -> Mirror {
        Mirror(
            id: row["id"], peer: try DID(parsing: row["peer"] as String),
            remotePath: try DataPath(parsing: row["remote_path"] as String),
            localPath: try DataPath(parsing: row["local_path"] as String), feedID: row["feed_id"], cursor: row["cursor"],
            state: Mirror.State(rawValue: row["state"]) ?? .stopped, reason: row["reason"], createdAt: row["created_at"],
            updatedAt: row["updated_at"])
    }

    /// Records a new mirror; refuses a second one writing to the same local path.
    public func insertMirror(_ mirror: Mirror) throws(ExchangeError) {
        do {
            try write { db in
                let taken = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM mirror WHERE local_path = ?", arguments: [mirror.localPath.string]) ?? false
                if taken { throw ExchangeError.mirrorExists(mirror.localPath.string) }
                try db.execute(
                    sql: """
                        INSERT INTO mirror (id, peer, remote_path, local_path, feed_id, cursor, state, reason, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        mirror.id, mirror.peer.description, mirror.remotePath.string, mirror.localPath.string, mirror.feedID,
                        mirror.cursor, mirror.state.rawValue, mirror.reason, mirror.createdAt, mirror.updatedAt,
                    ])
            }
        } catch let error as ExchangeError {
            throw error
        } catch {
            throw .catalog("\(error)")
        }
    }

    public func mirrors() throws -> [Mirror] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM mirror ORDER BY created_at, id").map(Self.mirror) }
    }

    public func mirror(id: String) throws -> Mirror? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM mirror WHERE id = ?", arguments: [id]).map(Self.mirror) }
    }

    /// Saves where a mirror is in its peer's feed.
    func advanceMirror(id: String, feedID: String, cursor: Int64, at now: Date = Date()) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE mirror SET feed_id = ?, cursor = ?, updated_at = ? WHERE id = ?",
                arguments: [feedID, cursor, now, id])
        }
    }

    /// Stops a mirror, keeping why.
    func stopMirror(id: String, reason: String, at now: Date = Date()) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE mirror SET state = 'stopped', reason = ?, updated_at = ? WHERE id = ?",
                arguments: [reason, now, id])
        }
    }

    /// Forgets a mirror (the files it copied stay); false if unknown.
    public func removeMirror(id: String) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM mirror WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }
}
