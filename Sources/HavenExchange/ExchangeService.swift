import AsyncHTTPClient
import Foundation
import HavenIdentity
import HavenStore
import Logging
import ServiceLifecycle

/// HavenExchange: what passes between Haven servers. It owns the peers this server knows
/// (``Peer``, proven by a signed challenge), RFC 9421 request signing and verification
/// (``RequestSigner``, ``RequestVerifier``, ``NonceWindow``), what a capability lets a peer
/// fetch here (``ServedContent``), verified multi-source transfer (``Puller``, CAR streams),
/// mirrors that follow a peer's change feed (``MirrorFollower``), and the inbox (``Inbox``).
/// It never speaks HTTP as a server: HavenServer wires its routes.
///
/// ``ExchangeService`` is the long-running part: a ServiceLifecycle service that follows every
/// active mirror and runs the background work the API starts (pulls, attachment fetches), all
/// inside one task group, so graceful shutdown ends them with the server.
public struct ExchangeService: Service {
    public let store: DataStore
    public let clients: PeerClients
    public let pulls: PullJobs
    let jobs: AsyncStream<@Sendable () async -> Void>
    let submitJob: AsyncStream<@Sendable () async -> Void>.Continuation
    /// Told about every version a pull or mirror commits.
    let onCommit: @Sendable (FileVersion) async -> Void
    let logger: Logger

    public init(
        store: DataStore, clients: PeerClients, logger: Logger = Logger(label: "haven.exchange"),
        onCommit: @escaping @Sendable (FileVersion) async -> Void = { _ in }
    ) {
        self.store = store
        self.clients = clients
        self.pulls = PullJobs()
        (jobs, submitJob) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        self.onCommit = onCommit
        self.logger = logger
    }

    var follower: MirrorFollower {
        MirrorFollower(store: store, clients: clients, logger: logger, onCommit: onCommit)
    }

    public func run() async throws {
        let follower = self.follower
        let active = try store.catalog.mirrors().filter { $0.state == .active }
        await withDiscardingTaskGroup { group in
            for mirror in active {
                group.addTask { await follower.follow(mirror.id) }
            }
            for await job in jobs.cancelOnGracefulShutdown() {
                group.addTask { await job() }
            }
            group.cancelAll()
        }
    }

    /// Runs `work` in the background, inside the service's task group.
    public func submit(_ work: @escaping @Sendable () async -> Void) {
        submitJob.yield(work)
    }

    /// Starts following a mirror just added.
    public func startMirror(_ id: String) {
        let follower = self.follower
        submit { await follower.follow(id) }
    }

    /// Starts a pull in the background; its progress is at ``PullJobs/report(_:)``.
    public func startPull(from sources: [PullSource], to destination: DataPath, author: String) async -> String {
        let (id, progress) = await pulls.create()
        let puller = Puller(store: store, logger: logger, onCommit: onCommit)
        let pulls = self.pulls
        let logger = self.logger
        submit {
            do {
                try await puller.pull(from: sources, to: destination, author: author, progress: progress)
                await progress.update { $0.state = .done }
            } catch {
                logger.warning("pull failed", metadata: ["pull": "\(id)", "error": "\(error)"])
                await progress.update {
                    $0.state = .failed
                    $0.error = "\(error)"
                }
            }
            await pulls.finished(id)
        }
        return id
    }
}

/// The pulls started since the server started, with their live progress.
public actor PullJobs {
    private var progress: [String: PullProgress] = [:]
    /// Finished pulls, oldest first: the only ones ever forgotten.
    private var finishedOrder: [String] = []
    /// Finished pulls kept for reading back.
    let kept = 100

    public init() {}

    func create() -> (String, PullProgress) {
        let id = "p" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let progress = PullProgress()
        self.progress[id] = progress
        return (id, progress)
    }

    func finished(_ id: String) {
        finishedOrder.append(id)
        if finishedOrder.count > kept {
            progress[finishedOrder.removeFirst()] = nil
        }
    }

    /// The report of pull `id`, if known.
    public func report(_ id: String) async -> PullReport? {
        guard let progress = progress[id] else { return nil }
        return await progress.report
    }
}
