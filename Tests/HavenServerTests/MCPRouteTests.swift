import Foundation
import HavenAgents
import HavenIdentity
import HavenInference
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// `/mcp` through the real router: JSON-RPC over Streamable HTTP (stateless), tools and
/// resources delegated to a ToolBox with the caller's principal.
@Suite struct MCPRouteTests {
    let toolBox: RecordingToolBox
    let fixture: ServerFixture

    init() throws {
        toolBox = RecordingToolBox()
        fixture = try ServerFixture(toolBox: toolBox)
    }

    @Test func theInitializeHandshakeNamesHavenAndOffersToolsAndResources() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.mcp(
                "initialize",
                params: #"{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}"#,
                token: fixture.ownerToken)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(!response.headers.contains { $0.name.canonicalName == "mcp-session-id" }, "the server keeps no sessions")
            let result = try #require(try response.body.json(JSONValue.self)["result"])
            #expect(result["protocolVersion"] == .string("2025-06-18"))
            #expect(result["serverInfo"]?["name"] == .string("haven"))
            #expect(result["serverInfo"]?["version"] == .string(HavenServer.version))
            #expect(result["capabilities"]?["tools"] != nil)
            #expect(result["capabilities"]?["resources"] != nil)
            #expect(result["instructions"]?.stringValue?.contains("write_note") == true)

            let initialized = try await client.mcp(notification: "notifications/initialized", token: fixture.ownerToken)
            #expect(initialized.status == .accepted)
        }
    }

    @Test func toolsListShowsTheFourMCPToolsAndNotTheAgentsMemory() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.mcp("tools/list", token: fixture.ownerToken)
            #expect(response.status == .ok)
            guard case .array(let tools)? = try response.body.json(JSONValue.self)["result"]?["tools"] else {
                Issue.record("no tools in \(String(buffer: response.body))")
                return
            }
            #expect(tools.compactMap { $0["name"]?.stringValue } == ["search", "read", "list", "write_note"])
            let search = try #require(tools.first)
            #expect(search["description"] == .string(BuiltInTools.search.description))
            #expect(search["inputSchema"]?["required"] == .array([.string("query")]))
            #expect(search["inputSchema"]?["properties"]?["k"]?["default"] == .number(5))
        }
        #expect(await toolBox.calls.isEmpty)
    }

    @Test func toolsCallRunsTheToolForTheCallersPrincipal() async throws {
        let app = try fixture.makeAppToken(name: "laptop")
        await toolBox.answer(
            "search",
            with: ToolResult(text: "1 passage", content: .object(["hits": .array([.string("/notes/a.md")])], order: ["hits"])))
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.mcp(
                "tools/call", params: #"{"name":"search","arguments":{"query":"trip","k":3}}"#, token: app)
            #expect(response.status == .ok)
            let result = try #require(try response.body.json(JSONValue.self)["result"])
            #expect(result["content"]?.firstText == "1 passage")
            #expect(result["structuredContent"]?["hits"] == .array([.string("/notes/a.md")]))
            #expect(result["isError"] == .bool(false))
        }
        let calls = await toolBox.calls
        #expect(calls.count == 1)
        #expect(calls.first?.name == "search")
        #expect(calls.first?.caller == ToolCaller(principal: .app("laptop")))
        #expect(calls.first?.arguments["query"] == .string("trip"))
        #expect(calls.first?.arguments["k"] == .number(3))
    }

    @Test func concurrentRequestsWithTheSameIDEachRunForTheirOwnCaller() async throws {
        let names = ["one", "two", "three", "four"]
        let tokens = try names.map { try fixture.makeAppToken(name: $0) }
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for token in tokens {
                    group.addTask {
                        try await client.mcp(
                            "tools/call", params: #"{"name":"search","arguments":{"query":"x"}}"#, token: token
                        ).status
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
        }
        let principals = await toolBox.calls.map(\.caller.principal)
        #expect(Set(principals) == Set(names.map(Principal.app)))
        #expect(principals.count == names.count)
    }

    @Test func aToolRefusalIsAnErrorResultForTheOwner() async throws {
        await toolBox.answer("read", with: .error("no file at /nowhere.md"))
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.mcp(
                "tools/call", params: #"{"name":"read","arguments":{"path":"/nowhere.md"}}"#, token: fixture.ownerToken)
            let result = try #require(try response.body.json(JSONValue.self)["result"])
            #expect(result["isError"] == .bool(true))
            #expect(result["content"]?.firstText == "no file at /nowhere.md")
        }
        #expect(await toolBox.calls.first?.caller.principal == .owner)
    }

    @Test func argumentsReachTheToolExactlyAsSent() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            // The SDK would decode this string as binary data; the tool must see the text.
            let response = try await client.mcp(
                "tools/call", params: #"{"name":"write_note","arguments":{"name":"link.md","text":"data:,hello"}}"#,
                token: fixture.ownerToken)
            #expect(response.status == .ok)
        }
        #expect(await toolBox.calls.first?.arguments["text"] == .string("data:,hello"))
    }

    @Test(arguments: ["remember", "recall", "no_such_tool"])
    func aToolMCPDoesNotOfferIsAnInvalidParamsError(name: String) async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.mcp(
                "tools/call", params: #"{"name":"\#(name)","arguments":{}}"#, token: fixture.ownerToken)
            let error = try #require(try response.body.json(JSONValue.self)["error"])
            #expect(error["code"] == .number(-32602))
            #expect(error["message"]?.stringValue?.contains(name) == true)
        }
        #expect(await toolBox.calls.isEmpty)
    }

    @Test func aFailingToolBoxIsAnInternalErrorThatNamesNoInternals() async throws {
        await toolBox.fail("search")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.mcp(
                "tools/call", params: #"{"name":"search","arguments":{"query":"x"}}"#, token: fixture.ownerToken)
            let error = try #require(try response.body.json(JSONValue.self)["error"])
            #expect(error["code"] == .number(-32603))
            #expect(error["message"]?.stringValue?.contains("secret") == false)
        }
    }

    @Test func resourcesAreTheFilesTheCallerMayListWalkedThroughTheListTool() async throws {
        let app = try fixture.makeAppToken(name: "phone")
        await toolBox.answer(
            "list", path: "/",
            with: .listing("/", [("notes", "/notes", "directory", nil), ("todo.txt", "/todo.txt", "file", "text/plain")]))
        await toolBox.answer(
            "list", path: "/notes",
            with: .listing("/notes", [("my idea.md", "/notes/my idea.md", "file", "text/markdown")]))
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.mcp("resources/list", token: app)
            guard case .array(let resources)? = try response.body.json(JSONValue.self)["result"]?["resources"] else {
                Issue.record("no resources in \(String(buffer: response.body))")
                return
            }
            #expect(resources.compactMap { $0["uri"]?.stringValue } == ["haven:///todo.txt", "haven:///notes/my%20idea.md"])
            #expect(resources.compactMap { $0["mimeType"]?.stringValue } == ["text/plain", "text/markdown"])
        }
        let calls = await toolBox.calls
        #expect(calls.map(\.name) == ["list", "list"])
        #expect(calls.map { $0.arguments["path"] } == [.string("/"), .string("/notes")])
        #expect(calls.allSatisfy { $0.caller.principal == .app("phone") })
    }

    @Test func aResourceIsReadThroughTheReadTool() async throws {
        await toolBox.answer(
            "read",
            with: ToolResult(
                text: "# Idea", content: .object(["text": .string("# Idea"), "media_type": .string("text/markdown")], order: [])))
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.mcp(
                "resources/read", params: #"{"uri":"haven:///notes/my%20idea.md"}"#, token: fixture.ownerToken)
            guard case .array(let contents)? = try response.body.json(JSONValue.self)["result"]?["contents"] else {
                Issue.record("no contents in \(String(buffer: response.body))")
                return
            }
            #expect(contents.first?["uri"] == .string("haven:///notes/my%20idea.md"))
            #expect(contents.first?["text"] == .string("# Idea"))
            #expect(contents.first?["mimeType"] == .string("text/markdown"))
        }
        #expect(await toolBox.calls.first?.arguments["path"] == .string("/notes/my idea.md"))
    }

    @Test func aResourceTheReadToolRefusesIsNotFound() async throws {
        await toolBox.answer("read", with: .error("app:phone may not read /private.md"))
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let refused = try await client.mcp(
                "resources/read", params: #"{"uri":"haven:///private.md"}"#, token: fixture.ownerToken)
            let error = try #require(try refused.body.json(JSONValue.self)["error"])
            #expect(error["code"] == .number(-32002))
            #expect(error["message"]?.stringValue?.contains("may not read") == true)

            let foreign = try await client.mcp(
                "resources/read", params: #"{"uri":"file:///etc/passwd"}"#, token: fixture.ownerToken)
            #expect(try foreign.body.json(JSONValue.self)["error"]?["code"] == .number(-32602))
        }
        #expect(await toolBox.calls.count == 1, "a URI outside haven:// never reaches a tool")
    }

    @Test func withoutATokenMCPIs401InTheJSONErrorShape() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: MCPTestClient.headers(token: nil),
                body: ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#))
            #expect(response.status == .unauthorized)
            #expect(try ErrorBody(response.body).error.code == "missing_token")
        }
        #expect(await toolBox.calls.isEmpty)
    }

    @Test func getAndDeleteAre405BecauseThereAreNoStreamsOrSessions() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            for method in [HTTPRequest.Method.get, .delete] {
                var headers = HTTPFields.bearer(fixture.ownerToken)
                headers[.accept] = "text/event-stream"
                let response = try await client.execute(uri: "/mcp", method: method, headers: headers)
                #expect(response.status == .methodNotAllowed, "\(method)")
                #expect(response.headers[.allow] == "POST")
            }
        }
    }

    @Test func aForeignHostIsRefusedAgainstDNSRebinding() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            var headers = MCPTestClient.headers(token: fixture.ownerToken)
            headers[.origin] = "http://evil.example"
            let response = try await client.execute(
                uri: "/mcp", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#))
            #expect(response.status == .forbidden)
        }
        #expect(await toolBox.calls.isEmpty)
    }
}

/// A ToolBox that records every call and answers from a script.
actor RecordingToolBox: ToolBox {
    struct Call: Sendable {
        let name: String
        let arguments: JSONValue
        let caller: ToolCaller
    }

    private struct Failure: Error {
        let detail = "secret internals"
    }

    nonisolated let definitions = BuiltInTools.all
    private(set) var calls: [Call] = []
    private var answers: [String: ToolResult] = [:]
    private var failing: Set<String> = []

    /// Answers calls of `name` (with `path` as their `path` argument, if given) with `result`.
    func answer(_ name: String, path: String? = nil, with result: ToolResult) {
        answers[path.map { "\(name) \($0)" } ?? name] = result
    }

    /// Makes calls of `name` throw, as a failure of the server itself would.
    func fail(_ name: String) {
        failing.insert(name)
    }

    func call(_ name: String, arguments: JSONValue, for caller: ToolCaller) async throws -> ToolResult {
        calls.append(Call(name: name, arguments: arguments, caller: caller))
        if failing.contains(name) { throw Failure() }
        let key = arguments["path"]?.stringValue.map { "\(name) \($0)" }
        return key.flatMap { answers[$0] } ?? answers[name] ?? .error("nothing scripted for \(name)")
    }
}

extension ToolResult {
    /// A `list` answer in the shape of a `/data` listing: (name, path, type, media type) per entry.
    static func listing(_ path: String, _ entries: [(String, String, String, String?)]) -> ToolResult {
        let values = entries.map { name, path, type, mediaType in
            JSONValue.object(
                [
                    "name": .string(name), "path": .string(path), "type": .string(type),
                    "media_type": mediaType.map(JSONValue.string) ?? .null,
                ],
                order: ["name", "path", "type", "media_type"])
        }
        return ToolResult(
            text: entries.map(\.1).joined(separator: "\n"),
            content: .object(["path": .string(path), "entries": .array(values)], order: ["path", "entries"]))
    }
}

extension JSONValue {
    /// The text of the first item of MCP content, if it is text.
    var firstText: String? {
        guard case .array(let items) = self, items.first?["type"] == .string("text") else { return nil }
        return items.first?["text"]?.stringValue
    }
}

/// JSON-RPC over `/mcp` as an MCP client sends it.
enum MCPTestClient {
    static func headers(token: String?) -> HTTPFields {
        var headers = token.map(HTTPFields.bearer) ?? HTTPFields()
        headers[.accept] = "application/json, text/event-stream"
        headers[.contentType] = "application/json"
        return headers
    }
}

extension TestClientProtocol {
    /// Sends one JSON-RPC request with id 1.
    func mcp(_ method: String, params: String = "{}", token: String) async throws -> TestResponse {
        try await execute(
            uri: "/mcp", method: .post, headers: MCPTestClient.headers(token: token),
            body: ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#))
    }

    /// Sends one JSON-RPC notification.
    func mcp(notification method: String, token: String) async throws -> TestResponse {
        try await execute(
            uri: "/mcp", method: .post, headers: MCPTestClient.headers(token: token),
            body: ByteBuffer(string: #"{"jsonrpc":"2.0","method":"\#(method)"}"#))
    }
}
