import AsyncHTTPClient
import Foundation
import HavenExchange
import HavenS3
import HavenStore
import HavenIdentity
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Runs a Haven: opens the data directory and catalog, serves the HTTP API, and shuts down
/// gracefully on SIGINT or SIGTERM (in-flight requests finish, then the catalog closes).
///
/// HavenServer owns the HTTP edge: routes, middleware, authentication and the mapping of every
/// domain error to a JSON error body. Domain decisions belong to the lower targets; handlers
/// here parse, call them, and encode.
public struct HavenServer: Sendable {
    /// The version reported by `/haven/status` and `haven --version`.
    public static let version = "0.1.0"

    public let home: HavenHome
    public let configuration: Configuration
    /// An encrypted home's data key, unlocked from its keyring by the caller (``HavenHome/unlock(with:)``).
    public let dataKey: DataKey?
    public let logger: Logger

    public init(
        home: HavenHome, configuration: Configuration, dataKey: DataKey? = nil, logger: Logger = Logger(label: "haven.server")
    ) {
        self.home = home
        self.configuration = configuration
        self.dataKey = dataKey
        self.logger = logger
    }

    /// Serves until a shutdown signal, then closes the catalog.
    ///
    /// - Throws: ``HomeError`` for a missing or damaged home, an encrypted one without its key
    ///   or a key for a plain one, or an unfinished `haven encrypt`; ``ServerError`` when the
    ///   address cannot be bound.
    public func run() async throws {
        try home.validate()
        if configuration.storeBackend == .s3, configuration.s3 != nil,
            !FileChunkStorage(root: home.objectsDirectory).allChunks().isEmpty
        {
            try await finishMigration()
        }
        // Held while the server runs, so `haven encrypt` cannot start under it.
        let lock = try HomeLock.acquire(home, .shared)
        defer { withExtendedLifetime(lock) {} }
        switch home.encryptionState {
        case .unfinished: throw HomeError.encryptionUnfinished(path: home.path)
        case .encrypted where dataKey == nil: throw HomeError.locked(path: home.path)
        case .plain where dataKey != nil: throw HomeError.notEncrypted(path: home.path)
        default: break
        }
        let key = try home.loadOwnerKey()
        let catalog = try home.openCatalog(dataKey: dataKey)
        if dataKey != nil { logger.info("the home is encrypted; its data key is unlocked") }
        let http = Self.makePeerHTTPClient()
        do {
            if configuration.storeBackend == .s3, let s3 = configuration.s3 {
                // A bucket that refuses these credentials stops the start, naming itself.
                _ = try await s3.makeClient(http: http).list(prefix: s3.prefix, maxKeys: 1)
                logger.info("chunks are kept in S3", metadata: ["s3.endpoint": "\(s3.endpoint)", "s3.bucket": "\(s3.bucket)"])
            }
            try await serve(catalog: catalog, key: key, http: http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        logger.info("stopped; catalog closed")
    }

    /// Starting on the `s3` backend with chunks still in `objects/`: they are what a server on
    /// the files backend wrote after `haven store migrate --to s3` finished its last pass. With
    /// the home to itself (no server may still be reading them), this sends and verifies those,
    /// then removes every local chunk file verified in the bucket. Without a completed migration
    /// to this bucket it refuses: the bucket would be missing chunks.
    private func finishMigration() async throws {
        guard let s3 = configuration.s3 else { return }
        let local = FileChunkStorage(root: home.objectsDirectory)
        let exclusive = try HomeLock.acquire(home, .exclusive)
        defer { withExtendedLifetime(exclusive) {} }
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            let migration = ChunkMigration(
                source: local, bucket: S3ChunkStorage(client: try s3.makeClient(http: http), prefix: s3.prefix),
                catalog: try home.openCatalog(), logPath: home.path + "/s3-migration.log",
                encrypted: home.encryptionState == .encrypted)
            guard MigrationLog.read(at: migration.logPath, for: migration.target)?.complete == true else {
                throw MigrationError.notMigrated(localChunks: local.allChunks().count)
            }
            let report = try await migration.run()
            let removed = migration.removeVerifiedLocalChunks()
            logger.info(
                "finished moving chunks to S3",
                metadata: ["sent": "\(report.uploaded + report.alreadyInBucket)", "removed_local": "\(removed)"])
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private func serve(catalog: Catalog, key: IdentityKey, http: HTTPClient) async throws {
        let environment = try ServerEnvironment(
            catalog: catalog, ownerKey: key, configuration: configuration, modelsDirectory: home.modelsDirectory,
            objectsDirectory: home.objectsDirectory, agentsDirectory: home.agentsDirectory,
            ledgerDirectory: home.ledgerDirectory, http: http)
        try await environment.indexer.reconcile()
        let application = try Self.makeApplication(
            router: HavenRouter.build(environment: environment), configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    application, ModelReaper(models: environment.models), environment.exchange.service,
                    UpstreamHealthCheck(upstreams: environment.upstreams),
                    WitnessLoop(
                        witnesses: environment.witnesses,
                        anchoring: environment.auditAnchoring,
                        interval: .seconds(configuration.witnessInterval)),
                    ChallengeLoop(market: StorageMarket(environment: environment)),
                    SalesLoop(sales: DataSales(environment: environment)),
                    TrainingLoop(jobs: environment.training),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await environment.close()
            throw ServerError(bindError: error, host: configuration.host, port: configuration.port) ?? error
        }
        try await environment.close()
    }

    /// The client this server reaches peers with: a refused connection fails at once (a
    /// source that is down is given up quickly and another one used) rather than being
    /// retried until the request's deadline.
    public static func makePeerHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// The Hummingbird application for a router, bound as configured (HTTPS when a certificate
    /// and key are configured). Exposed so tests can run the real stack with extra routes.
    public static func makeApplication(
        router: Router<HavenRequestContext>,
        configuration: Configuration,
        logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        var server = HTTPServerBuilder.http1()
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let tls: TLSConfiguration
            do {
                tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            } catch {
                throw ServerError(description: "cannot load the TLS certificate \(certificate) and key \(key): \(error)")
            }
            server = try .tls(.http1(), tlsConfiguration: tls)
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "haven"),
            onServerRunning: { channel in
                if let address = channel.localAddress {
                    logger.notice("listening", metadata: ["address": "\(address)", "version": "\(version)"])
                }
                await onServerRunning(channel)
            },
            logger: logger
        )
    }
}

/// The server could not start listening.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(description: String) {
        self.description = description
    }

    init?(bindError error: any Error, host: String, port: Int) {
        guard let ioError = error as? IOError else { return nil }
        let reason =
            switch ioError.errnoCode {
            case EADDRINUSE: "the address is already in use (is another haven serve running? choose another --port or HAVEN_PORT)"
            case EADDRNOTAVAIL: "that address does not belong to this machine (check --host or HAVEN_HOST)"
            case EACCES: "permission denied (ports below 1024 need privileges)"
            default: String(cString: strerror(ioError.errnoCode))
            }
        self.description = "cannot listen on \(host):\(port): \(reason)"
    }
}
