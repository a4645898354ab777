import Foundation
import HavenAccess
import HavenInference
import HavenTestSupport
import HavenWebAssets
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// `web/openapi.json` describes exactly the routes the router has under Haven's own prefixes,
/// is sound as OpenAPI 3.1 where clients depend on it, and is served at `/openapi.json`.
@Suite struct OpenAPIDocumentTests {
    /// What the document covers: Haven's own API. `/v1/`, `/api/`, `/mcp`, `/metrics` and the
    /// web app follow other specifications and are left out.
    static let prefixes = ["/haven/", "/exchange/", "/ledger/"]
    static let exactPaths: Set<String> = ["/data", "/healthz", "/.well-known/haven", "/openapi.json"]

    static func isDescribed(_ path: String) -> Bool {
        exactPaths.contains(path) || path.hasPrefix("/data/") || prefixes.contains { path.hasPrefix($0) }
    }

    /// A router path in the document's syntax: Hummingbird writes a capture `{id}` already; its
    /// recursive wildcard `**` becomes the `{path}` parameter.
    static func templated(_ routerPath: String) -> String {
        routerPath.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0 == "**" ? "{path}" : String($0) }
            .joined(separator: "/")
    }

    /// `METHOD /path` for every route the router has under the described prefixes. HEAD counts
    /// like any method: Haven's router does not generate HEAD endpoints, so `routes` lists only
    /// the ones registered (`/data`'s).
    static func routed(_ router: Router<HavenRequestContext>) -> Set<String> {
        Set(
            router.routes.map { (method: $0.method.rawValue, path: templated($0.path.description)) }
                .filter { isDescribed($0.path) }
                .map { "\($0.method) \($0.path)" })
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    struct Document: Decodable {
        struct Info: Decodable { let version: String }
        struct Parameter: Decodable {
            let name: String
            let location: String
            enum CodingKeys: String, CodingKey {
                case name
                case location = "in"
            }
        }
        struct Operation: Decodable {
            let operationId: String
            let parameters: [Parameter]?
        }
        let openapi: String
        let info: Info
        let paths: [String: [String: Operation]]
    }

    static let bytes: [UInt8] = WebAssets.embedded[OpenAPIController.asset]?.bytes ?? []

    static func document() throws -> Document {
        try JSONDecoder().decode(Document.self, from: Data(bytes))
    }

    static func documented(_ document: Document) -> Set<String> {
        Set(document.paths.flatMap { path, item in
            item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
        })
    }

    @Test func theDocumentNamesExactlyTheRoutesOfTheRouter() throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let routes = Self.routed(fixture.makeRouter())
        let documented = Self.documented(try Self.document())
        #expect(routes.count > 100, "the router's routes were not read: \(routes.sorted())")
        let undocumented = routes.subtracting(documented).sorted()
        let missing = documented.subtracting(routes).sorted()
        #expect(undocumented.isEmpty, "routes the router has that web/openapi.json does not describe: \(undocumented)")
        #expect(missing.isEmpty, "routes web/openapi.json describes that the router does not have: \(missing)")
    }

    @Test func theComparisonSeesARouteAddedOrRemoved() throws {
        // What the test above compares can differ both ways: a route the document lacks, and
        // documented routes a router does not have.
        let documented = Self.documented(try Self.document())
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let router = fixture.makeRouter()
        router.get("haven/not-in-the-document") { _, _ in "" }
        router.get("data-like-but-not-data") { _, _ in "" }
        #expect(Self.routed(router).subtracting(documented) == ["GET /haven/not-in-the-document"])

        let bare = Router(context: HavenRequestContext.self)
        HealthController().addRoutes(to: bare)
        #expect(Self.routed(bare) == ["GET /healthz"])
        #expect(documented.subtracting(Self.routed(bare)).contains("GET /haven/status"))
        #expect(Self.templated("/data/**") == "/data/{path}")
    }

    @Test func everyReferenceResolves() throws {
        let root = try JSONDecoder().decode(JSONValue.self, from: Data(Self.bytes))
        var references: [String] = []
        Self.collectReferences(in: root, into: &references)
        #expect(references.count > 100)
        let broken = references.filter { Self.resolve($0, in: root) == nil }
        #expect(broken.isEmpty, "references that resolve to nothing: \(Set(broken).sorted())")
    }

    @Test func everyPathParameterIsDeclaredAndOperationIdsAreUnique() throws {
        let document = try Self.document()
        #expect(document.openapi == "3.1.0")
        #expect(document.info.version == HavenServer.version)
        var seen: [String: String] = [:]
        for (path, item) in document.paths {
            let template = Set(Self.parameterNames(in: path))
            for (method, operation) in item where Self.methods.contains(method) {
                let declared = Set((operation.parameters ?? []).filter { $0.location == "path" }.map(\.name))
                #expect(declared == template, "\(method.uppercased()) \(path) declares path parameters \(declared.sorted())")
                #expect(seen[operation.operationId] == nil, "operationId \(operation.operationId) is used twice")
                seen[operation.operationId] = "\(method) \(path)"
            }
        }
    }

    @Test func theRightsItNamesAreTheRightsThereAre() throws {
        let root = try JSONDecoder().decode(JSONValue.self, from: Data(Self.bytes))
        let right = Self.resolve("#/components/schemas/Right/enum", in: root)
        #expect(right == .array(Right.allCases.map { .string($0.rawValue) }))
    }

    @Test func itIsServedWithoutATokenWithItsETagAndGzip() async throws {
        let fixture = try ServerFixture()
        defer { fixture.remove() }
        let asset = try #require(WebAssets.embedded[OpenAPIController.asset])
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let plain = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(plain.status == .ok)
            #expect(plain.headers[.contentType] == "application/json")
            #expect(plain.headers[.eTag] == asset.entityTag)
            #expect(Array(plain.body.readableBytesView) == Self.bytes)

            let again = try await client.execute(
                uri: "/openapi.json", method: .get, headers: [.ifNoneMatch: asset.entityTag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)

            let gzipped = try await client.execute(uri: "/openapi.json", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(gzipped.status == .ok)
            #expect(gzipped.headers[.contentEncoding] == "gzip")
            #expect(gzipped.body.readableBytes < Self.bytes.count)

            // Beside it, a path next to it is still behind authentication.
            let other = try await client.execute(uri: "/haven/status", method: .get)
            #expect(other.status == .unauthorized)
        }
    }

    // MARK: Helpers

    static func parameterNames(in path: String) -> [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    static func collectReferences(in value: JSONValue, into references: inout [String]) {
        switch value {
        case .object(let members, _):
            for (key, member) in members {
                if key == "$ref", case .string(let reference) = member {
                    references.append(reference)
                } else {
                    collectReferences(in: member, into: &references)
                }
            }
        case .array(let items):
            for item in items { collectReferences(in: item, into: &references) }
        default:
            break
        }
    }

    /// The value a local JSON pointer reference (`#/components/schemas/Error`) names.
    static func resolve(_ reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node = root
        for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard case .object(let members, _) = node, let next = members[key] else { return nil }
            node = next
        }
        return node
    }
}
