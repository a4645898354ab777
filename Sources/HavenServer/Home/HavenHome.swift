import Foundation
import HavenAgents
import HavenStore
import HavenIdentity

/// The data directory of one Haven (`$HAVEN_HOME`, by default `~/.haven`) and its layout.
///
/// ```
/// haven.toml       configuration, commented defaults
/// owner.key        the owner's Ed25519 key, PKCS#8 PEM, mode 0600
/// owner.token      the owner's API token for the local CLI, mode 0600
/// catalog.sqlite   the catalog (SQLite in WAL mode)
/// keyring.json     an encrypted home's data key, sealed under its passphrase or key file, 0600
/// haven.lock       held by a running server (flock), so `haven encrypt` knows to wait
/// objects/ models/ logs/
/// ```
public struct HavenHome: Sendable, Equatable {
    /// Absolute path of the directory.
    public let path: String

    /// A home at `path`, made absolute against the working directory; nothing is checked yet.
    public init(path: String) {
        let url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        self.path = url.path
    }

    /// `$HAVEN_HOME` if set, otherwise `~/.haven`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let home = environment["HAVEN_HOME"], !home.isEmpty { return home }
        let user = environment["HOME"] ?? NSHomeDirectory()
        return user + "/.haven"
    }

    public var configurationFile: String { path + "/haven.toml" }
    public var ownerKeyFile: String { path + "/owner.key" }
    public var ownerTokenFile: String { path + "/owner.token" }
    public var catalogFile: String { path + "/catalog.sqlite" }
    public var modelsDirectory: String { path + "/models" }
    public var agentsDirectory: String { path + "/agents" }
    public var objectsDirectory: String { path + "/objects" }
    /// An encrypted home's keyring (``HomeKeyring``); a plain home has none.
    public var keyringFile: String { path + "/keyring.json" }
    /// The keyring of an encryption under way (`haven encrypt`): renamed to ``keyringFile``
    /// when every chunk and column is sealed.
    public var pendingKeyringFile: String { path + "/keyring.pending.json" }
    /// The file a running server holds a lock on (``HomeLock``).
    public var lockFile: String { path + "/haven.lock" }
    /// The ledger's log: C2SP tiles, entry bundles and the signed checkpoint.
    public var ledgerDirectory: String { path + "/ledger" }
    /// Subdirectories created by `haven init` for the capabilities that store files.
    public static let directories = ["objects", "models", "agents", "logs"]

    /// What `haven init` made: the home, the owner's identifier and the owner's API token.
    public struct Initialised: Sendable {
        public let home: HavenHome
        public let owner: DID
        public let ownerToken: APIToken
        /// The model registered as the default one, if a file was given.
        public let defaultModel: ModelRecord?
        /// The sentence-embedding model that embeds passages for search, if a file was given.
        public var embeddingModel: ModelRecord? = nil
        /// Whether the home was made encrypted.
        public let encrypted: Bool
    }

    /// How `haven init --encrypt` seals the new home: the secret that will unlock it and, for a
    /// passphrase, scrypt's cost.
    public struct Encryption: Sendable {
        public let secret: UnlockSecret
        public let scrypt: ScryptParameters

        public init(secret: UnlockSecret, scrypt: ScryptParameters = .standard) {
            self.secret = secret
            self.scrypt = scrypt
        }
    }

    /// Creates a new home at `path`, all or nothing.
    ///
    /// Everything is written into a hidden sibling directory which is renamed into place last,
    /// so a failure or a crash never leaves a half-made home; an existing home is refused and
    /// left exactly as it was.
    ///
    /// - Parameters:
    ///   - defaultModel: a GGUF file to install as the first model; a file that is not a valid
    ///     model makes the whole init fail.
    ///   - embeddingModel: a sentence-embedding GGUF to install and name as
    ///     `knowledge.embedding_model` in `haven.toml` (what `make run` gives a new home).
    ///   - encryption: makes the home encrypted: a new data key, sealed in `keyring.json` under
    ///     the given secret, seals every chunk and sensitive column from the start.
    public static func initialise(
        at path: String, defaultModel: String? = nil, embeddingModel: String? = nil, encryption: Encryption? = nil,
        now: Date = Date()
    ) throws(HomeError) -> Initialised {
        let home = HavenHome(path: path)
        try home.checkAvailable()
        let parent = (home.path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw .unreadable(path: parent, reason: "cannot create the parent directory")
        }
        let staging = HavenHome(path: parent + "/.haven-init-" + UUID().uuidString)
        do throws(HomeError) {
            let result = try staging.populate(
                defaultModel: defaultModel, embeddingModel: embeddingModel, encryption: encryption, now: now)
            guard rename(staging.path, home.path) == 0 else {
                let code = errno
                if code == ENOTEMPTY || code == EEXIST { throw HomeError.alreadyInitialised(path: home.path) }
                throw HomeError.unreadable(path: home.path, reason: String(cString: strerror(code)))
            }
            var initialised = Initialised(
                home: home, owner: result.owner, ownerToken: result.token, defaultModel: result.model,
                encrypted: encryption != nil)
            initialised.embeddingModel = result.embedder
            return initialised
        } catch {
            try? FileManager.default.removeItem(atPath: staging.path)
            throw error
        }
    }

    /// Refuses a path that is a file, a non-empty directory or an existing home.
    private func checkAvailable() throws(HomeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw .notADirectory(path: path) }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .unreadable(path: path, reason: "cannot list the directory")
        }
        if entries.contains(where: { ["haven.toml", "catalog.sqlite", "owner.key"].contains($0) }) {
            throw .alreadyInitialised(path: path)
        }
        guard entries.isEmpty else { throw .notEmpty(path: path) }
    }

    private func populate(
        defaultModel: String?, embeddingModel: String?, encryption: Encryption?, now: Date
    ) throws(HomeError) -> (owner: DID, token: APIToken, model: ModelRecord?, embedder: ModelRecord?) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            for directory in Self.directories {
                try FileManager.default.createDirectory(
                    atPath: path + "/" + directory, withIntermediateDirectories: false,
                    attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw .unreadable(path: path, reason: "cannot create the directory")
        }
        let key = IdentityKey()
        let token = APIToken.generate()
        try SecretFile.create(ownerKeyFile, contents: key.pemRepresentation)
        try SecretFile.create(ownerTokenFile, contents: token.stringValue + "\n")
        let installer = { (catalog: Catalog, file: String) throws(HomeError) -> ModelRecord in
            do {
                return try ModelInstaller(directory: modelsDirectory, catalog: catalog).install(from: file, now: now)
            } catch {
                throw .defaultModelUnusable(reason: "\(error)")
            }
        }
        var embedderName: String?
        if let embeddingModel {
            do {
                embedderName = try ModelInstaller.name(forFile: embeddingModel)
            } catch {
                throw .defaultModelUnusable(reason: "\(error)")
            }
        }
        try SecretFile.create(configurationFile, contents: Configuration.template(embeddingModel: embedderName))
        do {
            try Data(AgentDefinition.assistantTOML.utf8).write(to: URL(fileURLWithPath: agentsDirectory + "/assistant.toml"))
        } catch {
            throw .unreadable(path: agentsDirectory, reason: "cannot write the default agent")
        }
        var dataKey: DataKey?
        if let encryption {
            let newKey = DataKey.generate()
            do {
                try HomeKeyring.create(for: newKey, home: key.did.description, secret: encryption.secret, scrypt: encryption.scrypt)
                    .write(to: keyringFile)
            } catch {
                throw .keyring(error)
            }
            dataKey = newKey
        }
        // The catalog file is made 0600 before SQLite opens it; SQLite gives its WAL the same mode.
        try SecretFile.create(catalogFile, contents: "")
        let catalog: Catalog
        do {
            catalog = try Catalog.open(at: catalogFile, dataKey: dataKey)
            _ = try catalog.insertToken(token, name: "owner", principal: .owner, createdAt: now)
        } catch {
            throw .corrupt(path: catalogFile, reason: "\(error)")
        }
        defer { try? catalog.close() }
        let model = try defaultModel.map { file throws(HomeError) in try installer(catalog, file) }
        let embedder = try embeddingModel.map { file throws(HomeError) in try installer(catalog, file) }
        return (key.did, token, model, embedder)
    }

    /// Checks that this is an initialised home this process may read and write.
    public func validate() throws(HomeError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT { throw .notInitialised(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path: path) }
        guard access(catalogFile, F_OK) == 0 || errno != ENOENT else { throw .notInitialised(path: path) }
        guard access(catalogFile, R_OK | W_OK) == 0 else {
            throw .unreadable(path: catalogFile, reason: String(cString: strerror(errno)))
        }
    }

    /// The text of `haven.toml`, or `nil` when the owner removed it (defaults then apply).
    public func readConfigurationFile() throws(HomeError) -> String? {
        guard FileManager.default.fileExists(atPath: configurationFile) else { return nil }
        guard let data = FileManager.default.contents(atPath: configurationFile) else {
            throw .unreadable(path: configurationFile, reason: "permission denied")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Loads the owner's signing key.
    public func loadOwnerKey() throws(HomeError) -> IdentityKey {
        let pem = try SecretFile.read(ownerKeyFile)
        do {
            return try IdentityKey(pemRepresentation: pem)
        } catch {
            throw .corrupt(path: ownerKeyFile, reason: error.description)
        }
    }

    /// The owner's API token, as the local CLI presents it.
    public func readOwnerToken() throws(HomeError) -> String {
        try SecretFile.read(ownerTokenFile).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Opens the catalog, migrating it to the current schema; an encrypted home's with its
    /// data key (``unlock(with:)``).
    public func openCatalog(dataKey: DataKey? = nil) throws(HomeError) -> Catalog {
        try validate()
        do {
            return try Catalog.open(at: catalogFile, dataKey: dataKey)
        } catch {
            throw .corrupt(path: catalogFile, reason: error.description)
        }
    }
}
