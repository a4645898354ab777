import Foundation
import HavenStore
import HavenIdentity
import Hummingbird

/// `/haven/tokens`: the owner makes, lists and revokes API tokens for applications.
///
/// A new token belongs to the principal `app:NAME` and holds no rights yet; its secret is in
/// the creation response only.
struct TokenController {
    let catalog: Catalog

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.delete(":name", use: revoke)
    }

    @Sendable func list(_ request: Request, context: HavenRequestContext) async throws -> TokenListResponse {
        _ = try context.requireOwner()
        let includeRevoked = try QueryFlag.value("all", in: request)
        return TokenListResponse(tokens: try catalog.tokens(includeRevoked: includeRevoked))
    }

    @Sendable func create(_ request: Request, context: HavenRequestContext) async throws -> EditedResponse<CreatedTokenResponse> {
        _ = try context.requireOwner()
        let body = try await request.decode(as: CreateTokenRequest.self, context: context)
        try Principal.validateAppName(body.name)
        let token = APIToken.generate()
        let info = try catalog.insertToken(token, name: body.name, principal: .app(body.name), createdAt: Date())
        context.logger.info("token created", metadata: ["token.name": "\(body.name)", "token.id": "\(info.id)"])
        return EditedResponse(status: .created, response: CreatedTokenResponse(token: token.stringValue, info: info))
    }

    @Sendable func revoke(_ request: Request, context: HavenRequestContext) async throws -> TokenInfo {
        _ = try context.requireOwner()
        let name = try context.parameters.require("name")
        let info = try catalog.revokeToken(named: name, at: Date())
        context.logger.info("token revoked", metadata: ["token.name": "\(name)", "token.id": "\(info.id)"])
        return info
    }
}
