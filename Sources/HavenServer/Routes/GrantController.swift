import Foundation
import HavenStore
import HavenAccess
import HavenIdentity
import Hummingbird

/// `/haven/grants`: the owner gives, lists and revokes rights. Today: `infer` on models.
struct GrantController {
    let catalog: Catalog

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.delete(":id", use: revoke)
    }

    @Sendable func list(_ request: Request, context: HavenRequestContext) async throws -> GrantList {
        _ = try context.requireOwner()
        let all = request.uri.queryParameters["all"].map { $0 == "true" || $0 == "1" } ?? false
        return GrantList(grants: try catalog.grants(includeRevoked: all))
    }

    @Sendable func create(_ request: Request, context: HavenRequestContext) async throws -> EditedResponse<Grant> {
        _ = try context.requireOwner()
        let body = try await request.decode(as: CreateGrantRequest.self, context: context)
        guard body.to != .owner else { throw APIError(.badRequest, code: "invalid_grant", message: "the owner needs no grant") }
        guard !body.rights.isEmpty else { throw APIError(.badRequest, code: "invalid_grant", message: "name at least one right") }
        let now = Date()
        if let expiry = body.expiresAt, expiry <= now {
            throw APIError(.badRequest, code: "invalid_grant", message: "the expiry is in the past")
        }
        if let model = body.model, try catalog.model(named: model) == nil {
            throw RegistryError.modelNotFound(model)
        }
        let grant = Grant(
            id: "g" + APIToken.generate().id.rawValue, principal: body.to, rights: Array(Set(body.rights)).sorted { $0.rawValue < $1.rawValue },
            resource: "models/" + (body.model ?? ""), purpose: body.purpose, createdAt: now, expiresAt: body.expiresAt,
            revokedAt: nil)
        try catalog.insertGrant(grant)
        context.logger.info("grant added", metadata: ["grant.id": "\(grant.id)", "grant.principal": "\(grant.principal)"])
        return EditedResponse(status: .created, response: grant)
    }

    @Sendable func revoke(_ request: Request, context: HavenRequestContext) async throws -> Grant {
        _ = try context.requireOwner()
        let grant = try catalog.revokeGrant(id: try context.parameters.require("id"), at: Date())
        context.logger.info("grant revoked", metadata: ["grant.id": "\(grant.id)"])
        return grant
    }
}
