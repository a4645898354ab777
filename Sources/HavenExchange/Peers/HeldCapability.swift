import Foundation
import GRDB
import HavenAccess
import HavenIdentity
import HavenStore

/// A capability token a peer issued to this server: what this server may fetch from that peer.
/// Kept only after its whole chain verified, rooted in the peer and addressed to this server.
public struct HeldCapability: Sendable, Equatable, Codable {
    /// The token's id (``CapabilityToken/id(of:)``).
    public let id: String
    /// The peer whose owner issued it: the root of its chain.
    public let issuer: DID
    /// The compact JWT, sent as `Authorization: Bearer` in signed requests to the issuer.
    public let token: String
    public let capabilities: [Capability]
    public let expiresAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, issuer, capabilities
        case expiresAt = "expires_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        issuer = try container.decode(DID.self, forKey: .issuer)
        capabilities = try container.decode([Capability].self, forKey: .capabilities)
        expiresAt = try container.decodeIfPresent(Date.self, forKey: .expiresAt)
        token = ""
    }

    /// The token is a secret: listings show its id and claims only.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(issuer, forKey: .issuer)
        try container.encode(capabilities, forKey: .capabilities)
        try container.encode(expiresAt, forKey: .expiresAt)
    }

    init(id: String, issuer: DID, token: String, capabilities: [Capability], expiresAt: Date?) {
        self.id = id
        self.issuer = issuer
        self.token = token
        self.capabilities = capabilities
        self.expiresAt = expiresAt
    }

    /// Verifies `token` as one `issuer` gave to `holder` (this server), at `now`: every link of
    /// its chain, rooted in `issuer`, with `holder` as its audience. Revocation is the issuer's
    /// to check when the token is used.
    public static func verify(_ token: String, issuer: DID, holder: DID, at now: Date) throws(ExchangeError) -> HeldCapability {
        let verified: VerifiedCapability
        do {
            verified = try CapabilityVerifier(owner: issuer).verify(token, at: now) { _ in false }
        } catch {
            throw .capabilityRefused(error.description)
        }
        guard verified.audience == holder else {
            throw .capabilityRefused("it was issued to \(verified.audience), not to this server (\(holder))")
        }
        return HeldCapability(
            id: verified.id, issuer: issuer, token: token, capabilities: verified.capabilities,
            expiresAt: verified.expiresAt)
    }

    /// Whether this token lets its holder use `right` on `path` at `now`.
    public func allows(_ right: Right, on path: String, at now: Date) -> Bool {
        if let expiresAt, now >= expiresAt { return false }
        return capabilities.contains { $0.right == right && ResourcePattern.covers($0.resource, path) }
    }
}

extension Catalog {
    /// Keeps a verified capability (replacing one with the same id).
    public func saveHeldCapability(_ capability: HeldCapability, at now: Date = Date()) throws {
        let claims = String(decoding: try JSONEncoder().encode(capability.capabilities), as: UTF8.self)
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO held_capability (id, issuer, token, capabilities, expires_at, added_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [capability.id, capability.issuer.description, capability.token, claims, capability.expiresAt, now])
        }
    }

    /// The capabilities `issuer` gave this server, newest first.
    public func heldCapabilities(from issuer: DID) throws -> [HeldCapability] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM held_capability WHERE issuer = ? ORDER BY added_at DESC",
                arguments: [issuer.description]
            ).map { row in
                HeldCapability(
                    id: row["id"], issuer: try DID(parsing: row["issuer"] as String), token: row["token"],
                    capabilities: try JSONDecoder().decode([Capability].self, from: Data((row["capabilities"] as String).utf8)),
                    expiresAt: row["expires_at"])
            }
        }
    }

    /// The newest capability from `issuer` that allows `right` on `path` now, if any.
    public func heldCapability(from issuer: DID, allowing right: Right, on path: String, at now: Date = Date()) throws
        -> HeldCapability?
    {
        try heldCapabilities(from: issuer).first { $0.allows(right, on: path, at: now) }
    }
}
