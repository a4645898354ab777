import Hummingbird

/// `GET /healthz`: liveness for load balancers and scripts; the only route without a token.
struct HealthController {
    static let path = "/healthz"

    struct Health: ResponseEncodable {
        let status: String
    }

    func addRoutes(to router: Router<HavenRequestContext>) {
        router.get(RouterPath(Self.path)) { _, _ in Health(status: "ok") }
    }
}
