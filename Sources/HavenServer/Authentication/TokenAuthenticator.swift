import HavenStore
import Foundation
import HavenAccess
import HavenIdentity

/// Who a request comes from, as established from its bearer token.
public struct Authentication: Sendable, Equatable {
    public let principal: Principal
    /// Name of the token used (`owner` for the owner's own, the token id for a capability).
    public let tokenName: String
    /// For a capability token: what its verified chain grants. Its holder is `principal`
    /// (the token's audience), and it may do only what this says.
    public let capability: VerifiedCapability?
    /// The API token behind the request (directly, or through a web session); `nil` for a
    /// capability token.
    public let tokenID: TokenID?
    /// For a browser signed in to the web app: its session's id.
    public let sessionID: String?

    public init(
        principal: Principal, tokenName: String, capability: VerifiedCapability? = nil, tokenID: TokenID? = nil,
        sessionID: String? = nil
    ) {
        self.principal = principal
        self.tokenName = tokenName
        self.capability = capability
        self.tokenID = tokenID
        self.sessionID = sessionID
    }
}

/// Why a request could not be authenticated.
public enum AuthenticationError: Error, Equatable, Sendable {
    case missingCredentials
    case notBearer
    /// Bearer credentials that are not an API token in form (nor a capability, where accepted).
    case malformedToken
    /// A well-formed API token this server does not know, or whose secret does not match.
    case invalidToken
    case revokedToken
    case catalogUnavailable(String)
    /// A capability token on a path that accepts only API tokens.
    case capabilityNotAccepted
    /// A capability token whose chain did not verify.
    case invalidCapability(id: String, CapabilityError)
    /// The session cookie names a session that has ended (signed out, revoked, expired, or its
    /// token revoked), or none at all.
    case sessionEnded
    /// The session cookie came on a request from another origin.
    case crossSite(CrossSiteCheck.Refusal)
}

extension AuthenticationError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .missingCredentials:
            "this endpoint needs an API token: send 'Authorization: Bearer <token>'"
        case .notBearer:
            "the Authorization header must use the Bearer scheme: 'Authorization: Bearer <token>'"
        case .malformedToken:
            "the credentials are not a Haven API token; send 'Authorization: Bearer hvn_…'"
        case .invalidToken:
            "the API token is not valid for this server"
        case .revokedToken:
            "the API token has been revoked; ask the owner for a new one"
        case .catalogUnavailable:
            "the server cannot check tokens right now"
        case .capabilityNotAccepted:
            "capability tokens are accepted on /data only; use an API token here"
        case .invalidCapability(let id, let error):
            "capability token \(id) is not valid: \(error)"
        case .sessionEnded:
            "your session has ended (signed out, revoked or expired); sign in again"
        case .crossSite(let refusal):
            refusal.description
        }
    }
}

/// Turns an `Authorization` header into an ``Authentication`` on every request, so a revocation
/// takes effect on the very next one: an API token (`hvn_…`) is looked up in the catalog; a
/// capability token (a JWT, where accepted) has its whole chain verified against the owner's
/// DID and the revocations as they are now.
public struct TokenAuthenticator: Sendable {
    let catalog: Catalog
    let verifier: CapabilityVerifier
    /// Compared against when no token has the presented id, so unknown ids take as long as
    /// known ones.
    private static let absentHash = [UInt8](repeating: 0, count: 32)

    public init(catalog: Catalog, owner: DID) {
        self.catalog = catalog
        self.verifier = CapabilityVerifier(owner: owner)
    }

    /// Authenticates a request; capability tokens only when `acceptCapabilities`.
    public func authenticate(
        authorization: String?, acceptCapabilities: Bool = false, at now: Date = Date()
    ) throws(AuthenticationError) -> Authentication {
        guard let authorization, !authorization.isEmpty else { throw .missingCredentials }
        let scheme = authorization.prefix(while: { $0 != " " })
        guard scheme.lowercased() == "bearer" else { throw .notBearer }
        let credentials = authorization.dropFirst(scheme.count).drop(while: { $0 == " " })
        if !credentials.hasPrefix(APIToken.prefix), credentials.contains(".") {
            guard acceptCapabilities else { throw .capabilityNotAccepted }
            return try authenticate(capability: String(credentials), at: now)
        }
        guard let token = try? APIToken(parsing: credentials) else { throw .malformedToken }
        let stored: StoredToken?
        do {
            stored = try catalog.storedToken(id: token.id)
        } catch {
            throw .catalogUnavailable("\(error)")
        }
        let matches = token.matches(secretHash: stored?.secretHash ?? Self.absentHash)
        guard let stored, matches else { throw .invalidToken }
        guard !stored.info.isRevoked else { throw .revokedToken }
        return Authentication(principal: stored.info.principal, tokenName: stored.info.name, tokenID: stored.info.id)
    }

    private func authenticate(capability token: String, at now: Date) throws(AuthenticationError) -> Authentication {
        let id = CapabilityToken.id(of: token)
        do {
            // A revocation that cannot be checked counts as a revocation: fail closed.
            let verified = try verifier.verify(token, at: now) { (try? catalog.isTokenRevoked($0)) ?? true }
            return Authentication(principal: .peer(verified.audience), tokenName: verified.id, capability: verified)
        } catch {
            throw .invalidCapability(id: id, error)
        }
    }
}
