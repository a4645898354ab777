import Foundation
import HavenAccess
import HavenKnowledge
import Hummingbird

/// `GET /haven/search?q=…&k=…[&mode=hybrid|text|vector]`: search over the passages the caller
/// may read (hybrid by default; one ranker alone to measure it);
/// `GET /haven/index` (where indexing stands) and `POST /haven/index/rebuild` (owner).
struct SearchController {
    let environment: ServerEnvironment

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get("search", use: search)
        group.get("index") { _, context in
            _ = try context.requireAuthentication()
            return try await environment.indexer.progress()
        }
        group.post("index/rebuild") { _, context in
            _ = try context.requireOwner()
            try await environment.indexer.rebuild()
            return try await environment.indexer.progress()
        }
    }

    @Sendable func search(_ request: Request, context: HavenRequestContext) async throws -> SearchResponse {
        let caller = try context.requireAuthentication()
        let query = request.uri.queryParameters["q"].map(String.init) ?? ""
        guard !query.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError(.badRequest, code: "invalid_request", message: "q: give words to search for, e.g. ?q=lighthouse")
        }
        let k = try request.uri.queryParameters["k"].map { text in
            guard let k = Int(text), (1...50).contains(k) else {
                throw APIError(.badRequest, code: "invalid_request", message: "k takes a whole number from 1 to 50")
            }
            return k
        } ?? 5
        let mode = try request.uri.queryParameters["mode"].map { text in
            guard let mode = SearchMode(rawValue: String(text)) else {
                throw APIError(.badRequest, code: "invalid_request", message: "mode takes hybrid, text or vector")
            }
            return mode
        } ?? .hybrid
        let hits = try await environment.search.search(
            query, k: k, principal: caller.principal, capability: caller.capability, scopes: nil, agent: nil, mode: mode)
        return SearchResponse(query: query, hits: hits)
    }
}

extension IndexProgress: ResponseEncodable {}
