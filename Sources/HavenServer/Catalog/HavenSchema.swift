import HavenAccess
import HavenAgents
import HavenExchange
import HavenKnowledge
import HavenLedger
import HavenStore

extension CatalogSchema {
    /// Haven's catalog: every target's migrations in the order they were introduced. A new
    /// migration goes at the end; none is ever removed or reordered.
    public static let haven = CatalogSchema([
        .apiTokens, .models, .grants, .files, .grantNotBefore, .audit, .shares, .knowledge, .agents, .knowledgeVocabulary,
        .changes, .exchange, .webSessions, .modelConversations, .ledgerRecords, .licences, .ledgerLicences, .witnessing, .marketOffers, .marketContracts, .marketSales,
        .modelProfiles, .passageTerms, .modelAdapters, .trainingJobs, .modelProjectors, .imageDescriptions, .passagePaths,
    ])
}

extension Catalog {
    /// Opens the catalog at `path` with Haven's schema; an encrypted home's with its data key.
    public static func open(at path: String, dataKey: DataKey? = nil) throws(CatalogError) -> Catalog {
        try open(at: path, schema: .haven, dataKey: dataKey)
    }

    /// A private in-memory catalog with Haven's schema, for tests; an encrypted home's with a
    /// data key.
    public static func inMemory(dataKey: DataKey? = nil) throws -> Catalog {
        try inMemory(schema: .haven, dataKey: dataKey)
    }
}
