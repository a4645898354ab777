import HavenAgents
import Hummingbird
import MCP

/// `/mcp`: Haven as a Model Context Protocol server over Streamable HTTP, for AI clients holding
/// an API token.
///
/// Stateless: every POST carries one JSON-RPC message and gets one JSON answer (202 for a
/// notification), so there are no sessions to keep, and GET (a server-to-client event stream)
/// and DELETE (ending a session) answer 405. Each request runs on an SDK server of its own,
/// whose tool and resource handlers act for the caller the bearer token names.
struct MCPController: Sendable {
    static let path = "mcp"

    let mcp: HavenMCPServer
    /// The SDK's checks before a message is handled: `Host` and `Origin` (DNS rebinding),
    /// `Accept`, `Content-Type` and `MCP-Protocol-Version`.
    let validation: any HTTPRequestValidationPipeline

    init(toolBox: any ToolBox, configuration: Configuration) {
        self.mcp = HavenMCPServer(toolBox: toolBox)
        self.validation = StandardValidationPipeline(validators: [
            Self.originValidator(host: configuration.host),
            AcceptHeaderValidator(mode: .jsonOnly),
            ContentTypeValidator(),
            ProtocolVersionValidator(),
        ])
    }

    func addRoutes(to router: Router<HavenRequestContext>) {
        router.post(RouterPath(Self.path), use: handle)
        router.get(RouterPath(Self.path), use: handle)
        router.delete(RouterPath(Self.path), use: handle)
    }

    @Sendable func handle(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let authentication = try context.requireAuthentication()
        let caller = ToolCaller(principal: authentication.principal, capability: authentication.capability)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let server = await mcp.server(for: caller, logger: context.logger)
        let transport = StatelessHTTPServerTransport(validationPipeline: validation, logger: context.logger)
        do {
            try await server.start(transport: transport)
        } catch {
            await server.stop()
            throw error
        }
        let response = await transport.handleRequest(MCPHTTPBridge.request(request, body: body))
        return await MCPHTTPBridge.response(response) { await server.stop() }
    }

    /// Requests must name this server in `Host` (and, from a browser, come from a page of it in
    /// `Origin`): the loopback names and the configured host, with or without a port. A
    /// wildcard bind has no one name to check, and the bearer token still guards every request.
    private static func originValidator(host: String) -> OriginValidator {
        if ["0.0.0.0", "::", "[::]"].contains(host) { return .disabled }
        let configured = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let names = Set(["127.0.0.1", "localhost", "[::1]", configured]).sorted()
        let hosts = names.flatMap { [$0, "\($0):*"] }
        return OriginValidator(
            allowedHosts: hosts, allowedOrigins: hosts.flatMap { ["http://\($0)", "https://\($0)"] })
    }
}
