import Foundation
import HavenIdentity
import HavenStore

/// The first block of an export archive: what the archive holds, in the order it holds it,
/// signed by the owner's identity key.
///
/// The archive is one CARv1 stream whose only root is this manifest's block. After it come
/// ``files`` (the catalog's snapshot first, then `haven.toml`, `agents/`, `ledger/` and
/// `market/` files), each cut into blocks of ``blockSize`` bytes; then ``chunks`` (every
/// chunk the catalog has a row for, by id, each a block named by its own id); then
/// ``models``. A file is named by the raw-codec CID of its whole bytes, so the manifest stays
/// small however large the files are; a chunk is covered through the catalog, which lists it.
/// Everything is thus bound to the signature: the manifest names the catalog's hash, the
/// catalog names every chunk's hash.
///
/// In the block, the manifest travels as canonical JSON (sorted keys, no whitespace) inside
/// `{"manifest":{…},"signature":"…"}`; the signature is Ed25519 over
/// `haven-export/1 manifest\n` followed by the manifest's canonical bytes, by the key of
/// ``owner``. ``identity`` is that key's seed sealed under the export's passphrase.
///
/// An archive of a home encrypted at rest stays encrypted: ``dataKey`` carries the home's
/// data key sealed under the export's passphrase, the catalog's sensitive columns are sealed
/// under it as they are at home, and each chunk travels sealed as a chunk file is
/// (``ChunkSealer``: a fresh nonce, the chunk's id as associated data) in a block named by the
/// raw CID of the sealed bytes. Such chunks come in the catalog's order (by chunk id), which
/// only a reader holding the key can check: the importer opens each under the id of the next
/// row of the catalog it received, and checks the plaintext against that id.
public struct ExportManifest: Codable, Sendable, Equatable {
    /// A file of the home, relative to the home: `catalog.sqlite`, `ledger/tile/0/000`.
    public struct File: Codable, Sendable, Equatable {
        public let path: String
        public let size: Int64
        /// The raw-codec CID of the whole file (its SHA-256).
        public let id: ContentID

        public init(path: String, size: Int64, id: ContentID) {
            self.path = path
            self.size = size
            self.id = id
        }
    }

    /// How many chunks follow the files, and their bytes in all.
    public struct Chunks: Codable, Sendable, Equatable {
        public let count: Int
        public let bytes: Int64

        public init(count: Int, bytes: Int64) {
            self.count = count
            self.bytes = bytes
        }
    }

    /// The only format this version writes and reads.
    public static let currentFormat = "haven-export/1"
    /// Files are cut into blocks of this many bytes (the last may be shorter): what every
    /// CAR reader accepts.
    public static let standardBlockSize = 1 << 20
    /// The path of the catalog's snapshot, always the first file.
    public static let catalogPath = "catalog.sqlite"
    /// The largest manifest block read: room for some hundred thousand files.
    public static let maximumSize = 16 << 20

    public let format: String
    /// When the snapshot was taken, `YYYY-MM-DDTHH:MM:SSZ`.
    public let createdAt: String
    /// The owner: whose key signs the manifest and is sealed in ``identity``.
    public let owner: DID
    /// The Haven version that wrote it.
    public let havenVersion: String
    public let blockSize: Int
    /// The owner's Ed25519 seed, sealed under the passphrase for ``identityContext(owner:)``.
    public let identity: SealedKey
    public let files: [File]
    public let chunks: Chunks
    /// Installed models' files, when the export included them; otherwise empty.
    public let models: [File]
    /// An encrypted home's data key, sealed under the passphrase for ``dataKeyContext(owner:)``;
    /// absent for a plain home. Its presence means the chunks are sealed.
    public let dataKey: SealedKey?

    enum CodingKeys: String, CodingKey {
        case format, owner, identity, files, chunks, models
        case createdAt = "created_at"
        case havenVersion = "haven_version"
        case blockSize = "block_size"
        case dataKey = "data_key"
    }

    public init(
        createdAt: Date, owner: DID, identity: SealedKey, files: [File], chunks: Chunks, models: [File],
        dataKey: SealedKey? = nil, havenVersion: String = HavenServer.version, blockSize: Int = Self.standardBlockSize
    ) {
        self.format = Self.currentFormat
        self.createdAt = Self.format(createdAt)
        self.owner = owner
        self.havenVersion = havenVersion
        self.blockSize = blockSize
        self.identity = identity
        self.files = files
        self.chunks = chunks
        self.models = models
        self.dataKey = dataKey
    }

    /// Whether the chunks travel sealed under the home's data key.
    public var isEncrypted: Bool { dataKey != nil }

    /// What the identity key is sealed for: an export of this owner's home. A sealed key taken
    /// from another owner's archive does not open under this context.
    public static func identityContext(owner: DID) -> [UInt8] {
        Array("haven-export/1 identity \(owner)".utf8)
    }

    /// What an encrypted home's data key is sealed for: this owner's export, and not the
    /// identity key's context, so neither sealed key can pass for the other.
    public static func dataKeyContext(owner: DID) -> [UInt8] {
        Array("haven-export/1 data-key \(owner)".utf8)
    }

    /// How many blocks carry a file of `size` bytes.
    public func blockCount(of size: Int64) -> Int {
        Int((size + Int64(blockSize) - 1) / Int64(blockSize))
    }

    // MARK: The signed block

    static let signatureDomain = Array("haven-export/1 manifest\n".utf8)

    private struct Envelope: Codable {
        let manifest: ExportManifest
        let signature: String
    }

    /// The manifest's block: signed by `key`, which must be ``owner``'s.
    public func signedBlock(by key: IdentityKey) throws(ArchiveError) -> [UInt8] {
        guard key.did == owner else { throw .keyMismatch(owner: owner.description) }
        let signature: Data
        do {
            signature = try key.signature(for: Self.signatureDomain + Self.canonical(self))
        } catch {
            throw .exportFailed(reason: "the manifest could not be signed: \(error)")
        }
        return Self.canonical(Envelope(manifest: self, signature: Base64URL.encode(signature)))
    }

    /// The manifest in `block`, once its signature has been checked against the key of the
    /// owner it names and its contents checked for sense (``validate()``).
    ///
    /// Strict: the block must be exactly the canonical encoding of what it holds, so one
    /// manifest has one spelling and any altered byte is refused.
    public static func open(signedBlock block: [UInt8]) throws(ArchiveError) -> ExportManifest {
        guard block.count <= maximumSize else {
            throw .invalidManifest(reason: "it is \(block.count) bytes, over the limit of \(maximumSize)")
        }
        if let format = peekFormat(block), format != currentFormat { throw .unsupportedFormat(format) }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(block))
        } catch {
            throw .invalidManifest(reason: "it does not decode: \(error)")
        }
        guard canonical(envelope) == block else {
            throw .invalidManifest(reason: "it is not in canonical form (sorted keys, no whitespace)")
        }
        let manifest = envelope.manifest
        guard let signature = Base64URL.decode(envelope.signature), signature.count == 64,
            manifest.owner.publicKey.isValidSignature(signature, for: signatureDomain + canonical(manifest))
        else { throw .badSignature(owner: manifest.owner.description) }
        try manifest.validate()
        return manifest
    }

    /// Checks what a signature cannot: that the manifest describes an archive this version
    /// can import safely (known format, safe paths each once, the catalog first, sizes that
    /// make sense).
    public func validate() throws(ArchiveError) {
        guard format == Self.currentFormat else { throw .unsupportedFormat(format) }
        guard blockSize == Self.standardBlockSize else {
            throw .invalidManifest(reason: "block_size is \(blockSize), not \(Self.standardBlockSize)")
        }
        guard Self.parseTime(createdAt) != nil else { throw .invalidManifest(reason: "created_at '\(createdAt)' is not a time") }
        guard files.first?.path == Self.catalogPath else {
            throw .invalidManifest(reason: "the first file must be \(Self.catalogPath)")
        }
        var seen: Set<String> = []
        for file in files {
            try Self.checkPath(file.path, models: false)
            guard seen.insert(file.path).inserted else { throw .invalidManifest(reason: "\(file.path) is listed twice") }
        }
        for file in models {
            try Self.checkPath(file.path, models: true)
            guard seen.insert(file.path).inserted else { throw .invalidManifest(reason: "\(file.path) is listed twice") }
        }
        for file in files + models {
            guard file.size >= 0, file.id.codec == .raw else {
                throw .invalidManifest(reason: "\(file.path) has a negative size or a non-raw id")
            }
        }
        guard chunks.count >= 0, chunks.bytes >= 0 else { throw .invalidManifest(reason: "the chunk totals are negative") }
    }

    /// Where import may write: the catalog, `haven.toml`, and files under `agents/`, `ledger/`
    /// and `market/` (or `models/`, for models), by relative paths of plain segments — never
    /// `owner.key` or `owner.token`, which import writes itself, and nothing hidden.
    static func checkPath(_ path: String, models: Bool) throws(ArchiveError) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let safe =
            path.utf8.count <= 1024
            && segments.allSatisfy { segment in
                !segment.isEmpty && segment.utf8.count <= 255 && !segment.hasPrefix(".")
                    && !segment.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }
            }
        guard safe else { throw .unsafePath(path) }
        let allowed =
            models
            ? segments.count == 2 && segments[0] == "models"
            : (segments.count == 1 && (path == catalogPath || path == "haven.toml"))
                || (segments.count >= 2 && ["agents", "ledger", "market"].contains(segments[0]))
        guard allowed else { throw .unsafePath(path) }
    }

    /// The `format` member of a block, read before anything else so that a newer archive gets
    /// "use a newer Haven" rather than a decoding error.
    private static func peekFormat(_ block: [UInt8]) -> String? {
        struct Peek: Decodable {
            struct Inner: Decodable { let format: String? }
            let manifest: Inner?
        }
        return (try? JSONDecoder().decode(Peek.self, from: Data(block)))?.manifest?.format
    }

    static func canonical(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only strings, integers, arrays and objects of them: JSONEncoder cannot fail on those.
        return [UInt8](try! encoder.encode(value))
    }

    private static let timeFormat = Date.ISO8601FormatStyle(timeZone: .gmt)

    static func format(_ time: Date) -> String {
        Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down)).formatted(timeFormat)
    }

    static func parseTime(_ text: String) -> Date? {
        guard let time = try? Date(text, strategy: timeFormat), format(time) == text else { return nil }
        return time
    }
}
