/// The session cookie: reading it from a `Cookie` header and writing `Set-Cookie`.
public enum SessionCookie {
    /// The cookie's name.
    public static let name = "haven_session"

    /// The session key in a `Cookie` header (`a=1; haven_session=…`), if one is well-formed.
    public static func key(fromCookieHeader header: String?) -> SessionKey? {
        guard let header, header.utf8.count <= 8192 else { return nil }
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop(while: { $0 == " " })
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            guard trimmed[..<equals] == name else { continue }
            var value = trimmed[trimmed.index(after: equals)...]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            if let key = SessionKey(cookieValue: value) { return key }
        }
        return nil
    }

    /// `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, Secure under TLS, and a
    /// Max-Age that ends it with the session's absolute expiry.
    public static func set(_ key: SessionKey, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(key.cookieValue); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that removes the cookie (sign out).
    public static func clear(secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
