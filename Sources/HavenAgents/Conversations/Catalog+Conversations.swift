import Foundation
import GRDB
import HavenStore

extension Catalog {
    /// Starts a conversation for `principal` with `agent`.
    public func createConversation(principal: String, agent: String, title: String, at date: Date) throws -> Conversation {
        try createConversation(principal: principal, agent: agent, model: nil, title: title, at: date)
    }

    /// Starts a conversation for `principal` with `model` directly (no agent), kept by the client.
    public func createConversation(principal: String, model: String, title: String, at date: Date) throws -> Conversation {
        try createConversation(principal: principal, agent: nil, model: model, title: title, at: date)
    }

    private func createConversation(
        principal: String, agent: String?, model: String?, title: String, at date: Date
    ) throws -> Conversation {
        let id = "conv_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let title = String(title.prefix(80))
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO conversation (id, principal, agent, model, title, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, principal, agent ?? "", model, stored(title, in: .conversationTitle), date, date])
        }
        return Conversation(
            id: id, principal: principal, agent: agent, model: model, title: title, createdAt: date, updatedAt: date,
            messages: [])
    }

    /// Adds messages to the end of a conversation of `principal`.
    ///
    /// - Throws: ``AgentError/conversationNotFound(_:)`` if `principal` has no such conversation.
    public func append(_ messages: [AgentMessage], to id: String, of principal: String, at date: Date) throws {
        try write { db in
            guard try Bool.fetchOne(
                db, sql: "SELECT 1 FROM conversation WHERE id = ? AND principal = ?", arguments: [id, principal]) == true
            else { throw AgentError.conversationNotFound(id) }
            try append(messages, to: id, at: date, in: db)
        }
    }

    /// Adds messages to the end of a conversation.
    public func append(_ messages: [AgentMessage], to id: String, at date: Date) throws {
        try write { db in try append(messages, to: id, at: date, in: db) }
    }

    private func append(_ messages: [AgentMessage], to id: String, at date: Date, in db: Database) throws {
        let encoder = JSONEncoder()
        let encoded = try messages.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        var seq = (try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM conversation_message WHERE conversation_id = ?", arguments: [id]) ?? -1) + 1
        for message in encoded {
            try db.execute(
                sql: "INSERT INTO conversation_message (conversation_id, seq, message) VALUES (?, ?, ?)",
                arguments: [id, seq, stored(message, in: .conversationMessage)])
            seq += 1
        }
        try db.execute(sql: "UPDATE conversation SET updated_at = ? WHERE id = ?", arguments: [date, id])
    }

    /// The conversations of `principal`, most recent first, without their messages.
    public func conversations(of principal: String) throws -> [Conversation] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM conversation WHERE principal = ? ORDER BY updated_at DESC", arguments: [principal]
            ).map { try conversation($0, messages: nil) }
        }
    }

    /// One conversation of `principal`, with its messages.
    public func conversation(_ id: String, of principal: String) throws -> Conversation {
        try read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT * FROM conversation WHERE id = ? AND principal = ?", arguments: [id, principal])
            else { throw AgentError.conversationNotFound(id) }
            let decoder = JSONDecoder()
            let messages = try DatabaseValue.fetchAll(
                db, sql: "SELECT message FROM conversation_message WHERE conversation_id = ? ORDER BY seq", arguments: [id]
            ).map { try decoder.decode(AgentMessage.self, from: Data(try text($0, of: .conversationMessage).utf8)) }
            return try conversation(row, messages: messages)
        }
    }

    /// Deletes one conversation of `principal`.
    public func deleteConversation(_ id: String, of principal: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM conversation WHERE id = ? AND principal = ?", arguments: [id, principal])
            guard db.changesCount == 1 else { throw AgentError.conversationNotFound(id) }
        }
    }

    private func conversation(_ row: Row, messages: [AgentMessage]?) throws -> Conversation {
        let agent: String = row["agent"]
        return Conversation(
            id: row["id"], principal: row["principal"], agent: agent.isEmpty ? nil : agent, model: row["model"],
            title: try text(row["title"], of: .conversationTitle), createdAt: row["created_at"], updatedAt: row["updated_at"],
            messages: messages)
    }
}
