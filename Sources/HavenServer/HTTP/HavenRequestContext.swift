import Foundation
import HavenAccess
import HavenExchange
import Hummingbird

/// Per-request state shared by the middleware chain and the handlers: where the request comes
/// from, who is asking (set by ``AuthenticationMiddleware``) and how large a body may be decoded.
public struct HavenRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The address the connection comes from, as failed authentications are counted by it.
    public var clientAddress: ClientAddress
    /// Set once the bearer token checked out; `nil` only on public routes.
    public var authentication: Authentication?
    /// A capability token presented on `/data` that failed verification (then
    /// `authentication` is `nil`).
    public var rejectedCapability: RejectedCapability?
    /// On `/exchange/`: the verified signature of the sending server.
    public var exchangeSignature: VerifiedSignature?
    public var maxUploadSize: Int = Configuration().maxRequestBodyBytes

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = ClientAddress(source.channel.remoteAddress)
    }

    /// JSON out: ISO 8601 dates, and `/` left unescaped so paths and URLs read as written.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }

    /// The authenticated caller, for handlers behind ``AuthenticationMiddleware``.
    public func requireAuthentication() throws -> Authentication {
        guard let authentication else { throw AuthenticationError.missingCredentials }
        return authentication
    }

    /// The caller, if it is the owner; otherwise a 403.
    public func requireOwner() throws -> Authentication {
        let authentication = try requireAuthentication()
        guard authentication.principal == .owner else {
            throw APIError(
                .forbidden, code: "owner_only",
                message: "only the owner may do this; \(authentication.principal) may not")
        }
        return authentication
    }
}

/// A capability token that failed verification: its id and why.
public struct RejectedCapability: Sendable {
    public let id: String
    public let error: CapabilityError
}
