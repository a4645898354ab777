import Foundation
import HavenIdentity

/// Another Haven this one knows: its key (a did:key, proven when it was added), the name the
/// owner calls it by, and the URL it answers at.
public struct Peer: Sendable, Equatable, Codable {
    /// The peer's identity: the key every request from it must be signed with.
    public let did: DID
    /// The owner's name for it (`alice`), used in commands: `haven pull alice:/photos/`.
    public let name: String
    /// Where it answers (its `public_url`).
    public let url: String
    public let addedAt: Date
    /// A blocked peer gets 403 on everything, its messages included.
    public let blocked: Bool

    public init(did: DID, name: String, url: String, addedAt: Date, blocked: Bool = false) {
        self.did = did
        self.name = name
        self.url = url
        self.addedAt = addedAt
        self.blocked = blocked
    }

    /// The principal a peer acts as in grants and the audit log: `peer:did:key:z…`.
    public var principal: Principal { .peer(did) }

    enum CodingKeys: String, CodingKey {
        case did, name, url, blocked, principal
        case addedAt = "added_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        did = try container.decode(DID.self, forKey: .did)
        name = try container.decode(String.self, forKey: .name)
        url = try container.decode(String.self, forKey: .url)
        addedAt = try container.decode(Date.self, forKey: .addedAt)
        blocked = try container.decode(Bool.self, forKey: .blocked)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(did, forKey: .did)
        try container.encode(name, forKey: .name)
        try container.encode(url, forKey: .url)
        try container.encode(addedAt, forKey: .addedAt)
        try container.encode(blocked, forKey: .blocked)
        try container.encode(principal, forKey: .principal)
    }

    /// Checks a peer name: the same rules as application names (lower-case letters, digits,
    /// `-`, `_`, `.`; 1 to 64 characters).
    public static func validateName(_ name: String) throws(ExchangeError) {
        do {
            try Principal.validateAppName(name)
        } catch {
            throw .invalidPeerName(name)
        }
    }

    /// Checks a peer URL: absolute `http` or `https` with a host, no user info, query or fragment;
    /// returned without a trailing slash.
    public static func normalizeURL(_ text: String) throws(ExchangeError) -> String {
        guard text.utf8.count <= 2048, let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty, components.user == nil, components.password == nil,
            components.query == nil, components.fragment == nil
        else { throw .invalidURL(text) }
        var normalized = text
        while normalized.hasSuffix("/") { normalized.removeLast() }
        return normalized
    }
}
