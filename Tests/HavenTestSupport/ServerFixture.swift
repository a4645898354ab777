import Foundation
import HavenAgents
import HavenStore
import HavenIdentity
import HavenKnowledge
import HavenServer
import Hummingbird

/// A server environment on an in-memory catalog, with the owner's token already issued:
/// what the HTTP tests run the real router against.
public struct ServerFixture: Sendable {
    /// Peers are reached as the server reaches them: a peer that is down fails at once.
    static let peerHTTP = HavenServer.makePeerHTTPClient()

    public let environment: ServerEnvironment
    public let ownerKey: IdentityKey
    /// The owner's API token, as `haven init` would have printed it.
    public let ownerToken: String
    /// Holds `objects/`; remove it with ``remove()``.
    public let directory: TemporaryDirectory

    /// - Parameters:
    ///   - toolBox: replaces the built-in tools (agents and `/mcp` use it), for tests.
    ///   - embedder: replaces the model that embeds passages for the index, for tests.
    ///   - dataKey: makes the home encrypted at rest: columns and chunk files sealed under it.
    public init(
        configuration: Configuration = Configuration(), toolBox: (any ToolBox)? = nil, embedder: (any Embedder)? = nil,
        dataKey: DataKey? = nil
    ) throws {
        let catalog = try Catalog.inMemory(dataKey: dataKey)
        let token = APIToken.generate()
        _ = try catalog.insertToken(token, name: "owner", principal: .owner, createdAt: Date())
        ownerKey = IdentityKey()
        ownerToken = token.stringValue
        directory = try TemporaryDirectory()
        environment = try ServerEnvironment(
            catalog: catalog, ownerKey: ownerKey, configuration: configuration,
            modelsDirectory: directory.path + "/models", objectsDirectory: directory.path + "/objects",
            embedder: embedder, toolBox: toolBox, http: Self.peerHTTP)
    }

    /// Removes the fixture's files.
    public func remove() {
        directory.remove()
    }

    public var catalog: Catalog { environment.catalog }

    /// The real router, middleware included.
    public func makeRouter() -> Router<HavenRequestContext> {
        HavenRouter.build(environment: environment)
    }

    /// Issues a token for `app:NAME` directly in the catalog.
    public func makeAppToken(name: String) throws -> String {
        let token = APIToken.generate()
        _ = try catalog.insertToken(token, name: name, principal: .app(name), createdAt: Date())
        return token.stringValue
    }
}

extension HTTPFields {
    /// Headers carrying `Authorization: Bearer TOKEN`.
    public static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)"]
    }
}
