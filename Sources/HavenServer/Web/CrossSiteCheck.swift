import Foundation
import Hummingbird

/// Decides whether a request that authenticates with the session cookie may come from where it
/// comes from: the defence against cross-site request forgery, as a pure function of headers.
///
/// `SameSite=Strict` already keeps the cookie off requests from other *sites*; but a page on
/// another port of the same host is the same site, so state-changing requests must also be
/// *same-origin*. The browser says so in `Sec-Fetch-Site`; where it sends no such header (an
/// older browser, or a plain-HTTP origin that is not loopback), `Origin` must name this server.
/// A state-changing request that carries neither is refused: browsers send `Origin` on every
/// cross-origin POST, PUT, PATCH and DELETE, so only non-browser clients omit both, and those
/// use bearer tokens.
public enum CrossSiteCheck {
    /// Why a cookie-authenticated request was refused.
    public enum Refusal: Error, Equatable, Sendable {
        /// `Sec-Fetch-Site` named another origin.
        case fetchSite(String)
        /// `Origin` named another origin than this server.
        case origin(String)
        /// Neither header was present on a state-changing request.
        case noProvenance
    }

    /// Methods that do not change anything, which a cross-origin page cannot read the answer of.
    static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS"]

    /// Checks a request. `allowedOrigins` are this server's own origins (`scheme://host:port`,
    /// from the `Host` header and the configured public URL), compared case-insensitively.
    public static func check(
        method: String, fetchSite: String?, origin: String?, allowedOrigins: [String]
    ) -> Refusal? {
        let safe = safeMethods.contains(method.uppercased())
        if let fetchSite = fetchSite?.lowercased() {
            switch fetchSite {
            case "same-origin": return nil
            // A navigation the person made themselves (typed URL, bookmark): harmless for reads.
            case "none": return safe ? nil : .fetchSite(fetchSite)
            default:
                // Even reads: a cross-site page must not get the cookie's authority at all.
                return .fetchSite(fetchSite)
            }
        }
        if let origin {
            let normalized = origin.lowercased()
            return allowedOrigins.contains(where: { $0.lowercased() == normalized }) ? nil : .origin(origin)
        }
        return safe ? nil : .noProvenance
    }
}

extension CrossSiteCheck.Refusal: CustomStringConvertible {
    public var description: String {
        switch self {
        case .fetchSite(let site):
            "a \(site) request may not use this server's session cookie; the web app sends only same-origin ones"
        case .origin(let origin):
            "a request from \(origin) may not use this server's session cookie; only pages of this server may"
        case .noProvenance:
            "a state-changing request with the session cookie must come from this server's own page (no Origin or Sec-Fetch-Site header was sent); other clients use 'Authorization: Bearer <token>'"
        }
    }
}

extension CrossSiteCheck {
    /// This server's own origins for a request: the one its `Host` header names (with the
    /// scheme the server speaks) and that of the configured public URL.
    public static func origins(host: String?, secure: Bool, publicURL: String?) -> [String] {
        var origins: [String] = []
        if let host, !host.isEmpty, !host.contains(where: { $0 == "/" || $0 == " " }) {
            origins.append((secure ? "https://" : "http://") + host)
        }
        if let publicURL, let components = URLComponents(string: publicURL), let scheme = components.scheme,
            let host = components.host
        {
            let port = components.port.map { ":\($0)" } ?? ""
            origins.append("\(scheme)://\(host)\(port)")
        }
        return origins
    }
}

extension CrossSiteCheck {
    /// Checks `request` against this server's own origins (its `Host`, and `publicURL`).
    static func refusal(for request: Request, secure: Bool, publicURL: String?) -> Refusal? {
        check(
            method: request.method.rawValue, fetchSite: request.headers[.secFetchSite], origin: request.headers[.origin],
            allowedOrigins: origins(host: request.head.authority, secure: secure, publicURL: publicURL))
    }
}
