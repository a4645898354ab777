import Foundation
import HavenAccess
import HavenIdentity
import HavenStore
import Logging

/// Keeps one mirror current: asks the peer's feed for the changes after its cursor
/// (long-polling when caught up), applies each in order — a new version fetched and verified
/// like a pull, a deletion as a deletion — and saves the cursor after each one.
///
/// Applying is idempotent (a change whose manifest is already the local current version, or a
/// deletion of a path already gone, makes no new version), so a crash between a commit and the
/// cursor save neither duplicates nor loses a version. A refusal by the peer (revoked or
/// expired capability, blocked) stops the mirror with the peer's reason; what it copied stays.
public struct MirrorFollower: Sendable {
    let catalog: Catalog
    let store: DataStore
    let clients: PeerClients
    let onCommit: @Sendable (FileVersion) async -> Void
    let logger: Logger
    /// How long the peer may hold a feed request open when there is nothing new.
    var wait = 20
    /// Changes asked for in one feed request.
    var pageSize = 200

    public init(
        store: DataStore, clients: PeerClients, logger: Logger = Logger(label: "haven.exchange.mirror"),
        onCommit: @escaping @Sendable (FileVersion) async -> Void = { _ in }
    ) {
        self.catalog = store.catalog
        self.store = store
        self.clients = clients
        self.onCommit = onCommit
        self.logger = logger
    }

    /// Follows mirror `id` until it is stopped or removed, or the task is cancelled.
    public func follow(_ id: String) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                guard let mirror = try catalog.mirror(id: id), mirror.state == .active else { return }
                try await step(mirror)
                failures = 0
            } catch let error as ExchangeError {
                if case .peerRefused(let status, _, let message) = error, [401, 403].contains(status) {
                    logger.notice("mirror stopped by the peer", metadata: ["mirror": "\(id)", "reason": "\(message)"])
                    try? catalog.stopMirror(id: id, reason: "the peer refused: \(message)")
                    return
                }
                if case .noCapability = error {
                    try? catalog.stopMirror(id: id, reason: error.description)
                    return
                }
                failures += 1
                logger.warning("mirror step failed", metadata: ["mirror": "\(id)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(min(30_000, 250 * (1 << min(failures, 7)))))
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                logger.warning("mirror step failed", metadata: ["mirror": "\(id)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(min(30_000, 250 * (1 << min(failures, 7)))))
            }
        }
    }

    /// One feed request and the changes it brought.
    func step(_ mirror: Mirror) async throws {
        let source = try clients.source(peer: mirror.peer, path: mirror.remotePath)
        let query = "path=\(PeerClient.encodeQuery(mirror.remotePath.string))&since=\(mirror.cursor)&wait=\(wait)&limit=\(pageSize)"
            + (mirror.feedID.map { "&feed=\($0)" } ?? "")
        let page = try await source.client.send(.GET, "/exchange/v1/feed?" + query, timeout: .seconds(Int64(wait) + 30))
            .decode(FeedPage.self)
        var cursor = mirror.cursor
        if let known = mirror.feedID, known != page.feedID {
            // The peer's sequence was reset: start over; applying is idempotent.
            logger.notice("peer feed reset; relisting", metadata: ["mirror": "\(mirror.id)"])
            try catalog.advanceMirror(id: mirror.id, feedID: page.feedID, cursor: 0)
            return
        }
        let puller = Puller(store: store, logger: logger, onCommit: onCommit)
        // Only current versions are served, so a change superseded later in the page is skipped.
        let last = Dictionary(page.changes.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { max($0, $1) })
        for (index, change) in page.changes.enumerated() {
            // Removed or stopped meanwhile: apply nothing more.
            guard let current = try catalog.mirror(id: mirror.id), current.state == .active else { return }
            if last[change.path] == index {
                try await apply(change, of: mirror, source: source, puller: puller)
            }
            cursor = change.sequence
            try catalog.advanceMirror(id: mirror.id, feedID: page.feedID, cursor: cursor)
        }
        if page.next > cursor || mirror.feedID == nil {
            try catalog.advanceMirror(id: mirror.id, feedID: page.feedID, cursor: max(cursor, page.next))
        }
    }

    /// A 404 for a manifest: the version is no longer the peer's current one.
    static func isSuperseded(_ error: any Error) -> Bool {
        if let error = error as? ExchangeError, case .peerRefused(404, _, _) = error { return true }
        return false
    }

    private func apply(_ change: FeedChange, of mirror: Mirror, source: PullSource, puller: Puller) async throws {
        let local = try Puller.localPath(of: change.path, remote: mirror.remotePath, destination: mirror.localPath)
        let origin = VersionOrigin(
            peer: Principal.peer(mirror.peer).description, path: change.path, version: change.version,
            manifest: change.manifest)
        let author = Principal.peer(mirror.peer).description
        guard let manifest = change.manifest, !change.deleted else {
            if try store.version(of: local) != nil {
                await onCommit(try store.delete(local, origin: origin, author: author))
            }
            return
        }
        let entry = TreeEntry(
            path: change.path, version: change.version, manifest: manifest, size: change.size, mediaType: change.mediaType)
        do {
            _ = try await puller.fetch([(entry, local)], from: [source], author: author, progress: PullProgress())
        } catch {
            guard Self.isSuperseded(error) else { throw error }
            // No longer the peer's current version: a later change in the feed replaces it.
            logger.debug("superseded change skipped", metadata: ["path": "\(change.path)", "version": "\(change.version)"])
        }
    }
}
