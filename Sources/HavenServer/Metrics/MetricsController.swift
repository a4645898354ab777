import Foundation
import HavenAccess
import HavenIdentity
import Hummingbird
import NIOCore

/// `GET /metrics`: the server's metrics in Prometheus' text format, for the owner and for
/// principals granted the `metrics` right (`haven grant add --to app:prometheus --rights metrics`).
///
/// Like `/haven/status`, reading metrics is not audited: they hold counts, never paths or content.
struct MetricsController {
    let environment: ServerEnvironment

    /// The resource a `metrics` grant names.
    static let resource = "metrics"
    /// What Prometheus expects of the text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    func addRoutes(to router: Router<HavenRequestContext>) {
        router.get("metrics") { _, context in
            let caller = try context.requireAuthentication()
            guard try Self.mayRead(caller.principal, grants: environment.catalog.grants(for: caller.principal), at: Date())
            else {
                throw APIError(
                    .forbidden, code: "metrics_not_granted",
                    message: "\(caller.principal) holds no 'metrics' right; the owner can grant it with "
                        + "'haven grant add --to \(caller.principal) --rights metrics'")
            }
            let snapshot = try await MetricsSnapshot.read(from: environment)
            return Response(
                status: .ok, headers: [.contentType: Self.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: environment.metrics.render(snapshot))))
        }
    }

    /// The owner may always read metrics; anyone else needs a current `metrics` grant.
    static func mayRead(_ principal: Principal, grants: [Grant], at now: Date) -> Bool {
        principal == .owner || grants.contains { $0.allows(principal, .metrics, on: resource, at: now) }
    }
}
