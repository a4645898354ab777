import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenStore
import Hummingbird

/// Authenticates server-to-server requests on `/exchange/`: each must carry an RFC 9421
/// signature by the sending server's key over the method, the target URI as this server's
/// public URL names it, the authority and the body's digest, fresh and never seen before.
/// A capability token (`Authorization: Bearer`), when sent, must verify back to the owner and
/// name the signer as its audience: a token is usable only by the server it was issued to.
///
/// Every refusal is audited, and those before the signer is established (a bad signature, a
/// replay, a capability that fails) count as failed authentications of the client's address
/// (``AuthenticationFailures``); a throttled address is answered 429 before its request is read.
/// The caller becomes `peer:<signer>`, with the capability if any.
struct ExchangeAuthenticationMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    let exchange: ExchangeEnvironment
    let authenticator: TokenAuthenticator
    let catalog: Catalog
    let audit: AuditLog
    /// The largest body any `/exchange/` request carries.
    let maximumBody: Int
    let failures: AuthenticationFailures

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let refusal = await failures.refusal(for: context.clientAddress) { throw refusal }
        var request = request
        // The whole body is read (bounded) so its digest can be checked before anything else.
        let buffer = try await request.body.collect(upTo: maximumBody)
        request.body = RequestBody(buffer: buffer)
        let body = Array(buffer: buffer)
        let signable = SignableRequest(
            method: request.method.rawValue, targetURI: exchange.publicURL + request.uri.string,
            fields: request.headers.map { ($0.name.canonicalName, $0.value) })
        let now = Date()
        let action = "exchange." + Self.operation(request.uri.path)
        let resource = String(request.uri.path.prefix(1024))

        let signature: VerifiedSignature
        do {
            signature = try exchange.verifier.verify(signable, body: body.isEmpty ? nil : body, at: now)
        } catch {
            let claimed = Self.claimedSigner(signable)
            await fail(.signature, claimed, request, context)
            try refuse(claimed, action, resource, error.description)
            throw error.apiError
        }
        let principal = Principal.peer(signature.signer)
        guard await exchange.nonces.admit(signature, at: now) else {
            let message = "this request was seen before (nonce \(signature.nonce)); a captured request cannot be replayed"
            await fail(.signature, principal.description, request, context)
            try refuse(principal.description, action, resource, message)
            throw APIError(.unauthorized, code: "replayed_request", message: message)
        }
        if try catalog.isPeerBlocked(signature.signer) {
            let message = "requests from \(signature.signer) are blocked here"
            try refuse(principal.description, action, resource, message)
            throw APIError(.forbidden, code: "peer_blocked", message: message)
        }
        var capability: VerifiedCapability?
        if let authorization = request.headers[.authorization] {
            let authentication: Authentication
            do {
                authentication = try authenticator.authenticate(authorization: authorization, acceptCapabilities: true, at: now)
            } catch {
                await fail(
                    .capability, AuthenticationFailure.credential(inAuthorization: authorization, fingerprint: failures.fingerprint),
                    request, context)
                try refuse(principal.description, action, resource, error.description)
                throw error.apiError
            }
            guard let verified = authentication.capability else {
                let message = "API tokens are not accepted on /exchange; send a capability token issued to your server"
                await fail(.capability, authentication.tokenID.map { APIToken.prefix + $0.rawValue }, request, context)
                try refuse(principal.description, action, resource, message)
                throw APIError(.unauthorized, code: "invalid_capability", message: message)
            }
            guard verified.audience == signature.signer else {
                let message =
                    "capability \(verified.id) was issued to \(verified.audience), but this request is signed by \(signature.signer); only its audience may use it"
                await fail(.capability, "capability " + verified.id, request, context)
                try refuse(principal.description, action, resource, message, basis: verified.id)
                throw APIError(.unauthorized, code: "capability_not_bound", message: message)
            }
            capability = verified
        }
        var context = context
        context.authentication = Authentication(
            principal: principal, tokenName: capability?.id ?? "signature", capability: capability)
        context.exchangeSignature = signature
        context.logger[metadataKey: "haven.principal"] = "\(principal)"
        return try await next(request, context)
    }

    private func fail(
        _ kind: AuthenticationFailure.Kind, _ credential: String?, _ request: Request, _ context: Context
    ) async {
        await failures.record(
            AuthenticationFailure(kind: kind, client: context.clientAddress, credential: credential), path: request.uri.path,
            logger: context.logger)
    }

    private func refuse(_ principal: String, _ action: String, _ resource: String, _ reason: String, basis: String? = nil) throws {
        try audit.record(principal: principal, action: action, resource: resource, allowed: false, reason: reason, basis: basis)
    }

    /// The operation named by the path, as the controller audits it: `tree`, `manifest`,
    /// `chunks` (one block or a CAR), `feed`, `inbox`, `agents`; `request` for anything else.
    static func operation(_ path: String) -> String {
        let rest = path.dropFirst(ExchangeController.prefix.count)
        switch rest.prefix(while: { $0 != "/" }) {
        case "tree": return "tree"
        case "manifest": return "manifest"
        case "chunk", "chunks": return "chunks"
        case "feed": return "feed"
        case "inbox": return "inbox"
        case "agents": return "agents"
        default: return "request"
        }
    }

    /// Who a refused request says it is, for the audit log: `peer:<keyid>` when the keyid is a
    /// did:key, else `unknown`.
    static func claimedSigner(_ request: SignableRequest) -> String {
        guard let input = request.field("signature-input"), let range = input.range(of: "keyid=\"") else { return "unknown" }
        let rest = input[range.upperBound...].prefix(while: { $0 != "\"" })
        guard let did = try? DID(parsing: String(rest)) else { return "unknown" }
        return Principal.peer(did).description
    }
}
