import Foundation
import HavenAccess
import HavenIdentity
import HavenStore
import Hummingbird

/// `/haven/shares`: the owner mints capability tokens for holders outside this server, lists
/// them, and revokes them (or any delegated token, by id).
struct ShareController {
    let catalog: Catalog
    let ownerKey: IdentityKey

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get(use: list)
        group.post(use: create)
        group.delete(":id", use: revoke)
    }

    @Sendable func list(_ request: Request, context: HavenRequestContext) async throws -> ShareList {
        _ = try context.requireOwner()
        let all = try QueryFlag.value("all", in: request)
        return ShareList(shares: try catalog.shares(includeRevoked: all))
    }

    @Sendable func create(_ request: Request, context: HavenRequestContext) async throws -> EditedResponse<CreatedShare> {
        _ = try context.requireOwner()
        let body = try await request.decode(as: CreateShareRequest.self, context: context)
        let path = try DataPath(parsing: body.path)
        guard !body.rights.isEmpty else { throw AccessError.noRights }
        if body.rights.contains(.infer) {
            throw AccessError.invalidGrant("'infer' is a right on models; a share gives rights on data paths")
        }
        if body.rights.contains(.metrics) {
            throw AccessError.invalidGrant(
                "'metrics' is a right on the server's metrics; a share gives rights on data paths "
                    + "(use 'haven grant add --rights metrics')")
        }
        guard body.to != ownerKey.did else { throw AccessError.invalidGrant("the owner needs no capability token") }
        let now = Date()
        if let expiry = body.expiresAt, expiry <= now {
            throw AccessError.invalidGrant("the expiry is in the past")
        }
        let capabilities = Set(body.rights).sorted().map { Capability(resource: path.string, right: $0) }
        let policy = try body.policy.map(LicencePolicy.init(document:))
        let (token, share) = try catalog.mintShare(
            issuer: ownerKey, audience: body.to, capabilities: capabilities, notBefore: body.notBefore,
            expiresAt: body.expiresAt, policy: policy, at: now)
        context.logger.info("share minted", metadata: ["share.id": "\(share.id)", "share.audience": "\(share.audience)"])
        return EditedResponse(status: .created, response: CreatedShare(token: token, share: share))
    }

    @Sendable func revoke(_ request: Request, context: HavenRequestContext) async throws -> RevokedShare {
        _ = try context.requireOwner()
        let id = try context.parameters.require("id")
        guard id.utf8.count == 52, id.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x32...0x37).contains($0) }) else {
            throw AccessError.shareNotFound(id)
        }
        let now = Date()
        let minted = try catalog.revokeToken(id: id, at: now)
        context.logger.info("share revoked", metadata: ["share.id": "\(id)"])
        return RevokedShare(id: id, mintedHere: minted, revokedAt: now)
    }
}
