import Foundation
import GRDB
import HavenIdentity

/// A grant as the catalog stores it.
struct GrantRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "grant"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: String
    var principal: String
    /// Comma-separated rights.
    var rights: String
    var resource: String
    var purpose: String?
    var createdAt: Date
    var expiresAt: Date?
    var revokedAt: Date?

    init(_ grant: Grant) {
        id = grant.id
        principal = grant.principal.description
        rights = grant.rights.map(\.rawValue).joined(separator: ",")
        resource = grant.resource
        purpose = grant.purpose
        createdAt = grant.createdAt
        expiresAt = grant.expiresAt
        revokedAt = grant.revokedAt
    }

    func grant() throws -> Grant {
        Grant(
            id: id, principal: try Principal(parsing: principal),
            rights: try rights.split(separator: ",").map { text in
                guard let right = Grant.Right(rawValue: String(text)) else { throw CatalogError.database(reason: "unknown right \(text)") }
                return right
            },
            resource: resource, purpose: purpose, createdAt: createdAt, expiresAt: expiresAt, revokedAt: revokedAt)
    }
}

extension Catalog {
    static func registerGrantMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-grants") { db in
            try db.create(table: "grant") { table in
                table.primaryKey("id", .text)
                table.column("principal", .text).notNull().indexed()
                table.column("rights", .text).notNull()
                table.column("resource", .text).notNull()
                table.column("purpose", .text)
                table.column("created_at", .datetime).notNull()
                table.column("expires_at", .datetime)
                table.column("revoked_at", .datetime)
            }
        }
    }

    public func insertGrant(_ grant: Grant) throws(CatalogError) {
        try write { db in try GrantRecord(grant).insert(db) }
    }

    /// Grants in the order they were made; revoked ones only when asked for.
    public func grants(includeRevoked: Bool = false) throws(CatalogError) -> [Grant] {
        let records = try read { db in
            var request = GrantRecord.order(Column("created_at"), Column.rowID)
            if !includeRevoked { request = request.filter(Column("revoked_at") == nil) }
            return try request.fetchAll(db)
        }
        do {
            return try records.map { try $0.grant() }
        } catch {
            throw .database(reason: "a grant record is damaged: \(error)")
        }
    }

    /// The active grants of one principal: what every decision reads.
    public func grants(for principal: Principal) throws(CatalogError) -> [Grant] {
        let records = try read { db in
            try GrantRecord.filter(Column("principal") == principal.description && Column("revoked_at") == nil).fetchAll(db)
        }
        do {
            return try records.map { try $0.grant() }
        } catch {
            throw .database(reason: "a grant record is damaged: \(error)")
        }
    }

    /// Revokes a grant; the next request it would have allowed is refused.
    public func revokeGrant(id: String, at date: Date) throws(CatalogError) -> Grant {
        let record: GrantRecord = try write { db in
            guard var record = try GrantRecord.fetchOne(db, key: id), record.revokedAt == nil else {
                throw CatalogError.grantNotFound(id)
            }
            record.revokedAt = date
            try record.update(db)
            return record
        }
        do {
            return try record.grant()
        } catch {
            throw .database(reason: "a grant record is damaged: \(error)")
        }
    }
}
