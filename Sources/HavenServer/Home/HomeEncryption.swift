import Foundation
import HavenAccess
import HavenAgents
import HavenKnowledge
import HavenStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `haven encrypt`: turns a plain home into an encrypted one, with the server stopped, in an
/// order that a crash at any point cannot turn into lost data.
///
/// 1. A new data key is sealed under the owner's secret in `keyring.pending.json`, written
///    atomically, before anything is sealed with it: from here on the key is on disk, and
///    `haven serve` refuses the home as unfinished.
/// 2. Every chunk file is sealed in synced batches (``ObjectStore/sealPlainChunks(batch:progress:)``).
/// 3. Every sensitive column is sealed and the full-text index rebuilt from keyed terms, in
///    one transaction (``CatalogSealingStep``s); then `VACUUM` rewrites the catalog into fresh
///    pages and the WAL is truncated, with `secure_delete` on.
/// 4. `keyring.pending.json` is renamed to `keyring.json` and the directory synced: the home
///    is encrypted.
///
/// A run that stops anywhere is finished by running again with the same secret: the pending
/// keyring gives the same key, sealed chunks and rows are skipped, and each step is atomic.
public struct HomeEncryption: Sendable {
    /// The sealed columns of every target, in the order they are sealed.
    public static let steps: [CatalogSealingStep] = [.passages, .conversations, .agentMemory, .auditReasons, .imageDescriptions]

    /// What a run did.
    public struct Report: Sendable {
        /// Whether an interrupted run was finished.
        public var resumed = false
        public var chunks = ObjectStore.SealingReport()
        /// Rows sealed, per step.
        public var rows: [(step: String, rows: Int)] = []
    }

    /// Where a run is, for a progress display.
    public enum Progress: Sendable {
        case chunks(done: Int, total: Int)
        case catalog
        case compacting
    }

    public let home: HavenHome
    /// Held from here to the end, so no server starts on the home meanwhile.
    private let lock: HomeLock
    /// Whether an interrupted run is being finished (its secret is needed again, not a new one).
    public let resuming: Bool

    /// Takes the home for encrypting.
    ///
    /// - Throws: ``HomeError/inUse(path:)`` while a server runs on the home,
    ///   ``HomeError/alreadyEncrypted(path:)``; nothing is changed then.
    public init(home: HavenHome) throws(HomeError) {
        try home.validate()
        if home.encryptionState == .encrypted { throw .alreadyEncrypted(path: home.path) }
        self.home = home
        lock = try HomeLock.acquire(home, .exclusive)
        resuming = home.encryptionState == .unfinished
    }

    /// Encrypts the home under `secret` (or finishes an interrupted encryption, which needs
    /// the secret it was started with).
    ///
    /// - Throws: ``HomeError/keyring(_:)`` for a weak secret or, on resuming, one that does not
    ///   unlock the pending keyring (nothing is changed then); store and catalog errors.
    public func run(
        secret: UnlockSecret, scrypt: ScryptParameters = .standard, progress: @Sendable (Progress) -> Void = { _ in }
    ) throws -> Report {
        removeStaleKeyringCopies()
        var report = Report()
        let dataKey: DataKey
        switch home.encryptionState {
        case .encrypted:
            throw HomeError.alreadyEncrypted(path: home.path)
        case .unfinished:
            dataKey = try HavenHome.unlock(keyringAt: home.pendingKeyringFile, with: secret)
            report.resumed = true
        case .plain:
            let owner = try home.loadOwnerKey().did
            dataKey = DataKey.generate()
            do {
                try HomeKeyring.create(for: dataKey, home: owner.description, secret: secret, scrypt: scrypt)
                    .write(to: home.pendingKeyringFile)
            } catch {
                throw HomeError.keyring(error)
            }
        }
        let catalog = try home.openCatalog(dataKey: dataKey)
        do {
            let store = try DataStore(catalog: catalog, objectsDirectory: home.objectsDirectory)
            report.chunks = try store.objects.sealPlainChunks { done, total in progress(.chunks(done: done, total: total)) }
            progress(.catalog)
            report.rows = try catalog.sealExistingRows(Self.steps)
            progress(.compacting)
            try catalog.compact()
        } catch {
            try? catalog.close()
            throw error
        }
        try catalog.close()
        guard rename(home.pendingKeyringFile, home.keyringFile) == 0 else {
            throw HomeError.unreadable(path: home.keyringFile, reason: String(cString: strerror(errno)))
        }
        try syncDirectory()
        return report
    }

    /// Copies of a keyring an interrupted atomic write left (`keyring*.tmp-…`): they hold
    /// nothing the keyring does not, but need not stay.
    private func removeStaleKeyringCopies() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: home.path)) ?? []
        for name in names where name.hasPrefix("keyring") && name.contains(".tmp-") {
            unlink(home.path + "/" + name)
        }
    }

    private func syncDirectory() throws(HomeError) {
        let descriptor = open(home.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path: home.path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .unreadable(path: home.path, reason: String(cString: strerror(errno))) }
    }
}
