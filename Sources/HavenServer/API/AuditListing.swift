import HavenAccess
import Hummingbird

/// Body of `GET /haven/audit`: entries, newest first.
public struct AuditListing: Codable, Sendable, ResponseEncodable {
    public let entries: [AuditEntry]
}
