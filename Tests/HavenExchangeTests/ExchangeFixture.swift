import Foundation
import HavenAccess
import HavenExchange
import HavenIdentity
import HavenStore
import HavenTestSupport

/// A data store over an in-memory catalog with the exchange tables, on a temporary directory.
struct ExchangeFixture {
    static let schema = CatalogSchema([.grants, .files, .grantNotBefore, .audit, .shares, .licences, .changes, .exchange])

    let directory: TemporaryDirectory
    let store: DataStore
    var catalog: Catalog { store.catalog }

    init() throws {
        directory = try TemporaryDirectory()
        store = try DataStore(catalog: try Catalog.inMemory(schema: Self.schema), objectsDirectory: directory.path + "/objects")
    }

    func remove() { directory.remove() }

    @discardableResult
    func put(_ text: String, at path: String) async throws -> FileVersion {
        try await store.put(Array(text.utf8), at: try DataPath(parsing: path), author: "owner")
    }

    @discardableResult
    func put(_ bytes: [UInt8], at path: String) async throws -> FileVersion {
        try await store.put(bytes, at: try DataPath(parsing: path), author: "owner")
    }
}

/// A verified capability as the server's middleware would hand it over: `holder` may use
/// `rights` on `resource`.
func capability(_ rights: [Right], on resource: String, holder: DID = IdentityKey().did) -> VerifiedCapability {
    VerifiedCapability(
        id: "token-\(resource)", issuer: IdentityKey().did, audience: holder,
        capabilities: rights.map { Capability(resource: resource, right: $0) }, chain: ["token-\(resource)"], expiresAt: nil)
}

/// Reproducible bytes that chunk into several pieces.
func sampleBytes(_ count: Int, seed: UInt8) -> [UInt8] {
    var state = UInt64(seed) &+ 0x9E37_79B9_7F4A_7C15
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
}
