import Foundation
import HavenExchange
import HavenStore
import Hummingbird

/// `/haven/mirrors`: local copies of peers' folders kept current in the background.
struct MirrorController {
    let environment: ServerEnvironment

    var catalog: Catalog { environment.catalog }

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get { _, context in
            _ = try context.requireOwner()
            return try DataController.json(MirrorList(mirrors: try catalog.mirrors()), status: .ok, context: context)
        }
        group.post(use: add)
        group.get(":id") { _, context in
            _ = try context.requireOwner()
            let id = try context.parameters.require("id")
            guard let mirror = try catalog.mirror(id: id) else { throw ExchangeError.mirrorNotFound(id) }
            return try DataController.json(mirror, status: .ok, context: context)
        }
        group.delete(":id") { _, context in
            _ = try context.requireOwner()
            let id = try context.parameters.require("id")
            guard let mirror = try catalog.mirror(id: id), try catalog.removeMirror(id: id) else {
                throw ExchangeError.mirrorNotFound(id)
            }
            context.logger.info("mirror removed", metadata: ["mirror": "\(id)"])
            return try DataController.json(mirror, status: .ok, context: context)
        }
    }

    @Sendable func add(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await request.decode(as: AddMirrorRequest.self, context: context)
        let source = try PeerPath(parsing: body.source)
        let destination = try DataPath(parsing: body.destination)
        guard source.path.isDirectory == destination.isDirectory else {
            throw APIError(
                .badRequest, code: "invalid_request",
                message: "mirror a folder into a folder (both ending in '/') or a file into a file")
        }
        let clients = environment.exchange.clients
        let peer = try clients.peer(named: source.peer)
        if let token = body.capability {
            try catalog.saveHeldCapability(try HeldCapability.verify(token, issuer: peer.did, holder: environment.owner, at: Date()))
        }
        // Refused now rather than later: a capability must cover what is mirrored.
        _ = try clients.source(peer: peer, path: source.path)
        let now = Date()
        let mirror = Mirror(
            id: "m" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12), peer: peer.did, remotePath: source.path,
            localPath: destination, createdAt: now, updatedAt: now)
        try catalog.insertMirror(mirror)
        environment.exchange.service.startMirror(mirror.id)
        context.logger.info("mirror added", metadata: ["mirror": "\(mirror.id)", "source": "\(body.source)"])
        return try DataController.json(mirror, status: .created, context: context)
    }
}
