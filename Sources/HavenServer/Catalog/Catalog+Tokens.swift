import Foundation
import GRDB
import HavenIdentity
import HavenStore

/// A token as stored: its public description and the hash of its secret.
public struct StoredToken: Sendable {
    public let info: TokenInfo
    public let secretHash: [UInt8]
}

extension CatalogMigration {
    /// API tokens: only the hash of each secret is kept.
    static let apiTokens = CatalogMigration("v1-api-tokens") { db in
        try db.create(table: "api_token") { table in
            table.primaryKey("id", .text)
            table.column("name", .text).notNull()
            table.column("principal", .text).notNull()
            table.column("secret_hash", .blob).notNull()
            table.column("created_at", .datetime).notNull()
            table.column("revoked_at", .datetime)
        }
        // Names are unique among active tokens; a revoked name may be reused.
        try db.execute(
            sql: "CREATE UNIQUE INDEX api_token_active_name ON api_token(name) WHERE revoked_at IS NULL")
    }
}

extension Catalog {
    /// Records a new token under `name`, keeping only the hash of its secret.
    ///
    /// - Throws: ``RegistryError/tokenNameTaken(_:)`` if an active token has that name.
    public func insertToken(
        _ token: APIToken, name: String, principal: Principal, createdAt: Date
    ) throws -> TokenInfo {
        let record = TokenRecord(
            id: token.id.rawValue, name: name, principal: principal.description,
            secretHash: Data(token.secretHash), createdAt: createdAt, revokedAt: nil)
        do {
            try writer.write { db in try record.insert(db) }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw RegistryError.tokenNameTaken(name)
        } catch {
            throw CatalogError.database(reason: "\(error)")
        }
        return TokenInfo(id: token.id, name: name, principal: principal, createdAt: createdAt, revokedAt: nil)
    }

    /// Tokens in the order they were made; revoked ones only when asked for.
    public func tokens(includeRevoked: Bool = false) throws -> [TokenInfo] {
        let records = try read { db in
            var request = TokenRecord.order(TokenRecord.Columns.createdAt, Column.rowID)
            if !includeRevoked {
                request = request.filter(TokenRecord.Columns.revokedAt == nil)
            }
            return try request.fetchAll(db)
        }
        do {
            return try records.map { try $0.info() }
        } catch {
            throw CatalogError.database(reason: "a token record is damaged: \(error)")
        }
    }

    /// Marks the active token called `name` revoked; it fails on its next use.
    public func revokeToken(named name: String, at date: Date) throws -> TokenInfo {
        let record: TokenRecord = try write { db in
            guard
                var record = try TokenRecord
                    .filter(TokenRecord.Columns.name == name && TokenRecord.Columns.revokedAt == nil)
                    .fetchOne(db)
            else { throw RegistryError.tokenNotFound(name) }
            guard record.principal != Principal.owner.description else { throw RegistryError.ownerTokenProtected }
            record.revokedAt = date
            try record.update(db)
            return record
        }
        do {
            return try record.info()
        } catch {
            throw CatalogError.database(reason: "a token record is damaged: \(error)")
        }
    }

    /// The stored token with this id, revoked or not, or `nil` if there is none.
    public func storedToken(id: TokenID) throws -> StoredToken? {
        let record = try read { db in try TokenRecord.fetchOne(db, key: id.rawValue) }
        guard let record else { return nil }
        do {
            return StoredToken(info: try record.info(), secretHash: Array(record.secretHash))
        } catch {
            throw CatalogError.database(reason: "a token record is damaged: \(error)")
        }
    }
}
