import HavenAccess
import Hummingbird

/// Body of `GET /haven/audit`: entries, newest first.
public struct AuditListing: Codable, Sendable, ResponseEncodable {
    public let entries: [AuditEntry]
}

/// Answer to `POST /haven/audit/anchor`: the newest head in the ledger, and whether this
/// request appended it.
public struct AuditAnchorResponse: Codable, Sendable, ResponseEncodable {
    public let anchor: AuditAnchor?
    public let appended: Bool
}
