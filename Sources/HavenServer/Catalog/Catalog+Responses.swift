import Foundation
import GRDB
import HavenAgents
import HavenStore

extension Catalog {
    /// Adds `messages` to conversation `id` of `principal` only if it holds exactly `count`
    /// messages, in one transaction: a response continues its conversation only while it is
    /// the conversation's last turn. `false` when the conversation has moved on or is not theirs.
    func append(
        _ messages: [AgentMessage], to id: String, of principal: String, ifCount count: Int, at date: Date
    ) throws -> Bool {
        try write { db in
            guard try Bool.fetchOne(
                db, sql: "SELECT 1 FROM conversation WHERE id = ? AND principal = ?", arguments: [id, principal]) == true,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversation_message WHERE conversation_id = ?", arguments: [id])
                    == count
            else { return false }
            let encoder = JSONEncoder()
            var seq = (try Int.fetchOne(db, sql: "SELECT MAX(seq) FROM conversation_message WHERE conversation_id = ?", arguments: [id]) ?? -1) + 1
            for message in messages {
                try db.execute(
                    sql: "INSERT INTO conversation_message (conversation_id, seq, message) VALUES (?, ?, ?)",
                    arguments: [
                        id, seq, stored(String(decoding: try encoder.encode(message), as: UTF8.self), in: .conversationMessage),
                    ])
                seq += 1
            }
            try db.execute(sql: "UPDATE conversation SET updated_at = ? WHERE id = ?", arguments: [date, id])
            return true
        }
    }
}
