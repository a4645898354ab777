import Foundation
import HavenAgents
import HavenInference
import Logging
import MCP

/// What Haven offers over MCP: its name and instructions, four of the ToolBox's tools, and the
/// owner's files as resources, all answered with the rights of one caller.
///
/// The SDK's `Server` has no notion of who sent a request, so each HTTP request gets a server of
/// its own whose handlers carry the caller. That also leaves nothing shared between requests to
/// lock, bound or expire.
struct HavenMCPServer: Sendable {
    /// The ToolBox tools MCP clients see; the agents' memory tools (`remember`, `recall`) stay
    /// with the agents.
    static let toolNames: Set<String> = ["search", "read", "list", "write_note"]

    static let instructions = """
        Haven is a personal server: the owner's files, notes and knowledge, with access control. \
        Everything here runs with the rights of the token you connected with. \
        Tools: `search` finds passages relevant to a query in the data you may read; \
        `read` returns a file's text by its path (such as /notes/idea.md); \
        `list` shows the files and directories in a directory (start at /); \
        `write_note` saves a short text note under a file name such as idea.md. \
        Resources are the files you may read, with URIs like haven:///notes/idea.md.
        """

    let toolBox: any ToolBox
    let resources: MCPResources

    init(toolBox: any ToolBox) {
        self.toolBox = toolBox
        self.resources = MCPResources(toolBox: toolBox)
    }

    /// The tools on offer: the ToolBox's definitions named in ``toolNames``, in its order.
    var tools: [Tool] {
        toolBox.definitions.filter { Self.toolNames.contains($0.name) }.map { definition in
            Tool(name: definition.name, description: definition.description, inputSchema: definition.parameters.mcpValue)
        }
    }

    /// An SDK server whose handlers act for `caller`. Start it on a transport for one request,
    /// then stop it.
    func server(for caller: ToolCaller, logger: Logger) async -> Server {
        let server = Server(
            name: "haven", version: HavenServer.version, instructions: Self.instructions,
            capabilities: .init(
                resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: tools)
        }
        await server.withMethodHandler(CallTool.self) { parameters in
            try await answering(logger) { try await call(parameters, for: caller) }
        }
        await server.withMethodHandler(ListResources.self) { _ in
            try await answering(logger) { ListResources.Result(resources: try await resources.list(for: caller)) }
        }
        await server.withMethodHandler(ReadResource.self) { parameters in
            let uri = try HavenResourceURI(parsing: parameters.uri)
            return try await answering(logger) {
                ReadResource.Result(contents: [try await resources.read(uri, for: caller)])
            }
        }
        return server
    }

    /// Runs one of the offered tools for `caller`. A refusal or a bad argument is a result with
    /// `isError`, as the ToolBox gives it; an unknown name is a protocol error.
    func call(_ parameters: CallTool.Parameters, for caller: ToolCaller) async throws -> CallTool.Result {
        let offered = Self.toolNames.contains(parameters.name)
        guard offered, toolBox.definitions.contains(where: { $0.name == parameters.name }) else {
            throw MCPError.invalidParams("there is no tool named '\(parameters.name)'; tools/list shows the tools")
        }
        let result = try await toolBox.call(parameters.name, arguments: Self.arguments(of: parameters), for: caller)
        return CallTool.Result(
            content: [.text(text: result.text, annotations: nil, _meta: nil)],
            structuredContent: result.content.map(Self.structuredContent), isError: result.isError)
    }

    /// The call's arguments exactly as the client sent them, read from the request's bytes when
    /// the transport has them: the SDK's own decoding turns strings that look like data URLs
    /// into binary data, which would change a note's text.
    private static func arguments(of parameters: CallTool.Parameters) -> JSONValue {
        if let body = Server.currentHandlerContext?.httpContext?.body,
            let request = try? JSONDecoder().decode(RawCallRequest.self, from: body),
            request.params.name == parameters.name
        {
            return request.params.arguments ?? .object([:], order: [])
        }
        let arguments = parameters.arguments ?? [:]
        return .object(arguments.mapValues(JSONValue.init), order: arguments.keys.sorted())
    }

    /// MCP's structured content is a JSON object; anything else is wrapped as `{"result": …}`.
    private static func structuredContent(_ content: JSONValue) -> Value {
        if case .object = content { return content.mcpValue }
        return .object(["result": content.mcpValue])
    }

    /// Runs a handler's work, turning a failure of the server itself into an internal error that
    /// names no internals (they go to the log, with the request id); protocol errors and
    /// cancellation pass through.
    private func answering<Result>(_ logger: Logger, _ work: () async throws -> Result) async throws -> Result {
        do {
            return try await work()
        } catch let error as MCPError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.error("MCP request failed", metadata: ["error": "\(error)"])
            throw MCPError.internalError("the server could not answer; the server's log has the details")
        }
    }
}

/// The part of a raw `tools/call` request that carries the arguments.
private struct RawCallRequest: Decodable {
    struct Parameters: Decodable {
        let name: String
        let arguments: JSONValue?
    }

    let params: Parameters
}
