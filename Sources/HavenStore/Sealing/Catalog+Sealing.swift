import Foundation
import GRDB

extension Catalog {
    /// Whether this catalog belongs to an encrypted home.
    public var isEncrypted: Bool { dataKey != nil }

    /// How `text` is stored in `column`: as is in a plain home, sealed in an encrypted one.
    package func stored(_ text: String, in column: SealedColumn) -> DatabaseValue {
        guard let columnSealer else { return text.databaseValue }
        return columnSealer.seal(Array(text.utf8), for: column)
    }

    /// How `bytes` are stored in `column`: as is in a plain home, sealed in an encrypted one.
    package func stored(_ bytes: Data, in column: SealedColumn) -> DatabaseValue {
        guard let columnSealer else { return bytes.databaseValue }
        return columnSealer.seal(bytes, for: column)
    }

    /// The text a value of `column` holds: a sealed value (a BLOB) is opened, text is as stored.
    package func text(_ value: DatabaseValue, of column: SealedColumn) throws -> String {
        switch value.storage {
        case .string(let text):
            return text
        case .blob(let sealed):
            guard let columnSealer else {
                throw CatalogError.database(reason: "\(column) holds sealed values but the home was opened without its key")
            }
            return String(decoding: try columnSealer.open(sealed, for: column), as: UTF8.self)
        default:
            throw CatalogError.database(reason: "\(column) holds neither text nor a sealed value")
        }
    }

    /// The text of an optional value of `column`; `nil` stays `nil`.
    package func optionalText(_ value: DatabaseValue, of column: SealedColumn) throws -> String? {
        value.isNull ? nil : try text(value, of: column)
    }

    /// The bytes of a value of `column` that was `sealed` (a column of bytes cannot tell by its
    /// type; its row says, see the callers).
    package func bytes(_ value: Data, of column: SealedColumn, sealed: Bool) throws -> Data {
        guard sealed else { return value }
        guard let columnSealer else {
            throw CatalogError.database(reason: "\(column) holds sealed values but the home was opened without its key")
        }
        return try columnSealer.open(value, for: column)
    }
}

/// One table's part of `haven encrypt`: seals the values a plain home wrote in that table's
/// ``SealedColumn``s. Each target declares the steps for the columns it owns; the server runs
/// them all in one transaction (``Catalog/sealExistingRows(_:)``). A step leaves values that
/// are already sealed alone, so running it again is harmless.
public struct CatalogSealingStep: Sendable {
    public let name: String
    let body: @Sendable (Database, Catalog) throws -> Int

    /// `body` seals the rows of one table in `db` through the catalog's ``Catalog/stored(_:in:)``
    /// and returns how many rows it changed.
    public init(_ name: String, body: @escaping @Sendable (Database, Catalog) throws -> Int) {
        self.name = name
        self.body = body
    }
}

extension Catalog {
    /// Seals every plain value of the sealed columns, in one write transaction; returns how
    /// many rows each step changed. Needs a catalog opened with the home's data key.
    public func sealExistingRows(_ steps: [CatalogSealingStep]) throws -> [(step: String, rows: Int)] {
        guard isEncrypted else { throw CatalogError.database(reason: "sealing needs the catalog opened with the home's data key") }
        return try write { db in
            try steps.map { step in (step.name, try step.body(db, self)) }
        }
    }

    /// Copies the whole catalog into fresh pages (`VACUUM`) and empties the write-ahead log,
    /// so no free page or old frame keeps content that has since been sealed or deleted.
    public func compact() throws {
        do {
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA secure_delete = ON")
                // VACUUM builds the copy in a temporary database: in memory, not in /tmp.
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                try db.execute(sql: "VACUUM")
                _ = try db.checkpoint(.truncate)
            }
        } catch let error as DatabaseError {
            throw CatalogError.database(reason: "\(error)")
        }
    }
}
