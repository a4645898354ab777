import Foundation
import GRDB
import HavenStore
import Testing

@testable import HavenKnowledge

/// The passage index of an encrypted home: searches find whole words, the catalog keeps none.
@Suite struct SealedIndexTests {
    let fixture: KnowledgeFixture

    init() throws { fixture = try KnowledgeFixture(dataKey: .generate()) }

    func search(_ query: String) async throws -> [SearchHit] {
        try await fixture.search.search(query, k: 5, principal: .owner, capability: nil, scopes: nil, agent: nil)
    }

    /// Every byte of the catalog's files, after a checkpoint. (Paths are metadata and stay
    /// plain, so the tests keep words out of them.)
    func catalogBytes() throws -> Data {
        try fixture.catalog.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        var bytes = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path) where name.hasPrefix("catalog") {
            bytes.append(try Data(contentsOf: URL(fileURLWithPath: fixture.directory.path + "/" + name)))
        }
        return bytes
    }

    @Test func wordsAreFoundAndRankedWhileTheCatalogHoldsNone() async throws {
        defer { fixture.remove() }
        try await fixture.put("The quokka of Rottnest island smiles at every visitor.", at: "/notes/a.md")
        try await fixture.put("Cloves and nutmeg came from Zanzibar; the quokka never did.", at: "/notes/b.md")
        try await fixture.put("Nothing to see in this note about the café.", at: "/notes/c.md")
        let hits = try await search("Rottnest")
        #expect(hits.first?.path.string == "/notes/a.md")
        #expect(hits.first?.text.contains("Rottnest island") == true)
        let zanzibar = try await search("zanzibar")
        #expect(zanzibar.first?.path.string == "/notes/b.md")
        let quokka = try await search("quokka")
        #expect(Set(quokka.prefix(2).map(\.path.string)) == ["/notes/a.md", "/notes/b.md"])
        // The tokenizer's folding still applies: an accent-less query finds the accented word.
        let cafe = try await search("cafe")
        #expect(cafe.first?.path.string == "/notes/c.md")
        let bytes = try catalogBytes()
        for word in ["quokka", "Rottnest", "rottnest", "zanzibar", "nutmeg", "visitor"] {
            #expect(bytes.range(of: Data(word.utf8)) == nil, "\(word) is in the catalog")
        }
    }

    @Test func vectorsAreSealedAndLoadBack() async throws {
        defer { fixture.remove() }
        try await fixture.put("Saffron crocus bulbs go in the ground in late summer.", at: "/garden.md")
        let stored = try fixture.catalog.read { db in
            try Row.fetchOne(db, sql: "SELECT typeof(text) AS t, length(embedding) AS n, terms FROM passage")
        }
        let row = try #require(stored)
        #expect(row["t"] as String == "blob")
        #expect(row["n"] as Int != 64 * 4)
        #expect((row["terms"] as String).split(separator: " ").count == 10)
        let embeddings = try fixture.catalog.allEmbeddings()
        #expect(embeddings.count == 1)
        #expect(embeddings[0].vector.count == 64)
        let expected = try await WordHashEmbedder().embed(["Saffron crocus bulbs go in the ground in late summer."])
        #expect(embeddings[0].vector == VectorIndex.normalised(expected[0]))
    }

    @Test func aPlainIndexIsSealedInPlaceAndStillSearches() async throws {
        let key = DataKey.generate()
        let plain = try KnowledgeFixture()
        defer { plain.remove() }
        try await plain.put("Lighthouse keepers log every storm in the Hebrides.", at: "/log.md")
        try await plain.put("Quince jelly sets overnight.", at: "/q.md")
        try plain.catalog.close()
        let sealed = try Catalog.open(
            at: plain.directory.path + "/catalog.sqlite", schema: KnowledgeFixture.schema, dataKey: key)
        let steps = try sealed.sealExistingRows([.passages])
        #expect(steps.map(\.rows) == [2])
        #expect(try sealed.sealExistingRows([.passages]).map(\.rows) == [0])
        try sealed.compact()
        let store = try DataStore(catalog: sealed, objectsDirectory: plain.directory.path + "/objects")
        let indexer = Indexer(store: store, embedder: WordHashEmbedder())
        try await indexer.reconcile()
        let hits = try await indexer.retriever().search("hebrides", k: 3, filter: PathFilter(allowed: nil, scopes: nil))
        #expect(hits.first?.path.string == "/log.md")
        #expect(hits.first?.text == "Lighthouse keepers log every storm in the Hebrides.")
        try sealed.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: plain.directory.path + "/catalog.sqlite"))
        for word in ["Lighthouse", "lighthouse", "hebrides", "Hebrides", "quince", "overnight"] {
            #expect(bytes.range(of: Data(word.utf8)) == nil, "\(word) is in the catalog")
        }
    }
}
