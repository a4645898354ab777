import Foundation
import GRDB
import HavenIdentity
import HavenStore

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
    var notBefore: Date?
    var expiresAt: Date?
    var revokedAt: Date?
    /// The licence's canonical JSON, if the grant carries one.
    var policy: String?

    init(_ grant: Grant) {
        id = grant.id
        principal = grant.principal.description
        rights = grant.rights.map(\.rawValue).joined(separator: ",")
        resource = grant.resource
        purpose = grant.purpose
        createdAt = grant.createdAt
        notBefore = grant.notBefore
        expiresAt = grant.expiresAt
        revokedAt = grant.revokedAt
        policy = grant.policy.map { String(decoding: $0.canonicalJSON, as: UTF8.self) }
    }

    func grant() throws -> Grant {
        Grant(
            id: id, principal: try Principal(parsing: principal), rights: try Right.parseList(rights),
            resource: resource, purpose: purpose, createdAt: createdAt, notBefore: notBefore, expiresAt: expiresAt,
            revokedAt: revokedAt, policy: try policy.map { try LicencePolicy(parsing: Array($0.utf8)) })
    }
}

extension CatalogMigration {
    /// Grants: who may do what on which resource.
    public static let grants = CatalogMigration("v3-grants") { db in
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

    /// Grants may start later than they are made.
    public static let grantNotBefore = CatalogMigration("v5-grant-not-before") { db in
        try db.alter(table: "grant") { table in
            table.add(column: "not_before", .datetime)
        }
    }

    /// Grants and shares may carry a licence; the uses counted under each licence.
    public static let licences = CatalogMigration("v16-licences") { db in
        try db.alter(table: "grant") { table in
            table.add(column: "policy", .text)
        }
        try db.alter(table: "share") { table in
            table.add(column: "policy", .text)
        }
        try db.create(table: "licence_use") { table in
            table.column("basis", .text).notNull()
            table.column("rule", .text).notNull()
            table.column("uses", .integer).notNull()
            table.column("last_used_at", .datetime).notNull()
            table.primaryKey(["basis", "rule"])
        }
    }
}

extension Catalog {
    public func insertGrant(_ grant: Grant) throws {
        try write { db in try GrantRecord(grant).insert(db) }
    }

    /// Grants in the order they were made; revoked ones only when asked for.
    public func grants(includeRevoked: Bool = false) throws -> [Grant] {
        let records = try read { db in
            var request = GrantRecord.order(Column("created_at"), Column.rowID)
            if !includeRevoked { request = request.filter(Column("revoked_at") == nil) }
            return try request.fetchAll(db)
        }
        return try Self.decode(records)
    }

    /// The active grants of one principal: what every decision reads.
    public func grants(for principal: Principal) throws -> [Grant] {
        let records = try read { db in
            try GrantRecord.filter(Column("principal") == principal.description && Column("revoked_at") == nil).fetchAll(db)
        }
        return try Self.decode(records)
    }

    /// Revokes a grant; the next request it would have allowed is refused.
    public func revokeGrant(id: String, at date: Date) throws -> Grant {
        let record: GrantRecord = try write { db in
            guard var record = try GrantRecord.fetchOne(db, key: id), record.revokedAt == nil else {
                throw AccessError.grantNotFound(id)
            }
            record.revokedAt = date
            try record.update(db)
            return record
        }
        return try Self.decode([record])[0]
    }

    private static func decode(_ records: [GrantRecord]) throws -> [Grant] {
        do {
            return try records.map { try $0.grant() }
        } catch {
            throw CatalogError.database(reason: "a grant record is damaged: \(error)")
        }
    }
}
