import Foundation
import HavenExchange
import HavenStore
import Hummingbird

/// `/haven/pulls`: the owner starts a pull from one or more peers (it runs in the background)
/// and reads its progress.
struct PullController {
    let environment: ServerEnvironment

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post(use: start)
        group.get(":id") { _, context in
            _ = try context.requireOwner()
            let id = try context.parameters.require("id")
            guard let report = await environment.exchange.service.pulls.report(id) else {
                throw APIError(.notFound, code: "pull_not_found", message: "no pull '\(id)' since the server started")
            }
            return try DataController.json(PullStatus(id: id, report: report), status: .ok, context: context)
        }
    }

    @Sendable func start(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireOwner()
        let body = try await request.decode(as: StartPullRequest.self, context: context)
        let source = try PeerPath(parsing: body.source)
        if let purpose = body.purpose {
            var headers = HTTPFields()
            headers[DataGate.purposeHeader] = purpose
            _ = try DataGate.purpose(of: headers)
        }
        let destination = try DataPath(parsing: body.destination)
        let clients = environment.exchange.clients
        let primary = try clients.peer(named: source.peer)
        if let token = body.capability {
            let held = try HeldCapability.verify(token, issuer: primary.did, holder: environment.owner, at: Date())
            try environment.catalog.saveHeldCapability(held)
        }
        var sources = [try clients.source(peer: primary, path: source.path)]
        for other in body.from ?? [] {
            let extra = try PeerPath(parsing: other, defaultPath: source.path)
            sources.append(try clients.source(peer: try clients.peer(named: extra.peer), path: extra.path))
        }
        sources = sources.map { PullSource(client: $0.client.with(purpose: body.purpose), peer: $0.peer, remotePath: $0.remotePath) }
        let id = await environment.exchange.service.startPull(
            from: sources, to: destination, author: caller.principal.description)
        context.logger.info("pull started", metadata: ["pull": "\(id)", "source": "\(body.source)"])
        let report = await environment.exchange.service.pulls.report(id) ?? PullReport()
        return try DataController.json(PullStatus(id: id, report: report), status: .accepted, context: context)
    }
}
