import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenStore
import Hummingbird

/// `/haven/grants`: the owner gives, lists and revokes rights: on data paths (`read`, `list`,
/// `write`, `append`, `delete`, `share`, `ai`), on models (`infer`) and on the server's
/// metrics (`metrics`).
struct GrantController {
    let catalog: Catalog
    /// Models served by upstreams, which may be granted like installed ones.
    var upstreamModels: [String] = []

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.delete(":id", use: revoke)
    }

    @Sendable func list(_ request: Request, context: HavenRequestContext) async throws -> GrantList {
        _ = try context.requireOwner()
        let all = try QueryFlag.value("all", in: request)
        return GrantList(grants: try catalog.grants(includeRevoked: all))
    }

    @Sendable func create(_ request: Request, context: HavenRequestContext) async throws -> EditedResponse<Grant> {
        _ = try context.requireOwner()
        let body = try await request.decode(as: CreateGrantRequest.self, context: context)
        let principal = try principal(named: body.to)
        guard principal != .owner else { throw AccessError.invalidGrant("the owner needs no grant") }
        guard !body.rights.isEmpty else { throw AccessError.noRights }
        let now = Date()
        if let expiry = body.expiresAt, expiry <= now {
            throw AccessError.invalidGrant("the expiry is in the past")
        }
        if let notBefore = body.notBefore, let expiry = body.expiresAt, notBefore >= expiry {
            throw AccessError.invalidGrant("the grant would end before it starts")
        }
        let resource = try resource(of: body)
        let policy = try body.policy.map(LicencePolicy.init(document:))
        let grant = Grant(
            id: "g" + APIToken.generate().id.rawValue, principal: principal, rights: Set(body.rights).sorted(),
            resource: resource, purpose: body.purpose, createdAt: now, notBefore: body.notBefore,
            expiresAt: body.expiresAt, revokedAt: nil, policy: policy)
        try catalog.insertGrant(grant)
        context.logger.info("grant added", metadata: ["grant.id": "\(grant.id)", "grant.principal": "\(grant.principal)"])
        return EditedResponse(status: .created, response: grant)
    }

    /// The principal a grant names; `peer:NAME` is the peer known here by that name.
    private func principal(named text: String) throws -> Principal {
        if text.hasPrefix("peer:"), !text.hasPrefix("peer:did:") {
            let name = String(text.dropFirst("peer:".count))
            guard let peer = try catalog.peer(named: name) else { throw ExchangeError.unknownPeer(name) }
            return peer.principal
        }
        return try Principal(parsing: text)
    }

    /// The resource a grant request names: a data path for data rights, a model for `infer`.
    private func resource(of body: CreateGrantRequest) throws -> String {
        if body.rights.contains(.metrics) {
            guard Set(body.rights) == [.metrics], body.path == nil, body.model == nil else {
                throw AccessError.invalidGrant(
                    "'metrics' is a right on the server's metrics; give it alone, without --path or --model")
            }
            return MetricsController.resource
        }
        let onModels = body.rights.contains(.infer)
        if onModels, body.rights.count > 1 {
            throw AccessError.invalidGrant("'infer' is a right on models; give data rights in a separate grant with --path")
        }
        if let path = body.path {
            guard !onModels, body.model == nil else {
                throw AccessError.invalidGrant("'infer' is a right on models; name --model instead of --path")
            }
            return try DataPath(parsing: path).string
        }
        guard onModels else {
            throw AccessError.invalidGrant("rights on data need a path, e.g. --path /photos/")
        }
        if let model = body.model, try catalog.model(named: model) == nil, !upstreamModels.contains(model) {
            throw RegistryError.modelNotFound(model)
        }
        return "models/" + (body.model ?? "")
    }

    @Sendable func revoke(_ request: Request, context: HavenRequestContext) async throws -> Grant {
        _ = try context.requireOwner()
        let grant = try catalog.revokeGrant(id: try context.parameters.require("id"), at: Date())
        context.logger.info("grant revoked", metadata: ["grant.id": "\(grant.id)"])
        return grant
    }
}
