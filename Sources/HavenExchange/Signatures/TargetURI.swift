import Foundation

/// The parts of an absolute `http`/`https` target URI that the derived components use.
///
/// Only URIs as they travel on the wire are accepted: printable ASCII, no user information, no
/// fragment, so that `@target-uri`, `@authority`, `@path` and `@query` all describe the same thing.
struct TargetURI: Sendable, Equatable {
    /// The URI exactly as given: the `@target-uri` value.
    let absolute: String
    /// The scheme, lower case.
    let scheme: String
    /// The host, lower case, and the port unless it is the scheme's default.
    let authority: String
    /// The percent-encoded absolute path, `/` when empty.
    let path: String
    /// The percent-encoded query without its `?`, `nil` when the URI has none.
    let query: String?

    /// Longest target URI accepted, in bytes.
    static let maximumLength = 8 * 1024

    init(_ string: String) throws(SignatureError) {
        guard string.utf8.count <= Self.maximumLength else {
            throw .tooLong("target URI", limit: Self.maximumLength)
        }
        guard !string.isEmpty, string.utf8.allSatisfy({ (0x21...0x7E).contains($0) }),
            let components = URLComponents(string: string),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.percentEncodedHost?.lowercased(), !host.isEmpty,
            components.percentEncodedUser == nil, components.percentEncodedPassword == nil,
            components.percentEncodedFragment == nil
        else {
            throw .invalidTargetURI(string)
        }
        // Foundation writes IPv6 literals with their brackets on some platforms and without on others.
        let bracketedHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var authority = bracketedHost
        if let port = components.port {
            guard (0...65535).contains(port) else { throw .invalidTargetURI(string) }
            if port != (scheme == "https" ? 443 : 80) {
                authority += ":\(port)"
            }
        }
        self.absolute = string
        self.scheme = scheme
        self.authority = authority
        self.path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        self.query = components.percentEncodedQuery
    }

    /// The path and query as in an origin-form request line: the `@request-target` value.
    var requestTarget: String {
        query.map { "\(path)?\($0)" } ?? path
    }
}
