import Foundation
import HavenExchange
import Hummingbird

/// `GET /.well-known/haven`: who this server is, without a token. With `?challenge=…` the
/// answer also carries this server's signature over the challenge, proving it holds its key.
struct WellKnownController {
    static let path = "/.well-known/haven"

    let environment: ServerEnvironment

    func addRoutes(to router: Router<HavenRequestContext>) {
        router.get(RouterPath(Self.path)) { request, context in
            let challenge = request.uri.queryParameters["challenge"].map(String.init)
            let info = try ServerInfo.make(
                key: environment.ownerKey, name: environment.exchange.serverName, version: HavenServer.version,
                url: environment.exchange.publicURL, challenge: challenge)
            return try DataController.json(info, status: .ok, context: context)
        }
    }
}
