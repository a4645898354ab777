import HavenStore
import HavenIdentity

/// Who a request comes from, as established from its bearer token.
public struct Authentication: Sendable, Equatable {
    public let principal: Principal
    /// Name of the token used (`owner` for the owner's own).
    public let tokenName: String
}

/// Why a request could not be authenticated.
public enum AuthenticationError: Error, Equatable, Sendable {
    case missingCredentials
    case notBearer
    case invalidToken
    case revokedToken
    case catalogUnavailable(String)
}

extension AuthenticationError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .missingCredentials:
            "this endpoint needs an API token: send 'Authorization: Bearer <token>'"
        case .notBearer:
            "the Authorization header must use the Bearer scheme: 'Authorization: Bearer <token>'"
        case .invalidToken:
            "the API token is not valid for this server"
        case .revokedToken:
            "the API token has been revoked; ask the owner for a new one"
        case .catalogUnavailable:
            "the server cannot check tokens right now"
        }
    }
}

/// Turns an `Authorization` header into an ``Authentication`` by looking the token up in the
/// catalog, on every request, so a revocation takes effect on the very next one.
public struct TokenAuthenticator: Sendable {
    let catalog: Catalog
    /// Compared against when no token has the presented id, so unknown ids take as long as
    /// known ones.
    private static let absentHash = [UInt8](repeating: 0, count: 32)

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    public func authenticate(authorization: String?) throws(AuthenticationError) -> Authentication {
        guard let authorization, !authorization.isEmpty else { throw .missingCredentials }
        let scheme = authorization.prefix(while: { $0 != " " })
        guard scheme.lowercased() == "bearer" else { throw .notBearer }
        let credentials = authorization.dropFirst(scheme.count).drop(while: { $0 == " " })
        guard let token = try? APIToken(parsing: credentials) else { throw .invalidToken }
        let stored: StoredToken?
        do {
            stored = try catalog.storedToken(id: token.id)
        } catch {
            throw .catalogUnavailable("\(error)")
        }
        let matches = token.matches(secretHash: stored?.secretHash ?? Self.absentHash)
        guard let stored, matches else { throw .invalidToken }
        guard !stored.info.isRevoked else { throw .revokedToken }
        return Authentication(principal: stored.info.principal, tokenName: stored.info.name)
    }
}
