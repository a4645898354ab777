import Foundation
import GRDB
import HavenIdentity

/// What the server shows about an API token: never its secret.
public struct TokenInfo: Codable, Sendable, Equatable {
    public let id: TokenID
    public let name: String
    public let principal: Principal
    public let createdAt: Date
    public let revokedAt: Date?

    public var isRevoked: Bool { revokedAt != nil }

    enum CodingKeys: String, CodingKey {
        case id, name, principal
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }
}

/// A token's record as the catalog stores it.
struct TokenRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "api_token"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: String
    var name: String
    var principal: String
    var secretHash: Data
    var createdAt: Date
    var revokedAt: Date?

    enum Columns {
        static let id = Column("id")
        static let name = Column("name")
        static let revokedAt = Column("revoked_at")
        static let createdAt = Column("created_at")
    }

    func info() throws -> TokenInfo {
        TokenInfo(
            id: TokenID(rawValue: id), name: name, principal: try Principal(parsing: principal),
            createdAt: createdAt, revokedAt: revokedAt)
    }
}
