import Crypto
import HavenIdentity

/// The session cookie: its name, reading it from a `Cookie` header and writing `Set-Cookie`.
///
/// Browsers keep cookies per host, not per port, so two Havens on one machine (a second Haven
/// to talk to, on another port) would overwrite each other's cookie if they shared a name. The
/// name therefore carries a short digest of the server owner's `did:key`: `haven_session_<10>`.
public struct SessionCookie: Sendable, Equatable {
    /// The cookie's name on this server.
    public let name: String

    public init(owner: DID) {
        let digest = SHA256.hash(data: Array(owner.description.utf8))
        name = "haven_session_" + Base32.encode(digest.prefix(5))
    }

    /// The session key in a `Cookie` header (`a=1; haven_session_…=…`), if one is well-formed.
    public func key(fromCookieHeader header: String?) -> SessionKey? {
        guard let header, header.utf8.count <= 8192 else { return nil }
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop(while: { $0 == " " })
            guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
            var value = trimmed[trimmed.index(after: equals)...]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            if let key = SessionKey(cookieValue: value) { return key }
        }
        return nil
    }

    /// Whether a `Cookie` header carries this server's cookie at all (well-formed or not).
    public func isPresent(in header: String) -> Bool {
        header.split(separator: ";").contains { $0.drop(while: { $0 == " " }).hasPrefix(name + "=") }
    }

    /// `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, Secure under TLS, and a
    /// Max-Age that ends it with the session's absolute expiry.
    public func set(_ key: SessionKey, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(key.cookieValue); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that removes the cookie (sign out).
    public func clear(secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
