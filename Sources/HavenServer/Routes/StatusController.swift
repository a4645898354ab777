import Hummingbird
import HavenLedger

/// `GET /haven/status` (version, owner, uptime; for the owner also the requests refused before
/// authentication) and `GET /haven/whoami` (the caller).
struct StatusController {
    let environment: ServerEnvironment

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get("status") { _, context in
            var models: [StatusResponse.LoadedModel] = []
            for (name, engine) in await environment.models.loaded() {
                // Read without queueing behind a decode or embedding batch on the engine's thread.
                let load = engine.currentCounters
                models.append(.init(name: name, running: load.running, waiting: load.waiting, sampledTokens: load.sampledTokens))
            }
            let counts = try environment.catalog.witnessingCounts()
            return StatusResponse(
                name: "haven", version: HavenServer.version, owner: environment.owner,
                startedAt: environment.startedAt, uptimeSeconds: environment.uptime, models: models,
                ledger: .init(
                    entries: await environment.ledger.size, witnessing: counts.witnessing, witnesses: counts.witnesses,
                    splitViews: counts.splitViews),
                authentication: context.authentication?.principal == .owner
                    ? await environment.authenticationFailures.status() : nil)
        }
        group.get("whoami") { _, context in
            let authentication = try context.requireAuthentication()
            return WhoAmIResponse(
                principal: authentication.principal, token: authentication.tokenName, owner: environment.owner)
        }
    }
}
