import Foundation

/// Where a received version came from: the peer that served it, the path and version it had
/// there, and the manifest it pointed at. Recorded with every version a pull or a mirror makes,
/// so a copy can always be traced to its source.
public struct VersionOrigin: Sendable, Equatable, Codable {
    /// The serving peer's principal, `peer:did:key:z…`.
    public let peer: String
    /// The path on the peer.
    public let path: String
    /// The version number on the peer.
    public let version: Int
    /// The manifest the peer's version points at (nil when it was a deletion).
    public let manifest: ContentID?

    public init(peer: String, path: String, version: Int, manifest: ContentID?) {
        self.peer = peer
        self.path = path
        self.version = version
        self.manifest = manifest
    }

    enum CodingKeys: String, CodingKey {
        case peer, path, version, manifest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(peer, forKey: .peer)
        try container.encode(path, forKey: .path)
        try container.encode(version, forKey: .version)
        try container.encode(manifest, forKey: .manifest)
    }

    /// The compact JSON kept in the catalog's `file_version.origin` column.
    var stored: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and integers cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    init?(stored: String?) {
        guard let stored, let value = try? JSONDecoder().decode(Self.self, from: Data(stored.utf8)) else { return nil }
        self = value
    }
}
