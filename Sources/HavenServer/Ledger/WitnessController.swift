import Foundation
import HavenExchange
import HavenLedger
import HavenStore
import Hummingbird

/// Witnessing over HTTP.
///
/// Public, as C2SP tlog-witness and tlog-policy have them:
/// - `POST /ledger/witness/add-checkpoint`: a log sends its new checkpoint and a consistency
///   proof; the answer is this server's cosignature (200) or the spec's status (404 unknown log,
///   403 bad signature, 409 with the size held here, 422 a proof that does not verify).
/// - `GET /ledger/policy`: this log's witness policy.
///
/// Owner only:
/// - `POST /haven/witness {"peer"}`: start witnessing a known peer's log.
/// - `POST /haven/witness/check`: check every witnessed log now.
/// - `GET /haven/witness`: the logs witnessed here, this log's witnesses, and the evidence kept.
struct WitnessController {
    let environment: ServerEnvironment

    var witnesses: WitnessService { environment.witnesses }

    func addRoutes(public router: Router<HavenRequestContext>, api group: RouterGroup<HavenRequestContext>) {
        router.post("ledger/witness/add-checkpoint") { request, _ in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: WitnessService.maximumRequest)
            } catch {
                throw APIError(.contentTooLarge, code: "too_large", message: "an add-checkpoint request is at most 16 KiB")
            }
            let (status, text) = try await witnesses.addCheckpoint(Array(buffer: body))
            return Response(
                status: .init(code: status),
                headers: [.contentType: status == 409 ? "text/x.tlog.size" : "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("ledger/policy") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: try await witnesses.policy(publicURL: environment.configuration.effectivePublicURL))))
        }
        group.post { request, context in
            _ = try context.requireOwner()
            let body = try await request.decode(as: AddWitnessRequest.self, context: context)
            let peer = try environment.exchange.clients.peer(named: body.peer)
            let report = try await witnesses.watch(peer)
            return EditedResponse(status: .created, response: WitnessChecks(checks: [report]))
        }
        group.post("check") { _, context in
            _ = try context.requireOwner()
            return WitnessChecks(checks: await witnesses.checkAll())
        }
        group.get { _, context in
            _ = try context.requireOwner()
            let catalog = environment.catalog
            return WitnessOverview(
                witnessed: try catalog.witnessedLogs().map { row in
                    WitnessOverview.Witnessed(
                        origin: row.origin, url: row.url,
                        size: try row.witnessedLog().latest?.checkpoint.size, checkedAt: row.checkedAt)
                },
                witnesses: try catalog.logWitnesses().map {
                    WitnessOverview.OwnWitness(name: $0.name, url: $0.url, cosignedSize: $0.cosignedSize, error: $0.error)
                },
                evidence: try catalog.splitViews())
        }
    }
}
