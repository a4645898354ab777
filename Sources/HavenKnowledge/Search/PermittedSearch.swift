import Foundation
import HavenAccess
import HavenIdentity
import HavenStore

/// Search as a principal: the passages are limited to what the principal may read (or, when
/// an agent answers for them, use with `ai`), narrowed to the agent's scopes, before ranking;
/// and each path the search returns is recorded in the audit log.
public struct PermittedSearch: Sendable {
    let retriever: Retriever
    let catalog: Catalog
    let audit: AuditLog

    public init(retriever: Retriever, catalog: Catalog, audit: AuditLog) {
        self.retriever = retriever
        self.catalog = catalog
        self.audit = audit
    }

    /// The `k` best passages for `query` that `principal` may see.
    public func search(
        _ query: String, k: Int, principal: Principal, capability: VerifiedCapability?, scopes: [String]?,
        agent: String?, mode: SearchMode = .hybrid, at now: Date = Date()
    ) async throws -> [SearchHit] {
        let right: Right = agent == nil ? .read : .ai
        let grants = principal == .owner || capability != nil ? [] : try catalog.grants(for: principal)
        let filter = PathFilter.for(principal, right: right, grants: grants, capability: capability, scopes: scopes, at: now)
        let hits = try await retriever.search(query, k: k, filter: filter, mode: mode)
        var recorded: Set<DataPath> = []
        for hit in hits where recorded.insert(hit.path).inserted {
            let request = AccessRequest(principal: principal, right: right, resource: hit.path.string)
            let decision = capability.map { AccessPolicy.decide(request, capability: $0) }
                ?? AccessPolicy.decide(request, grants: grants, at: now)
            let passages = hits.filter { $0.path == hit.path }.count
            let by = agent.map { " by agent \($0)" } ?? ""
            try audit.record(
                principal: principal.description, action: right.rawValue, resource: hit.path.string,
                allowed: decision.allowed,
                reason: "search\(by) for \"\(query.prefix(100))\" returned \(passages) passage(s); \(decision.reason)",
                basis: decision.basis, at: now)
        }
        return hits
    }
}
