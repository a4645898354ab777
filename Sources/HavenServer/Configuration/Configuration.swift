import Foundation
import HavenInference
import Logging

/// Every setting of a Haven server, resolved once at start-up and passed down explicitly.
///
/// Each setting is read from the first source that has it: command-line flags, then `HAVEN_*`
/// environment variables, then `haven.toml` in the data directory, then the default. Resolution
/// is a pure function of those three inputs, so it is tested without touching the process.
public struct Configuration: Sendable, Equatable {
    /// Address the HTTP server binds to; loopback unless the owner says otherwise.
    public var host: String = "127.0.0.1"
    /// TCP port of the HTTP server; 0 asks the system for a free one.
    public var port: Int = 8420
    /// Least severe level that is logged.
    public var logLevel: Logger.Level = .info
    /// Largest request body the API decodes (JSON requests); larger ones get 413.
    public var maxRequestBodyBytes: Int = 1 << 20
    /// Largest file body accepted by `PUT /data/…` (streamed, never held in memory); larger
    /// ones get 413.
    public var maxUploadBytes: Int = 64 << 30
    /// Sequences each loaded model decodes together (continuous batching).
    public var parallel: Int = 4
    /// Tokens of context per request (prompt and answer), capped by the model's training length.
    public var contextPerSequence: Int = 2048
    /// Requests that may wait for a busy model before the server answers 429.
    public var queueLimit: Int = 64
    /// CPU threads for inference; 0 uses every core.
    public var threads: Int = 0
    /// How long an idle model stays loaded; `nil` keeps it until the server stops.
    public var keepAlive: Duration? = .seconds(300)
    /// Bytes all loaded models may take together; `nil` for no limit.
    public var memoryBudget: Int64? = Int64(ProcessInfo.processInfo.physicalMemory / 4 * 3)
    /// The installed model that embeds passages for search; `nil` uses the first installed
    /// model (by name).
    public var embeddingModel: String?
    /// The URL peers reach this server at, and what signatures on requests to it cover;
    /// `nil` uses `http(s)://host:port`.
    public var publicURL: String?
    /// The name this server gives itself in `/.well-known/haven`.
    public var serverName: String = "haven"
    /// PEM certificate chain and private key for HTTPS; both or neither.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// How old a peer's signature may be (`created`), and how far clocks may disagree.
    public var signatureWindow: Int = 300
    public var signatureSkew: Int = 60
    /// Seconds a web session lasts without a request, and at most in any case.
    public var sessionIdleTimeout: Int = 12 * 3_600
    /// Seconds between checks of the logs this server witnesses (and retries of pushing this
    /// log's checkpoint to its witnesses).
    public var witnessInterval: Int = 300
    public var sessionLifetime: Int = 7 * 86_400
    /// Serve the web app from this directory instead of the copy compiled in (for developing it).
    public var webDirectory: String?
    /// Failed authentications one client address may make within `authFailureWindow` seconds
    /// before it is answered 429 for a while; 0 turns throttling off.
    public var authFailureLimit: Int = 30
    public var authFailureWindow: Int = 60
    /// Seconds of the first throttling; each further one doubles, up to `authPenaltyMax`.
    public var authPenalty: Int = 30
    public var authPenaltyMax: Int = 900
    /// OpenAI-compatible servers whose models Haven serves as its own (`[[inference.upstream]]`).
    public var upstreams: [UpstreamConfiguration] = []

    /// Where chunks are kept.
    public var storeBackend: StoreBackend = .files
    /// The S3-compatible bucket of `[store]`, when one is configured (required by the `s3`
    /// backend, and the target of `haven store migrate --to s3`).
    public var s3: S3StoreSettings?
    /// The most bytes the local cache of chunks read from the bucket may take (`s3` backend
    /// only); 0 turns the cache off.
    public var storeCacheBytes: Int64 = 1 << 30

    /// The throttling of clients that fail to authenticate, as these values set it.
    public var authenticationThrottle: AuthenticationThrottle.Policy {
        AuthenticationThrottle.Policy(
            failureLimit: authFailureLimit, window: .seconds(authFailureWindow), penalty: .seconds(authPenalty),
            maximumPenalty: .seconds(authPenaltyMax))
    }

    /// The URL peers use: the configured `public_url`, else this server's own address.
    public var effectivePublicURL: String {
        if let publicURL { return publicURL }
        let scheme = tlsCertificate == nil ? "http" : "https"
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(scheme)://\(host):\(port)"
    }

    /// The defaults, as written (commented out) into a new `haven.toml`.
    public init() {}

    /// The engine settings these values imply.
    public var engineConfiguration: EngineConfiguration {
        var engine = EngineConfiguration()
        engine.parallel = parallel
        engine.contextPerSequence = contextPerSequence
        engine.queueLimit = queueLimit
        if threads > 0 { engine.threads = threads }
        return engine
    }

    /// Values given on the command line; `nil` means "not given".
    public struct Overrides: Sendable, Equatable {
        public var host: String?
        public var port: Int?
        public var logLevel: Logger.Level?
        public var parallel: Int?
        public var publicURL: String?
        public var tlsCertificate: String?
        public var tlsKey: String?
        public var webDirectory: String?

        public init(
            host: String? = nil, port: Int? = nil, logLevel: Logger.Level? = nil, parallel: Int? = nil,
            publicURL: String? = nil, tlsCertificate: String? = nil, tlsKey: String? = nil, webDirectory: String? = nil
        ) {
            self.host = host
            self.port = port
            self.logLevel = logLevel
            self.parallel = parallel
            self.publicURL = publicURL
            self.tlsCertificate = tlsCertificate
            self.tlsKey = tlsKey
            self.webDirectory = webDirectory
        }
    }

    /// Resolves the configuration from flags, the environment and the text of `haven.toml`.
    ///
    /// - Throws: ``ConfigurationError`` naming the source and the setting of the first bad value.
    public static func resolve(
        overrides: Overrides = Overrides(),
        environment: [String: String] = [:],
        file: String? = nil
    ) throws(ConfigurationError) -> Configuration {
        let contents = try file.map { text throws(ConfigurationError) in try ConfigurationFile.read(text) }
        let fileValues = contents?.values ?? [:]
        var configuration = Configuration()
        configuration.upstreams = contents?.upstreams ?? []

        func value<Value>(_ setting: Setting<Value>, override: Value?) throws(ConfigurationError) -> Value? {
            if let override { return override }
            if let text = environment[setting.environmentVariable] {
                guard let parsed = setting.parse(text) else {
                    throw .invalidValue(setting: setting.environmentVariable, value: text, expected: setting.expected)
                }
                return parsed
            }
            if let text = fileValues[setting.key] {
                guard let parsed = setting.parse(text) else {
                    throw .invalidValue(setting: "\(setting.key) in haven.toml", value: text, expected: setting.expected)
                }
                return parsed
            }
            return nil
        }

        if let host = try value(.host, override: overrides.host) { configuration.host = host }
        if let port = try value(.port, override: overrides.port) { configuration.port = port }
        if let level = try value(.logLevel, override: overrides.logLevel) { configuration.logLevel = level }
        if let bytes = try value(.maxRequestBody, override: nil) { configuration.maxRequestBodyBytes = bytes }
        if let bytes = try value(.maxUpload, override: nil) { configuration.maxUploadBytes = bytes }
        if let parallel = try value(.parallel, override: overrides.parallel) { configuration.parallel = parallel }
        if let context = try value(.context, override: nil) { configuration.contextPerSequence = context }
        if let queue = try value(.queueLimit, override: nil) { configuration.queueLimit = queue }
        if let threads = try value(.threads, override: nil) { configuration.threads = threads }
        if let keepAlive = try value(.keepAlive, override: nil) {
            if case .duration(let duration) = keepAlive { configuration.keepAlive = duration } else { configuration.keepAlive = nil }
        }
        if let budget = try value(.memoryBudget, override: nil) { configuration.memoryBudget = budget }
        if let model = try value(.embeddingModel, override: nil) { configuration.embeddingModel = model }
        let publicURL = try overrides.publicURL.map { text throws(ConfigurationError) in
            guard let parsed = Setting<String>.publicURL.parse(text) else {
                throw .invalidValue(setting: "--public-url", value: text, expected: Setting<String>.publicURL.expected)
            }
            return parsed
        }
        if let url = try value(.publicURL, override: publicURL) { configuration.publicURL = url }
        if let name = try value(.serverName, override: nil) { configuration.serverName = name }
        if let path = try value(.tlsCertificate, override: overrides.tlsCertificate) { configuration.tlsCertificate = path }
        if let path = try value(.tlsKey, override: overrides.tlsKey) { configuration.tlsKey = path }
        if let seconds = try value(.signatureWindow, override: nil) { configuration.signatureWindow = seconds }
        if let seconds = try value(.signatureSkew, override: nil) { configuration.signatureSkew = seconds }
        if let seconds = try value(.sessionIdle, override: nil) { configuration.sessionIdleTimeout = seconds }
        if let seconds = try value(.sessionLifetime, override: nil) { configuration.sessionLifetime = seconds }
        if let seconds = try value(.witnessInterval, override: nil) { configuration.witnessInterval = seconds }
        if let limit = try value(.authFailureLimit, override: nil) { configuration.authFailureLimit = limit }
        if let seconds = try value(.authFailureWindow, override: nil) { configuration.authFailureWindow = seconds }
        if let seconds = try value(.authPenalty, override: nil) { configuration.authPenalty = seconds }
        if let seconds = try value(.authPenaltyMax, override: nil) { configuration.authPenaltyMax = seconds }
        configuration.webDirectory = overrides.webDirectory
        if let backend = try value(.storeBackend, override: nil) { configuration.storeBackend = backend }
        let endpoint = try value(.s3Endpoint, override: nil)
        let bucket = try value(.s3Bucket, override: nil)
        let credentials = try value(.s3CredentialsFile, override: nil)
        let region = try value(.s3Region, override: nil)
        let prefix = try value(.s3Prefix, override: nil)
        if let bytes = try value(.storeCacheBytes, override: nil) { configuration.storeCacheBytes = bytes }
        if endpoint != nil || bucket != nil || credentials != nil {
            guard let endpoint, let bucket, let credentials else {
                throw .invalidValue(
                    setting: "store.endpoint / store.bucket / store.credentials_file",
                    value: endpoint ?? bucket ?? credentials ?? "", expected: "all three, for an S3-compatible bucket")
            }
            var settings = S3StoreSettings(endpoint: endpoint, bucket: bucket, credentialsFile: credentials)
            if let region { settings.region = region }
            if let prefix { settings.prefix = prefix }
            configuration.s3 = settings
        }
        if configuration.storeBackend == .s3, configuration.s3 == nil {
            throw .invalidValue(
                setting: "store.backend", value: "s3", expected: "store.endpoint, store.bucket and store.credentials_file set too")
        }
        if configuration.sessionIdleTimeout > configuration.sessionLifetime {
            configuration.sessionIdleTimeout = configuration.sessionLifetime
        }
        guard (configuration.tlsCertificate == nil) == (configuration.tlsKey == nil) else {
            throw .invalidValue(
                setting: "server.tls_cert / server.tls_key", value: configuration.tlsCertificate ?? configuration.tlsKey ?? "",
                expected: "both a certificate and a key, or neither")
        }
        return configuration
    }

    /// ``template`` with `knowledge.embedding_model` set to `embeddingModel` when one is given.
    public static func template(embeddingModel: String?) -> String {
        guard let embeddingModel else { return template }
        let commented = "# embedding_model = \"smollm2-135m-instruct-q4_1\""
        return template.replacingOccurrences(of: commented, with: "embedding_model = \"\(embeddingModel)\"")
    }

    /// The text of a new `haven.toml`: every setting, commented out at its default.
    public static var template: String {
        let defaults = Configuration()
        return """
            # Haven configuration. Uncomment a line to change a setting.
            # Command-line flags and HAVEN_* environment variables override this file.

            [server]
            # Address to listen on. Keep the loopback address unless other machines must reach
            # this server; anything else exposes it to your network. (HAVEN_HOST, --host)
            # host = "\(defaults.host)"
            # TCP port. (HAVEN_PORT, --port)
            # port = \(defaults.port)
            # trace, debug, info, notice, warning, error or critical. (HAVEN_LOG_LEVEL, --log-level)
            # log_level = "\(defaults.logLevel)"
            # The URL other Havens reach this one at; signatures on their requests cover it.
            # Default: http://host:port (https with TLS). (HAVEN_PUBLIC_URL, --public-url)
            # public_url = "https://haven.example.org"
            # The name this server gives itself to peers. (HAVEN_NAME)
            # name = "\(defaults.serverName)"
            # HTTPS for a server that faces the internet: PEM certificate chain and key.
            # (HAVEN_TLS_CERT, HAVEN_TLS_KEY, --tls-cert, --tls-key)
            # tls_cert = "/etc/haven/cert.pem"
            # tls_key = "/etc/haven/key.pem"

            [exchange]
            # How old a peer's request signature may be, and the clock skew allowed, in seconds.
            # (HAVEN_SIGNATURE_WINDOW, HAVEN_SIGNATURE_SKEW)
            # signature_window = \(defaults.signatureWindow)
            # signature_skew = \(defaults.signatureSkew)

            [security]
            # Failed authentications (unknown, revoked or garbled tokens, ended sessions, bad
            # capabilities or signatures) one client address may make within the window before
            # it is answered 429 for a while; 0 turns this off. (HAVEN_AUTH_FAILURE_LIMIT)
            # auth_failure_limit = \(defaults.authFailureLimit)
            # auth_failure_window = "1m"
            # The first wait; each further one doubles, up to the most. Other clients are never
            # slowed. (HAVEN_AUTH_FAILURE_WINDOW, HAVEN_AUTH_PENALTY, HAVEN_AUTH_PENALTY_MAX)
            # auth_penalty = "30s"
            # auth_penalty_max = "15m"

            [ledger]
            # How often the logs this server witnesses are checked: "30s", "5m", "1h".
            # (HAVEN_WITNESS_INTERVAL)
            # witness_interval = "5m"

            [web]
            # How long a browser stays signed in without using Haven, and at most in any case:
            # "30m", "12h", "7d". (HAVEN_SESSION_IDLE, HAVEN_SESSION_LIFETIME)
            # session_idle = "12h"
            # session_lifetime = "7d"

            [limits]
            # Largest JSON request body accepted, e.g. "1MiB", "512KiB". (HAVEN_MAX_REQUEST_BODY)
            # max_request_body = "1MiB"
            # Largest file stored by one PUT /data/... (streamed to disk). (HAVEN_MAX_UPLOAD)
            # max_upload = "64GiB"

            [inference]
            # Requests each model serves at once (continuous batching). (HAVEN_PARALLEL, --parallel)
            # parallel = \(defaults.parallel)
            # Tokens of context per request, prompt and answer together. (HAVEN_CONTEXT)
            # context = \(defaults.contextPerSequence)
            # Requests that may wait for a busy model before the server answers 429. (HAVEN_QUEUE_LIMIT)
            # queue_limit = \(defaults.queueLimit)
            # CPU threads for inference; 0 uses every core. (HAVEN_THREADS)
            # threads = \(defaults.threads)
            # How long an idle model stays in memory: "30s", "5m", "1h"; "-1" keeps it. (HAVEN_KEEP_ALIVE)
            # keep_alive = "5m"
            # Memory all loaded models may use together, e.g. "8GiB"; "none" for no limit.
            # Default: three quarters of this machine's memory. (HAVEN_MEMORY_BUDGET)
            # memory_budget = "none"

            # Models on an OpenAI-compatible server (vLLM, llama-server, another Haven), served
            # as Haven's own under the same rights; repeat the table for more upstreams (several
            # may serve one model: Haven fails over between them). 'haven model add-upstream'
            # appends one. The key file must be mode 0600; the key never reaches a client.
            # [[inference.upstream]]
            # name = "gpu"
            # base_url = "http://10.0.0.5:8000/v1"
            # api_key_file = "/home/me/.haven/gpu.key"
            # models = ["qwen2.5-7b-instruct"]
            # timeout = "2m"

            [store]
            # Where chunks are kept: "files" (objects/ in this home) or "s3" (the bucket below).
            # Check a bucket with 'haven store check'. (HAVEN_STORE_BACKEND)
            # backend = "files"
            # An S3-compatible service (AWS, MinIO, Ceph RGW...), addressed path-style.
            # (HAVEN_S3_ENDPOINT, HAVEN_S3_BUCKET, HAVEN_S3_REGION)
            # endpoint = "https://s3.eu-central-1.amazonaws.com"
            # bucket = "my-haven"
            # region = "us-east-1"
            # An AWS-format credentials file ([default] aws_access_key_id, aws_secret_access_key),
            # mode 0600. (HAVEN_S3_CREDENTIALS_FILE)
            # credentials_file = "/etc/haven/s3-credentials"
            # What every chunk's key starts with. (HAVEN_S3_PREFIX)
            # prefix = "chunks/"
            # Chunks read from the bucket are kept in cache/chunks/ in this home, least recently
            # used evicted first, up to this size; 0 turns the cache off. (HAVEN_STORE_CACHE_BYTES)
            # cache_bytes = "1GiB"

            [knowledge]
            # The installed model that embeds passages for search: a sentence-embedding model
            # ('make run' installs all-MiniLM-L6-v2), or a chat model; default: the first
            # installed model by name. (HAVEN_EMBEDDING_MODEL)
            # embedding_model = "smollm2-135m-instruct-q4_1"

            """
    }
}

/// One setting: its key in `haven.toml`, its environment variable and how to parse its text.
struct Setting<Value>: Sendable {
    let key: String
    let environmentVariable: String
    let expected: String
    let parse: @Sendable (String) -> Value?
}

extension Setting where Value == String {
    static let host = Setting(
        key: "server.host", environmentVariable: "HAVEN_HOST", expected: "a host name or IP address"
    ) { text in
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed.contains(where: { $0.isWhitespace || $0 == "/" }) ? nil : trimmed
    }

    static let embeddingModel = Setting(
        key: "knowledge.embedding_model", environmentVariable: "HAVEN_EMBEDDING_MODEL",
        expected: "the name of an installed model (see 'haven model list')"
    ) { text in
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension Setting where Value == String {
    static let publicURL = Setting(
        key: "server.public_url", environmentVariable: "HAVEN_PUBLIC_URL",
        expected: "an absolute http(s) URL such as https://haven.example.org, without a path"
    ) { text in
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", components.host?.isEmpty == false,
            components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil
        else { return nil }
        return trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
    }

    static let serverName = Setting(
        key: "server.name", environmentVariable: "HAVEN_NAME", expected: "1 to 64 printable characters"
    ) { text in
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return (1...64).contains(trimmed.count) && !trimmed.contains(where: { $0.isNewline }) ? trimmed : nil
    }

    static let tlsCertificate = Setting(
        key: "server.tls_cert", environmentVariable: "HAVEN_TLS_CERT", expected: "the path of a PEM certificate file"
    ) { text in
        text.isEmpty ? nil : text
    }

    static let tlsKey = Setting(
        key: "server.tls_key", environmentVariable: "HAVEN_TLS_KEY", expected: "the path of a PEM private key file"
    ) { text in
        text.isEmpty ? nil : text
    }
}

extension Setting where Value == Int {
    static let signatureWindow = Setting(
        key: "exchange.signature_window", environmentVariable: "HAVEN_SIGNATURE_WINDOW",
        expected: "a whole number of seconds from 10 to 86400"
    ) { text in
        Int(text).flatMap { (10...86400).contains($0) ? $0 : nil }
    }

    static let signatureSkew = Setting(
        key: "exchange.signature_skew", environmentVariable: "HAVEN_SIGNATURE_SKEW",
        expected: "a whole number of seconds from 0 to 3600"
    ) { text in
        Int(text).flatMap { (0...3600).contains($0) ? $0 : nil }
    }

    static let sessionIdle = Setting(
        key: "web.session_idle", environmentVariable: "HAVEN_SESSION_IDLE",
        expected: "a duration from 1 minute to 30 days, such as \"30m\", \"12h\" or \"7d\""
    ) { text in
        sessionSeconds(text)
    }

    static let witnessInterval = Setting(
        key: "ledger.witness_interval", environmentVariable: "HAVEN_WITNESS_INTERVAL",
        expected: "a duration from 1 second to 1 day, such as \"30s\", \"5m\" or \"1h\""
    ) { text in
        guard case .duration(let duration) = DurationText.parse(text) else { return nil }
        let seconds = Int(duration.components.seconds)
        return (1...86_400).contains(seconds) ? seconds : nil
    }

    static let authFailureLimit = Setting(
        key: "security.auth_failure_limit", environmentVariable: "HAVEN_AUTH_FAILURE_LIMIT",
        expected: "a whole number from 0 (no throttling) to 1000"
    ) { text in
        // Each tracked client keeps up to this many instants: the bound keeps memory small.
        Int(text).flatMap { (0...1000).contains($0) ? $0 : nil }
    }

    static let authFailureWindow = Setting(
        key: "security.auth_failure_window", environmentVariable: "HAVEN_AUTH_FAILURE_WINDOW",
        expected: "a duration from 1 second to 1 day, such as \"30s\", \"1m\" or \"1h\""
    ) { text in
        wholeSeconds(text, in: 1...86_400)
    }

    static let authPenalty = Setting(
        key: "security.auth_penalty", environmentVariable: "HAVEN_AUTH_PENALTY",
        expected: "a duration from 1 second to 1 day, such as \"30s\", \"5m\" or \"1h\""
    ) { text in
        wholeSeconds(text, in: 1...86_400)
    }

    static let authPenaltyMax = Setting(
        key: "security.auth_penalty_max", environmentVariable: "HAVEN_AUTH_PENALTY_MAX",
        expected: "a duration from 1 second to 7 days, such as \"15m\", \"1h\" or \"1d\""
    ) { text in
        wholeSeconds(text, in: 1...7 * 86_400)
    }

    private static func wholeSeconds(_ text: String, in range: ClosedRange<Int>) -> Int? {
        guard case .duration(let duration) = DurationText.parse(text) else { return nil }
        let seconds = Int(duration.components.seconds)
        return range.contains(seconds) ? seconds : nil
    }

    static let sessionLifetime = Setting(
        key: "web.session_lifetime", environmentVariable: "HAVEN_SESSION_LIFETIME",
        expected: "a duration from 1 minute to 365 days, such as \"12h\", \"7d\" or \"30d\""
    ) { text in
        sessionSeconds(text, most: 365 * 86_400)
    }

    private static func sessionSeconds(_ text: String, most: Int = 30 * 86_400) -> Int? {
        guard case .duration(let duration) = DurationText.parse(text) else { return nil }
        let seconds = Int(duration.components.seconds)
        return (60...most).contains(seconds) ? seconds : nil
    }

    static let port = Setting(
        key: "server.port", environmentVariable: "HAVEN_PORT", expected: "a port number from 0 to 65535"
    ) { text in
        Int(text).flatMap { (0...65535).contains($0) ? $0 : nil }
    }

    static let parallel = Setting(
        key: "inference.parallel", environmentVariable: "HAVEN_PARALLEL", expected: "a whole number from 1 to 64"
    ) { text in
        Int(text).flatMap { (1...64).contains($0) ? $0 : nil }
    }

    static let context = Setting(
        key: "inference.context", environmentVariable: "HAVEN_CONTEXT", expected: "a whole number of tokens from 64 to 1048576"
    ) { text in
        Int(text).flatMap { (64...1_048_576).contains($0) ? $0 : nil }
    }

    static let queueLimit = Setting(
        key: "inference.queue_limit", environmentVariable: "HAVEN_QUEUE_LIMIT", expected: "a whole number from 0 to 100000"
    ) { text in
        Int(text).flatMap { (0...100_000).contains($0) ? $0 : nil }
    }

    static let threads = Setting(
        key: "inference.threads", environmentVariable: "HAVEN_THREADS", expected: "a whole number from 0 to 1024"
    ) { text in
        Int(text).flatMap { (0...1024).contains($0) ? $0 : nil }
    }

    static let maxRequestBody = Setting(
        key: "limits.max_request_body", environmentVariable: "HAVEN_MAX_REQUEST_BODY",
        expected: "a size such as 1048576, \"512KiB\" or \"2MiB\""
    ) { text in
        ByteCount.parse(text).flatMap { $0 > 0 ? $0 : nil }
    }

    static let maxUpload = Setting(
        key: "limits.max_upload", environmentVariable: "HAVEN_MAX_UPLOAD",
        expected: "a size such as \"64GiB\" or \"500MiB\""
    ) { text in
        ByteCount.parse(text).flatMap { $0 > 0 ? $0 : nil }
    }
}

extension Setting where Value == DurationText.Value {
    static let keepAlive = Setting(
        key: "inference.keep_alive", environmentVariable: "HAVEN_KEEP_ALIVE",
        expected: "a duration such as \"30s\", \"5m\", \"1h\", or \"-1\" to keep models loaded"
    ) { text in
        DurationText.parse(text)
    }
}

extension Setting where Value == Int64 {
    static let storeCacheBytes = Setting(
        key: "store.cache_bytes", environmentVariable: "HAVEN_STORE_CACHE_BYTES",
        expected: "a size such as \"1GiB\" or \"500MiB\", or 0 for no cache"
    ) { text in
        ByteCount.parse(text).map { Int64($0) }
    }
}

extension Setting where Value == Int64? {
    static let memoryBudget = Setting(
        key: "inference.memory_budget", environmentVariable: "HAVEN_MEMORY_BUDGET",
        expected: "a size such as \"8GiB\", or \"none\""
    ) { text in
        text == "none" ? .some(nil) : ByteCount.parse(text).flatMap { $0 > 0 ? Int64($0) : nil }.map { .some($0) }
    }
}

extension Setting where Value == Logger.Level {
    static let logLevel = Setting(
        key: "server.log_level", environmentVariable: "HAVEN_LOG_LEVEL",
        expected: "one of trace, debug, info, notice, warning, error, critical"
    ) { text in
        Logger.Level(rawValue: text.lowercased())
    }
}
