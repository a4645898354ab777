import Foundation
import HavenStore

/// Hybrid retrieval: BM25 over FTS5 and cosine similarity over the embeddings, each limited
/// to the ``PathFilter`` before anything is ranked, fused by reciprocal rank.
public struct Retriever: Sendable {
    let catalog: Catalog
    let vectors: VectorIndex
    let embedder: any Embedder
    let statistics: TermStatistics
    /// Candidates each ranker contributes before fusion.
    static let candidates = 50

    /// `statistics` must be invalidated by whatever writes passages to `catalog` (the ``Indexer``
    /// does for its own: use ``Indexer/retriever()``), or the term counts it remembers go stale.
    public init(catalog: Catalog, vectors: VectorIndex, embedder: any Embedder, statistics: TermStatistics) {
        self.catalog = catalog
        self.vectors = vectors
        self.embedder = embedder
        self.statistics = statistics
    }

    /// The `k` best passages for `query` that `filter` admits, ranked as `mode` says.
    public func search(_ query: String, k: Int, filter: PathFilter, mode: SearchMode = .hybrid) async throws -> [SearchHit] {
        let terms = Self.terms(of: query)
        guard k > 0, !filter.isEmpty, !terms.isEmpty else { return [] }
        let indexed = mode == .vector ? [] : try catalog.indexTerms(for: terms)
        let ranked = indexed.isEmpty ? [] : try rankingTerms(indexed)
        let fullText = ranked.isEmpty ? [] : try catalog.fullTextMatches(
            ranked.map { "\"\($0)\"" }.joined(separator: " OR "), filter: filter, limit: Self.candidates)
        var semantic: [Int64] = []
        var queryVector: [Float]?
        do {
            if mode != .text { queryVector = try await embedder.embed([query]).first }
        } catch KnowledgeError.noEmbeddingModel {
            // Without a model to embed the query, full-text search answers alone.
        }
        if let vector = queryVector, !vector.isEmpty {
            semantic = vectors.nearest(to: VectorIndex.normalised(vector), limit: Self.candidates, filter: filter)
                .map(\.id)
        }
        let fused = RankFusion.fuse([fullText, semantic])
        let rows = try catalog.passages(ids: fused.prefix(k * 2).map(\.id))
        var hits: [SearchHit] = []
        for (id, score) in fused {
            // The filter was applied before ranking; checking again keeps a stale vector (a
            // passage deleted meanwhile) or a bug in either ranker from ever leaking a passage.
            guard let row = rows[id], filter.allows(row.path), let path = try? DataPath(parsing: row.path) else { continue }
            hits.append(
                SearchHit(
                    path: path, version: row.version, passage: row.seq, score: score,
                    snippet: Self.snippet(of: row.text, terms: terms), text: row.text))
            if hits.count == k { break }
        }
        return hits
    }

    /// Terms in more than this share of passages carry almost no BM25 weight but make SQLite
    /// score nearly every passage, so they are left out of the full-text query.
    static let commonShare = 0.2
    /// Postings SQLite may score for one query. BM25 in FTS5 scores every passage that matches
    /// (about 1.6 µs each on this 2-core box), so the rarest terms are kept up to this many
    /// passages between them and the commoner ones, which weigh least, are left to the vectors.
    static let postingBudget = 20_000

    /// The query terms worth ranking by (see ``rankingTerms(_:frequencies:total:)``).
    func rankingTerms(_ terms: [String]) throws -> [String] {
        let total = try statistics.total { try catalog.passageCount() }
        guard total >= 100 else { return terms }
        // Counted up to one past the budget: a term beyond it is never ranked by, whatever its count.
        let frequencies = try statistics.frequencies(of: terms) {
            try catalog.documentFrequencies(of: $0, countingAtMost: Self.postingBudget + 1)
        }
        return Self.rankingTerms(terms, frequencies: frequencies, total: total)
    }

    /// The terms to rank by, in query order (pure): those in the index, rarest first, while
    /// each is in at most ``commonShare`` of the `total` passages and they fit the
    /// ``postingBudget`` together; if none is that rare, the rarest alone when it fits the budget;
    /// otherwise none (every word is too common here to rank by; the vectors answer).
    static func rankingTerms(_ terms: [String], frequencies: [String: Int], total: Int) -> [String] {
        var seen = Set<String>()
        let present = terms.filter { (frequencies[$0] ?? 0) > 0 && seen.insert($0).inserted }
        let rarestFirst = present.enumerated().sorted {
            (frequencies[$0.element]!, $0.offset) < (frequencies[$1.element]!, $1.offset)
        }.map(\.element)
        var kept = Set<String>()
        var postings = 0
        for term in rarestFirst {
            let count = frequencies[term]!
            guard Double(count) <= commonShare * Double(total), postings + count <= postingBudget else { break }
            kept.insert(term)
            postings += count
        }
        if kept.isEmpty, let rarest = rarestFirst.first, frequencies[rarest]! <= postingBudget { kept.insert(rarest) }
        return present.filter(kept.contains)
    }

    /// The words of a query, lower-cased, as FTS5 tokens (letters and digits).
    static func terms(of query: String) -> [String] {
        query.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { !$0.isEmpty }
    }

    /// About 160 characters around the first query term found, on word boundaries.
    static func snippet(of text: String, terms: [String], width: Int = 160) -> String {
        let lower = text.lowercased()
        let hit = terms.lazy.compactMap { lower.range(of: $0) }.first
        guard text.count > width else { return text }
        let center = hit.map { lower.distance(from: lower.startIndex, to: $0.lowerBound) } ?? 0
        let start = max(0, min(center - width / 3, text.count - width))
        var from = text.index(text.startIndex, offsetBy: start)
        var to = text.index(from, offsetBy: width)
        if start > 0, let space = text[from...].firstIndex(of: " "), text.distance(from: from, to: space) < 20 {
            from = text.index(after: space)
        }
        if to < text.endIndex, let space = text[..<to].lastIndex(of: " "), text.distance(from: space, to: to) < 20 {
            to = space
        }
        return (start > 0 ? "…" : "") + text[from..<to] + (to < text.endIndex ? "…" : "")
    }
}
