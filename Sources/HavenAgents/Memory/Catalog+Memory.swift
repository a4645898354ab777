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
                arguments: [principal, key, stored(value, in: .agentMemory), date])
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
            return try rows.map { ($0["key"], try text($0["value"], of: .agentMemory)) }
        }
    }
}

extension SealedColumn {
    /// What an agent remembers (the key it is kept under stays plain: agents look it up).
    public static let agentMemory = SealedColumn("agent_memory.value")
    /// A conversation's title: its first words.
    public static let conversationTitle = SealedColumn("conversation.title")
    /// One message of a conversation (an ``AgentMessage`` as JSON): questions, answers, and
    /// what tools read from files.
    public static let conversationMessage = SealedColumn("conversation_message.message")
}

extension CatalogSealingStep {
    /// Seals what agents remember.
    public static let agentMemory = CatalogSealingStep("agent memory") { db, catalog in
        let rows = try Row.fetchAll(db, sql: "SELECT principal, key, value FROM agent_memory WHERE typeof(value) = 'text'")
        let update = try db.makeStatement(sql: "UPDATE agent_memory SET value = ? WHERE principal = ? AND key = ?")
        for row in rows {
            let value: String = row["value"]
            try update.execute(arguments: [catalog.stored(value, in: .agentMemory), row["principal"] as String, row["key"] as String])
        }
        return rows.count
    }

    /// Seals conversations' titles and messages.
    public static let conversations = CatalogSealingStep("conversations") { db, catalog in
        let titles = try Row.fetchAll(db, sql: "SELECT id, title FROM conversation WHERE typeof(title) = 'text'")
        let updateTitle = try db.makeStatement(sql: "UPDATE conversation SET title = ? WHERE id = ?")
        for row in titles {
            let title: String = row["title"]
            try updateTitle.execute(arguments: [catalog.stored(title, in: .conversationTitle), row["id"] as String])
        }
        let messages = try Row.fetchAll(
            db, sql: "SELECT conversation_id, seq, message FROM conversation_message WHERE typeof(message) = 'text'")
        let updateMessage = try db.makeStatement(
            sql: "UPDATE conversation_message SET message = ? WHERE conversation_id = ? AND seq = ?")
        for row in messages {
            let message: String = row["message"]
            try updateMessage.execute(arguments: [
                catalog.stored(message, in: .conversationMessage), row["conversation_id"] as String, row["seq"] as Int,
            ])
        }
        return titles.count + messages.count
    }
}
