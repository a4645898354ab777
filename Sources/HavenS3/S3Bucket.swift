import Foundation

/// Where objects go: an S3-compatible endpoint, a bucket on it, and the region requests are
/// signed for. Requests use path-style addressing (`https://host/bucket/key`), which MinIO,
/// Ceph's RADOS Gateway, moto and AWS all answer.
public struct S3Bucket: Sendable, Equatable {
    /// The endpoint as configured, without a trailing slash (`http://127.0.0.1:9000`).
    public let endpoint: String
    public let name: String
    public let region: String
    /// The `Host` header: the host, and the port unless it is the scheme's default.
    public let host: String
    /// A path the endpoint itself has (usually empty), percent-encoded, without a trailing slash.
    let basePath: String

    public init(endpoint: String, name: String, region: String) throws(S3Error) {
        let trimmed = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let rawHost = components.host, !rawHost.isEmpty,
            components.query == nil, components.user == nil
        else { throw .invalidEndpoint(endpoint) }
        let hostName = rawHost.contains(":") ? "[\(rawHost)]" : rawHost.lowercased()
        let defaultPort = scheme == "https" ? 443 : 80
        self.host = components.port.map { $0 == defaultPort ? hostName : "\(hostName):\($0)" } ?? hostName
        self.endpoint = trimmed
        self.basePath = components.percentEncodedPath
        self.name = name
        self.region = region
    }

    /// The percent-encoded path of an object (or of the bucket, for an empty key).
    func path(of key: String) -> String {
        basePath + "/" + SigV4Signer.encode(name, keepingSlash: false) + (key.isEmpty ? "" : "/" + SigV4Signer.encodePath(key))
    }

    /// The URL of a path on this endpoint, with its query.
    func url(path: String, query: [SigV4Signer.QueryItem]) -> String {
        let origin = String(endpoint.dropLast(basePath.count))
        return origin + path + (query.isEmpty ? "" : "?" + SigV4Signer.canonicalQuery(query))
    }
}
