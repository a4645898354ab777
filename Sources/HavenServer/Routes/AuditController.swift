import HavenAccess
import Hummingbird

/// `/haven/audit`: the audit log (`?path=`, `?principal=`, `?decision=allowed|denied`,
/// `?limit=`), its verification against the newest head anchored in the ledger, and
/// `POST /haven/audit/anchor` to anchor the head now (owner only).
struct AuditController {
    let audit: AuditLog
    let anchoring: AuditAnchoring
    let witnesses: WitnessService

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get { request, context in
            _ = try context.requireOwner()
            let query = request.uri.queryParameters
            let limit = try query["limit"].map { text in
                guard let limit = Int(text), (1...10_000).contains(limit) else {
                    throw APIError(.badRequest, code: "invalid_request", message: "limit takes a whole number from 1 to 10000")
                }
                return limit
            } ?? 100
            let allowed: Bool?
            switch query["decision"].map(String.init) {
            case nil, "", "all": allowed = nil
            case "allowed": allowed = true
            case "denied": allowed = false
            case let other?:
                throw APIError(
                    .badRequest, code: "invalid_request", message: "decision takes allowed, denied or all, not '\(other)'")
            }
            return AuditListing(
                entries: try audit.entries(
                    resource: query["path"].map(String.init), principal: query["principal"].map(String.init),
                    allowed: allowed, limit: limit))
        }
        group.get("verify") { _, context in
            _ = try context.requireOwner()
            return try audit.verify(anchor: try await anchoring.latest())
        }
        group.post("anchor") { _, context in
            _ = try context.requireOwner()
            let anchored = try await anchoring.anchor()
            if anchored != nil { witnesses.checkpointChanged() }
            return AuditAnchorResponse(anchor: try await anchoring.latest(), appended: anchored != nil)
        }
    }
}

extension AuditVerification: ResponseEncodable {}

