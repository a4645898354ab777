import Foundation
import HavenAccess
import HavenIdentity
import HavenStore
import HavenTestSupport
import Testing

@testable import HavenKnowledge

@Suite struct IndexAndSearchTests {
    let fixture: KnowledgeFixture
    init() throws { fixture = try KnowledgeFixture() }

    func paths(_ hits: [SearchHit]) -> [String] { hits.map(\.path.string) }

    @Test func aWrittenFileIsFoundAndADeletedOneIsNot() async throws {
        defer { fixture.remove() }
        try await fixture.put("# Lighthouse\nThe keeper of the lighthouse logs every storm.", at: "/notes/lighthouse.md")
        try await fixture.put("# Bread\nFlour, water, salt and time make bread.", at: "/notes/bread.md")
        let hits = try await fixture.search.search(
            "storm keeper", k: 5, principal: .owner, capability: nil, scopes: nil, agent: nil)
        #expect(paths(hits).first == "/notes/lighthouse.md")
        #expect(hits.first?.text.contains("logs every storm") == true)
        try await fixture.delete("/notes/lighthouse.md")
        let after = try await fixture.search.search("storm keeper", k: 5, principal: .owner, capability: nil, scopes: nil, agent: nil)
        #expect(!paths(after).contains("/notes/lighthouse.md"))
        #expect(fixture.indexer.vectors.count == 1)
    }

    @Test func anEditReindexesOnlyThatFile() async throws {
        defer { fixture.remove() }
        try await fixture.put("Alpha text about comets.", at: "/a.md")
        try await fixture.put("Beta text about tides.", at: "/b.md")
        let before = try fixture.catalog.indexedFiles()
        try await fixture.put("Alpha text about volcanoes now.", at: "/a.md")
        let after = try fixture.catalog.indexedFiles()
        #expect(after["/a.md"]?.version == 2)
        #expect(after["/b.md"] == before["/b.md"])
        let comets = try await fixture.search.search("comets", k: 5, principal: .owner, capability: nil, scopes: nil, agent: nil)
        #expect(comets.allSatisfy { !$0.text.contains("comets") })
        let volcanoes = try await fixture.search.search("volcanoes", k: 5, principal: .owner, capability: nil, scopes: nil, agent: nil)
        #expect(paths(volcanoes).first == "/a.md")
    }

    @Test func theIndexSurvivesARestartAndCatchesUp() async throws {
        defer { fixture.remove() }
        try await fixture.put("Saffron grows in autumn.", at: "/garden.md")
        // A write while no indexer runs.
        try await fixture.store.put(Array("Tulips bloom in spring.".utf8), at: try DataPath(parsing: "/tulips.md"),
                              mediaType: "text/markdown", author: "owner")
        let restarted = Indexer(store: fixture.store, embedder: WordHashEmbedder())
        try await restarted.reconcile()
        await restarted.idle()
        let search = PermittedSearch(retriever: restarted.retriever(), catalog: fixture.catalog, audit: fixture.audit)
        #expect(paths(try await search.search("saffron", k: 3, principal: .owner, capability: nil, scopes: nil, agent: nil)).first == "/garden.md")
        #expect(paths(try await search.search("tulips", k: 3, principal: .owner, capability: nil, scopes: nil, agent: nil)).first == "/tulips.md")
        #expect(restarted.vectors.count == 2)
    }

    @Test func unsupportedFilesAreSkippedWithAReason() async throws {
        defer { fixture.remove() }
        try await fixture.put("\u{0}\u{1}binary", at: "/blob.bin", mediaType: "application/octet-stream")
        let file = try #require(try fixture.catalog.indexedFiles()["/blob.bin"])
        #expect(file.status == .skipped)
        #expect(try await fixture.indexer.progress().skipped == 1)
    }

    @Test func aSearchSeesOnlyWhatTheCallerMayReadAndIsAudited() async throws {
        defer { fixture.remove() }
        try await fixture.put("Project falcon budget is secret.", at: "/work/falcon.md")
        try await fixture.put("Falcon sightings at the lake.", at: "/birds/falcon.md")
        try await fixture.put("Falcon notes in a sibling folder.", at: "/birds2/falcon.md")
        let birder = Principal.app("birder")
        try fixture.grant([.read], on: "/birds/", to: birder, id: "g-birds")
        let hits = try await fixture.search.search("falcon", k: 10, principal: birder, capability: nil, scopes: nil, agent: nil)
        #expect(paths(hits) == ["/birds/falcon.md"])
        let audit = try fixture.audit.entries(principal: "app:birder")
        #expect(audit.map(\.resource) == ["/birds/falcon.md"])
        #expect(audit.first?.action == "read")
        #expect(audit.first?.basis == "g-birds")

        // An agent answering for the same app needs `ai`, which it does not hold.
        #expect(try await fixture.search.search("falcon", k: 10, principal: birder, capability: nil, scopes: nil, agent: "assistant").isEmpty)

        // A revoked grant removes its passages from the very next search.
        _ = try fixture.catalog.revokeGrant(id: "g-birds", at: Date())
        #expect(try await fixture.search.search("falcon", k: 10, principal: birder, capability: nil, scopes: nil, agent: nil).isEmpty)
    }

    @Test func agentScopesNarrowEvenTheOwner() async throws {
        defer { fixture.remove() }
        try await fixture.put("Harbour tide tables.", at: "/notes/tides.md")
        try await fixture.put("Harbour mortgage papers.", at: "/private/mortgage.md")
        let hits = try await fixture.search.search(
            "harbour", k: 10, principal: .owner, capability: nil, scopes: ["/notes/"], agent: "assistant")
        #expect(paths(hits) == ["/notes/tides.md"])
        #expect(try fixture.audit.entries().first?.action == "ai")
    }

    @Test func reciprocalRankFusionFavoursItemsBothRankersLike() async {
        let fused = RankFusion.fuse([["a", "b", "c"], ["c", "a", "d"]])
        #expect(fused.map(\.id) == ["a", "c", "b", "d"])
    }

    @Test func thePathFilterAdmitsPathsCoveredByBothGrantsAndScopes() async throws {
        let filter = PathFilter(allowed: ["/notes/", "/a"], scopes: ["/notes/x/", "/a"])
        for (path, allowed) in [("/notes/x/1", true), ("/notes/y", false), ("/a", true), ("/a/b", true), ("/ab", false)] {
            #expect(filter.allows(path) == allowed, "\(path)")
        }
    }
}

/// An embedder with no model installed.
struct NoModelEmbedder: Embedder {
    func embed(_ texts: [String]) async throws -> [[Float]] {
        throw KnowledgeError.noEmbeddingModel
    }
}

@Suite struct FullTextOnlyTests {
    @Test func withoutAModelFilesAreStillFoundByTheirWords() async throws {
        let directory = try HavenTestSupport.TemporaryDirectory()
        defer { directory.remove() }
        let catalog = try Catalog.open(at: directory.path + "/c.sqlite", schema: KnowledgeFixture.schema)
        let store = try DataStore(catalog: catalog, objectsDirectory: directory.path + "/objects")
        let indexer = Indexer(store: store, embedder: NoModelEmbedder())
        let path = try DataPath(parsing: "/n/quince.md")
        try await store.put(Array("Quince jelly sets overnight.".utf8), at: path, mediaType: "text/markdown", author: "owner")
        await indexer.enqueue(path)
        await indexer.idle()
        let hits = try await indexer.retriever().search("quince", k: 3, filter: PathFilter(allowed: nil, scopes: nil))
        #expect(hits.map(\.path) == [path])
    }
}

@Suite struct VectorIndexTests {
    @Test func nearestFindsTheClosestAllowedVectorsAndForgetsReplacedOnes() async {
        let index = VectorIndex()
        index.replace(path: "/a", ids: [1, 2], vectors: [[1, 0, 0], [0, 1, 0]])
        index.replace(path: "/b", ids: [3], vectors: [[0.9, 0.1, 0]].map(VectorIndex.normalised))
        index.replace(path: "/c", ids: [4], vectors: [[0, 0, 1]])
        #expect(index.nearest(to: [1, 0, 0], limit: 2, allows: { _ in true }).map(\.id) == [1, 3])
        #expect(index.nearest(to: [1, 0, 0], limit: 2, allows: { $0 != "/a" }).map(\.id) == [3, 4])
        index.replace(path: "/a", ids: [5], vectors: [[0, 0, -1]])
        #expect(index.count == 3)
        #expect(index.nearest(to: [0, 1, 0], limit: 5, allows: { _ in true }).map(\.id).contains(2) == false)
        index.replace(path: "/b", ids: [], vectors: [])
        #expect(index.nearest(to: [1, 0, 0], limit: 5, allows: { _ in true }).map(\.id).sorted() == [4, 5])
    }

    /// Seeded unit vectors of dimension 16 around a few centres, for the index tests.
    static func rows(count: Int, seed: UInt64) -> [(id: Int64, path: String, vector: [Float])] {
        var state = seed
        func uniform() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) - 0.5
        }
        let centres = (0..<8).map { _ in (0..<16).map { _ in uniform() } }
        return (0..<count).map { index in
            let centre = centres[index % centres.count]
            return (Int64(index + 1), "/f\(index % 50).md", VectorIndex.normalised(centre.map { $0 + 0.3 * uniform() }))
        }
    }

    @Test func aFilteredSearchNeverReturnsAPassageOutsideTheFilterAndMatchesExactSearch() {
        let rows = Self.rows(count: 2_000, seed: 3)
        let index = VectorIndex()
        index.load(rows)
        // One file in fifty: the 2 % a principal may read.
        let allows: (String) -> Bool = { $0 == "/f7.md" }
        for query in rows.prefix(20) {
            let found = index.nearest(to: query.vector, limit: 10, allows: allows)
            let exact = index.exactNearest(to: query.vector, limit: 10, allows: allows)
            #expect(found.count == 10)
            #expect(found.allSatisfy { rows[Int($0.id) - 1].path == "/f7.md" })
            #expect(Set(found.map(\.id)) == Set(exact.map(\.id)))
        }
    }

    @Test func aPathFilterSearchAdmitsExactlyWhatTheFilterAllowsAtEveryBoundary() {
        // Paths beside each other in byte order: /f1.md, /f10.md … and folders whose names extend
        // one another (/g1/, /g1x/, /g10/), so a prefix run must still be decided path by path.
        var rows = Self.rows(count: 2_000, seed: 5)
        for index in rows.indices {
            let folder = ["/g1/", "/g1x/", "/g10/", "/g1", "/h/"][index % 5]
            rows[index].path = folder == "/g1" ? "/g1" : folder + "\(index % 40).md"
        }
        let index = VectorIndex()
        index.load(rows)
        let filters = [
            PathFilter(allowed: ["/g1"], scopes: nil),  // the file /g1 and what is under /g1/
            PathFilter(allowed: ["/g1/"], scopes: nil),
            PathFilter(allowed: ["/g1/3.md", "/g10/"], scopes: nil),
            PathFilter(allowed: ["/"], scopes: ["/h/"]),
            PathFilter(allowed: nil, scopes: ["/g1x/"]),
            PathFilter(allowed: ["/g1/", "/g1/8.md", "/g1"], scopes: ["/g1/"]),  // overlapping prefixes
            PathFilter(allowed: ["/nothing/"], scopes: nil),
        ]
        var found = 0
        var expected = 0
        for filter in filters {
            let share = Double(rows.filter { filter.allows($0.path) }.count) / Double(rows.count)
            for query in rows.prefix(5) {
                let approximate = index.nearest(to: query.vector, limit: 10, filter: filter)
                let exact = index.exactNearest(to: query.vector, limit: 10, allows: filter.allows)
                #expect(approximate.allSatisfy { filter.allows(rows[Int($0.id) - 1].path) }, "\(filter)")
                // A small share is scanned exactly; a large one walks the graph (approximate).
                if share <= VectorIndex.scanShare { #expect(approximate.map(\.id) == exact.map(\.id), "\(filter)") }
                found += Set(approximate.map(\.id)).intersection(exact.map(\.id)).count
                expected += exact.count
            }
        }
        #expect(Double(found) >= 0.95 * Double(expected))
        // The owner's search is unfiltered and finds the query's own vector first.
        #expect(index.nearest(to: rows[9].vector, limit: 1, filter: PathFilter(allowed: nil, scopes: nil)).first?.id == 10)
    }

    @Test func sortedPathsFindTheRunsUnderPrefixesAndStayInByteOrder() {
        var paths = SortedPaths(["/b/2", "/a", "/b/1", "/a", "/ab", "/é", "/z"])
        #expect(paths.paths == ["/a", "/ab", "/b/1", "/b/2", "/z", "/é"])
        #expect(paths.starting(with: ["/a"]) == ["/a", "/ab"])
        #expect(paths.starting(with: ["/b/", "/b/2", "/q"]) == ["/b/1", "/b/2"])
        #expect(paths.starting(with: ["/"]) == paths.paths)
        #expect(paths.starting(with: []) == [])
        paths.insert("/b/0")
        paths.insert("/b/0")
        paths.remove("/ab")
        paths.remove("/missing")
        #expect(paths.paths == ["/a", "/b/0", "/b/1", "/b/2", "/z", "/é"])
        #expect(paths.count == 6)
    }

    @Test func theIndexIsSavedAtShutdownAndReusedOnlyIfItHoldsExactlyTheCatalogsPassages() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vectors-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.path + "/cache/vectors.hnsw"
        let rows = Self.rows(count: 500, seed: 9)
        let first = VectorIndex(file: file)
        #expect(first.load(rows) == .rebuilt)
        let before = first.nearest(to: rows[0].vector, limit: 10, allows: { _ in true }).map(\.id)
        try first.save()
        #expect(FileManager.default.fileExists(atPath: file))

        let second = VectorIndex(file: file)
        #expect(second.load(rows) == .savedFile)
        #expect(second.nearest(to: rows[0].vector, limit: 10, allows: { _ in true }).map(\.id) == before)
        // Loaded, the file is gone: once the index changes it would be stale.
        #expect(!FileManager.default.fileExists(atPath: file))

        // A file that does not hold the catalog's passages is not used: the index is rebuilt.
        try second.save()
        let fewer = Array(rows.dropLast(100))
        let third = VectorIndex(file: file)
        #expect(third.load(fewer) == .rebuilt)
        #expect(third.count == 400)
        #expect(third.nearest(to: rows[499].vector, limit: 10, allows: { _ in true }).allSatisfy { $0.id <= 400 })
        // A damaged file is refused the same way.
        try third.save()
        try Data("not an index".utf8).write(to: URL(fileURLWithPath: file))
        let fourth = VectorIndex(file: file)
        #expect(fourth.load(fewer) == .rebuilt)
        #expect(fourth.count == 400)
    }
}

@Suite struct CommonTermTests {
    /// 120 notes, `/log/0.md` … `/log/119.md`, the text of each made by `text` from its number.
    static func storeLog(in fixture: KnowledgeFixture, _ text: (Int) -> String) async throws {
        for index in 0..<120 {
            try await fixture.store.put(
                Array(text(index).utf8), at: try DataPath(parsing: "/log/\(index).md"), mediaType: "text/markdown",
                author: "owner")
        }
    }

    @Test func termsInMostPassagesAreLeftOutOfRankingUnlessNothingElseIsLeft() async throws {
        let fixture = try KnowledgeFixture()
        defer { fixture.remove() }
        try await Self.storeLog(in: fixture) { "the harbour log \($0) mentions a \($0 == 7 ? "albatross" : "gull")" }
        try await fixture.indexer.reconcile()
        await fixture.indexer.idle()
        let retriever = fixture.indexer.retriever()
        #expect(try retriever.rankingTerms(["the", "harbour", "albatross"]) == ["albatross"])
        // When every term is that common, the rarest one still ranks.
        #expect(try retriever.rankingTerms(["the", "harbour"]).count == 1)
        let hits = try await retriever.search("the harbour albatross", k: 1, filter: PathFilter(allowed: nil, scopes: nil))
        #expect(hits.first?.path.string == "/log/7.md")
        // Counts stop at the limit asked for; below it they are exact.
        let terms = try fixture.catalog.indexTerms(for: ["gull", "albatross", "the", "heron"])
        #expect(try fixture.catalog.documentFrequencies(of: terms, countingAtMost: 50) == [
            terms[0]: 50, terms[1]: 1, terms[2]: 50, terms[3]: 0,
        ])
        #expect(try fixture.catalog.documentFrequencies(of: terms, countingAtMost: 1_000) == [
            terms[0]: 119, terms[1]: 1, terms[2]: 120, terms[3]: 0,
        ])
    }

    @Test func countsCappedPastTheBudgetRankTheSameTermsAsFullCounts() {
        // The retriever counts each term up to one past the budget; the terms it ranks by must be
        // those the full counts would give, whatever the counts.
        var generator = SystemRandomNumberGenerator()
        let budget = Retriever.postingBudget
        for _ in 0..<2_000 {
            let total = Int.random(in: 100...2_000_000, using: &generator)
            let terms = (0..<Int.random(in: 1...6, using: &generator)).map { "t\($0)" }
            let full = Dictionary(uniqueKeysWithValues: terms.map { ($0, Int.random(in: 0...min(total, budget * 3), using: &generator)) })
            let capped = full.mapValues { min($0, budget + 1) }
            #expect(Retriever.rankingTerms(terms, frequencies: capped, total: total)
                == Retriever.rankingTerms(terms, frequencies: full, total: total))
        }
    }

    @Test func theRarestTermsAreKeptWithinThePostingBudgetInQueryOrder() {
        let budget = Retriever.postingBudget
        let total = 1_000_000
        func kept(_ terms: [String], _ frequencies: [String: Int]) -> [String] {
            Retriever.rankingTerms(terms, frequencies: frequencies, total: total)
        }
        // Rarest first until the budget is spent; the result keeps the query's order.
        #expect(kept(["a", "b", "c"], ["a": budget / 2, "b": 10, "c": budget / 2]) == ["a", "b"])
        #expect(kept(["a", "b"], ["a": budget - 10, "b": 10]) == ["a", "b"])
        // Words the index does not hold, and repeats, are left out.
        #expect(kept(["x", "b", "b"], ["b": 3]) == ["b"])
        #expect(kept(["x"], [:]) == [])
        // No term fits with another: the rarest alone if it fits; none if even it does not.
        #expect(kept(["a", "b"], ["a": budget, "b": budget]) == ["a"])
        #expect(kept(["a", "b"], ["a": budget + 1, "b": budget + 2]) == [])
        // In a small index a term in more than a fifth of the passages is common: left out
        // unless it is the rarest there is.
        #expect(Retriever.rankingTerms(["the", "gull"], frequencies: ["the": 500, "gull": 30], total: 1_000) == ["gull"])
        #expect(Retriever.rankingTerms(["the", "log"], frequencies: ["the": 500, "log": 300], total: 1_000) == ["log"])
    }

    @Test func termCountsAreRememberedUntilTheIndexChanges() throws {
        let statistics = TermStatistics()
        var lookups: [[String]] = []
        func look(_ terms: [String]) -> [String: Int] {
            lookups.append(terms)
            return Dictionary(uniqueKeysWithValues: terms.map { ($0, $0.count) })
        }
        #expect(statistics.frequencies(of: ["ab", "c"], look) == ["ab": 2, "c": 1])
        #expect(statistics.frequencies(of: ["c", "def"], look) == ["c": 1, "def": 3])
        #expect(lookups == [["ab", "c"], ["def"]])
        var counted = 0
        #expect(statistics.total { counted += 1; return 7 } == 7)
        #expect(statistics.total { counted += 1; return 8 } == 7)
        statistics.invalidate()
        #expect(statistics.total { counted += 1; return 9 } == 9)
        #expect(statistics.frequencies(of: ["c"], look) == ["c": 1])
        #expect(lookups.last == ["c"])
        #expect(counted == 2)
    }

    @Test func aSearchAfterAnEditRanksByTheNewCounts() async throws {
        let fixture = try KnowledgeFixture()
        defer { fixture.remove() }
        try await Self.storeLog(in: fixture) { "ledger entry \($0) about a gull" }
        try await fixture.indexer.reconcile()
        await fixture.indexer.idle()
        let retriever = fixture.indexer.retriever()
        let owner = PathFilter(allowed: nil, scopes: nil)
        #expect(try await retriever.search("petrel", k: 1, filter: owner, mode: .text).isEmpty)
        try await fixture.store.put(
            Array("ledger entry about a petrel".utf8), at: try DataPath(parsing: "/log/5.md"), mediaType: "text/markdown",
            author: "owner")
        await fixture.indexer.enqueue(try DataPath(parsing: "/log/5.md"))
        await fixture.indexer.idle()
        #expect(try await retriever.search("petrel", k: 1, filter: owner, mode: .text).first?.path.string == "/log/5.md")
    }
}
