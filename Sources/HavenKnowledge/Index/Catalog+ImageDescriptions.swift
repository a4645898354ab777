import Foundation
import GRDB
import HavenStore

/// What a vision model saw in a photo: written by a `describe` job, keyed by the photo's content
/// (its manifest's CID, so a copy or a rename keeps it), and indexed with the photo's metadata
/// (``Indexer``). It is as private as the photo: search returns it only to those who may read
/// the photo, and an encrypted home seals it.
public struct ImageDescription: Sendable, Equatable, Codable {
    public var content: ContentID
    /// The vision model that wrote it.
    public var model: String
    public var text: String
    public var createdAt: Date

    public init(content: ContentID, model: String, text: String, createdAt: Date) {
        self.content = content
        self.model = model
        self.text = text
        self.createdAt = createdAt
    }
}

extension CatalogMigration {
    /// Descriptions of photos by a vision model.
    public static let imageDescriptions = CatalogMigration("v27-image-descriptions") { db in
        try db.execute(
            sql: """
                CREATE TABLE image_description (
                    content TEXT PRIMARY KEY,
                    model TEXT NOT NULL,
                    text NOT NULL,
                    created_at DATETIME NOT NULL
                )
                """)
    }
}

extension SealedColumn {
    /// A photo's description: it says what the photo shows.
    public static let imageDescriptionText = SealedColumn("image_description.text")
}

extension CatalogSealingStep {
    /// Seals every photo description written before the home was encrypted.
    public static let imageDescriptions = CatalogSealingStep("image-descriptions") { db, catalog in
        let plain = try Row.fetchAll(db, sql: "SELECT content, text FROM image_description WHERE typeof(text) = 'text'")
        let update = try db.makeStatement(sql: "UPDATE image_description SET text = ? WHERE content = ?")
        for row in plain {
            let text: String = row["text"]
            try update.execute(arguments: [catalog.stored(text, in: .imageDescriptionText), row["content"] as String])
        }
        return plain.count
    }
}

extension Catalog {
    /// The description of the photo whose content is `content`, if one was written.
    public func imageDescription(of content: ContentID) throws -> ImageDescription? {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT model, text, created_at FROM image_description WHERE content = ?",
                    arguments: [content.description])
            else { return nil }
            return ImageDescription(
                content: content, model: row["model"], text: try text(row["text"], of: .imageDescriptionText),
                createdAt: row["created_at"])
        }
    }

    /// Records (or replaces) a photo's description.
    public func saveImageDescription(_ description: ImageDescription) throws {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO image_description (content, model, text, created_at) VALUES (?, ?, ?, ?)",
                arguments: [
                    description.content.description, description.model,
                    stored(description.text, in: .imageDescriptionText), description.createdAt,
                ])
        }
    }
}
