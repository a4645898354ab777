import Crypto
import Foundation
import HavenAccess
import HavenIdentity
import HavenKnowledge
import HavenStore
import HavenTestSupport

/// A deterministic embedder: words hashed into 64 buckets, so texts sharing words are close.
struct WordHashEmbedder: Embedder {
    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { text in
            var vector = [Float](repeating: 0, count: 64)
            for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
                let digest = SHA256.hash(data: Data(word.utf8))
                vector[Int(digest.first { _ in true }!) % 64] += 1
            }
            return vector
        }
    }
}

/// A store, an indexer with ``WordHashEmbedder`` and the audit log, on a temporary directory.
struct KnowledgeFixture {
    let directory: TemporaryDirectory
    let catalog: Catalog
    let store: DataStore
    let indexer: Indexer
    let audit: AuditLog

    static let schema = CatalogSchema([
        .grants, .files, .changes, .grantNotBefore, .audit, .shares, .licences, .knowledge, .knowledgeVocabulary, .passageTerms,
        .passagePaths,
    ])

    /// With a `dataKey`, the store is an encrypted home's.
    init(dataKey: DataKey? = nil) throws {
        directory = try TemporaryDirectory()
        catalog = try Catalog.open(at: directory.path + "/catalog.sqlite", schema: Self.schema, dataKey: dataKey)
        store = try DataStore(catalog: catalog, objectsDirectory: directory.path + "/objects")
        indexer = Indexer(store: store, embedder: WordHashEmbedder())
        audit = AuditLog(catalog: catalog)
    }

    var search: PermittedSearch {
        PermittedSearch(retriever: indexer.retriever(), catalog: catalog, audit: audit)
    }

    /// Stores `text` at `path` and indexes it.
    func put(_ text: String, at path: String, mediaType: String = "text/markdown") async throws {
        let path = try DataPath(parsing: path)
        try await store.put(Array(text.utf8), at: path, mediaType: mediaType, author: "owner")
        await indexer.enqueue(path)
        await indexer.idle()
    }

    func delete(_ path: String) async throws {
        let path = try DataPath(parsing: path)
        try store.delete(path, author: "owner")
        await indexer.enqueue(path)
        await indexer.idle()
    }

    func grant(_ rights: [Right], on resource: String, to principal: HavenIdentity.Principal, id: String) throws {
        try catalog.insertGrant(
            Grant(id: id, principal: principal, rights: rights, resource: resource, purpose: nil, createdAt: Date(),
                  expiresAt: nil, revokedAt: nil))
    }

    func remove() { directory.remove() }
}
