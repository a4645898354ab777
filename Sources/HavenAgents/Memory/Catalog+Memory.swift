import Foundation
import GRDB
import HavenStore

extension CatalogMigration {
    /// What agents remember for each principal, and conversations.
    public static let agents = CatalogMigration("v9-agents") { db in
        try db.execute(
            sql: """
                CREATE TABLE agent_memory (
                    principal TEXT NOT NULL,
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    updated_at DATETIME NOT NULL,
                    PRIMARY KEY (principal, key)
                ) WITHOUT ROWID;
                CREATE TABLE conversation (
                    id TEXT PRIMARY KEY NOT NULL,
                    principal TEXT NOT NULL,
                    agent TEXT NOT NULL,
                    title TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX conversation_by_principal ON conversation(principal, updated_at);
                CREATE TABLE conversation_message (
                    conversation_id TEXT NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
                    seq INTEGER NOT NULL,
                    message TEXT NOT NULL,             -- AgentMessage as JSON
                    PRIMARY KEY (conversation_id, seq)
                ) WITHOUT ROWID;
                """)
    }
}

extension CatalogMigration {
    /// Conversations with a model directly, kept by the client (the web app): `agent` is
    /// empty and `model` names the model.
    public static let modelConversations = CatalogMigration("v14-model-conversations") { db in
        try db.execute(sql: "ALTER TABLE conversation ADD COLUMN model TEXT")
    }
}

extension Catalog {
    /// Keeps `value` under `key` for `principal`.
    func remember(_ value: String, key: String, for principal: String, at date: Date) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO agent_memory (principal, key, value, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [principal, key, value, date])
        }
    }

    /// What `principal` asked to be remembered: one key, or all.
    func recall(key: String?, for principal: String) throws -> [(key: String, value: String)] {
        try read { db in
            let rows = if let key {
                try Row.fetchAll(
                    db, sql: "SELECT key, value FROM agent_memory WHERE principal = ? AND key = ?", arguments: [principal, key])
            } else {
                try Row.fetchAll(
                    db, sql: "SELECT key, value FROM agent_memory WHERE principal = ? ORDER BY key", arguments: [principal])
            }
            return rows.map { ($0["key"], $0["value"]) }
        }
    }
}
