import HavenAgents
import Hummingbird

/// Builds the router: the middleware chain every request passes through, and the routes.
///
/// Middleware, outermost first: request logging, `X-Request-Id`, browser security headers,
/// request metrics, JSON errors, the body limit, then authentication, so even a 401 or an unknown path gets the
/// JSON error shape, an id and the headers.
public enum HavenRouter {
    /// `/exchange/v1/` authenticates servers by their request signatures instead of tokens;
    /// `/.well-known/haven` is public. `agentModel` replaces the engine behind agents, for tests.
    public static func build(
        environment: ServerEnvironment,
        agentModel: (@Sendable (AgentDefinition, Authentication) throws -> any AgentModel)? = nil
    ) -> Router<HavenRequestContext> {
        let router = Router(context: HavenRequestContext.self)
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: environment.metrics))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: AnthropicErrorMiddleware())
        router.add(
            middleware: BodyLimitMiddleware(
                maxBytes: environment.configuration.maxRequestBodyBytes,
                maxUploadBytes: environment.configuration.maxUploadBytes))
        router.add(
            middleware: AuthenticationMiddleware(
                authenticator: TokenAuthenticator(catalog: environment.catalog, owner: environment.owner),
                sessions: SessionAuthenticator(catalog: environment.catalog),
                cookie: SessionCookie(owner: environment.owner),
                publicPaths: [HealthController.path, WellKnownController.path, OpenAPIController.path],
                secure: environment.configuration.tlsCertificate != nil,
                publicURL: environment.configuration.publicURL,
                failures: environment.authenticationFailures))
        router.add(middleware: ModelDefaultsMiddleware(catalog: environment.catalog))

        HealthController().addRoutes(to: router)
        MetricsController(environment: environment).addRoutes(to: router)
        WebController(configuration: environment.configuration).addRoutes(to: router)
        OpenAPIController(web: WebController(configuration: environment.configuration)).addRoutes(to: router)
        SessionController(environment: environment).addRoutes(
            session: router.group("haven/session"), sessions: router.group("haven/sessions"),
            loginLinks: router.group("haven/login-links"))
        StatusController(environment: environment).addRoutes(to: router.group("haven"))
        TokenController(catalog: environment.catalog).addRoutes(to: router.group("haven/tokens"))
        GrantController(catalog: environment.catalog, upstreamModels: environment.upstreams.modelNames).addRoutes(to: router.group("haven/grants"))
        ShareController(catalog: environment.catalog, ownerKey: environment.ownerKey)
            .addRoutes(to: router.group("haven/shares"))
        AuditController(
            audit: environment.audit, anchoring: environment.auditAnchoring,
            witnesses: environment.witnesses
        ).addRoutes(to: router.group("haven/audit"))
        StoreController(store: environment.store).addRoutes(to: router.group("haven/store"))
        DataController(
            store: environment.store, gate: environment.gate, indexer: environment.indexer,
            maxUploadBytes: environment.configuration.maxUploadBytes
        ).addRoutes(to: router)
        SearchController(environment: environment).addRoutes(to: router.group("haven"))
        let agents = AgentService(environment: environment, model: agentModel)
        AgentController(environment: environment, service: agents).addRoutes(to: router.group("haven"))
        ModelController(service: environment.inference).addRoutes(to: router.group("haven/models"))
        JobController(environment: environment).addRoutes(to: router.group("haven/jobs"))
        OpenAIController(service: environment.inference, agents: agents).addRoutes(to: router.group("v1"))
        ResponsesController(service: environment.inference).addRoutes(to: router.group("v1"))
        OllamaController(service: environment.inference).addRoutes(to: router.group("api"))
        AnthropicController(service: environment.inference).addRoutes(to: router.group("v1"))
        MCPController(toolBox: environment.toolBox, configuration: environment.configuration).addRoutes(to: router)
        WellKnownController(environment: environment).addRoutes(to: router)
        ExchangeController(environment: environment, agents: agents).addRoutes(to: router)
        PeerController(environment: environment).addRoutes(to: router.group("haven/peers"))
        PullController(environment: environment).addRoutes(to: router.group("haven/pulls"))
        MirrorController(environment: environment).addRoutes(to: router.group("haven/mirrors"))
        LedgerController(ledger: environment.ledger, catalog: environment.catalog).addRoutes(public: router, api: router.group("haven/ledger"))
        OwnershipController(environment: environment).addRoutes(to: router.group("haven/own"))
        WitnessController(environment: environment).addRoutes(public: router, api: router.group("haven/witness"))
        MarketController(environment: environment).addRoutes(to: router.group("haven/market"))
        SalesController(environment: environment).addRoutes(to: router.group("haven/market"))
        BackupController(environment: environment).addRoutes(to: router.group("haven/backups"))
        ExportController(environment: environment).addRoutes(to: router.group("haven/export"))
        MessageController(environment: environment)
            .addRoutes(messages: router.group("haven/messages"), inbox: router.group("haven/inbox"))
        return router
    }
}
