import Crypto
import HavenExchange
import HavenStore

/// Checks an export archive as it streams in, block by block, and says what each block is.
///
/// Feed it bytes with ``append(_:)`` and take what is complete with ``next()``. The first
/// block must be the signed manifest (the CAR header's one root), verified before anything is
/// returned; then every block must be the one the manifest says comes next: each file's blocks
/// in order, full-sized but the last, each hashing to its id, and the whole file hashing to the
/// id the manifest signed (checked on its last block); then the chunks, in increasing id
/// order, as many and as large as the manifest says; then the models; then nothing.
///
/// It holds about one section in memory. It does not know which chunks the archive's catalog
/// lists: the importer checks that against the catalog it has received. The chunks of an
/// encrypted home's archive (``ExportManifest/isEncrypted``) come sealed: the reader checks
/// each block against its id and counts the plaintext's size, and the importer, which holds
/// the data key, checks their order and contents.
public struct ArchiveReader {
    /// What a block turned out to be. Every byte returned has been checked against its id.
    public enum Item: Sendable, Equatable {
        /// The verified manifest: always the first item.
        case manifest(ExportManifest)
        /// The next bytes of a file (`models` says which list it is in); the file's whole hash
        /// has been checked when `isLast` is true. A file of no bytes comes as one empty,
        /// last piece.
        case file(ExportManifest.File, models: Bool, bytes: [UInt8], isLast: Bool)
        /// A chunk, in increasing id order.
        case chunk(ContentID, [UInt8])
        /// A chunk of an encrypted home's archive, sealed as a chunk file (``ChunkSealer``);
        /// which chunk it is, only its data key tells.
        case sealedChunk([UInt8])
    }

    private enum Position {
        case manifest
        case file(models: Bool, index: Int, block: Int, hasher: SHA256)
        case chunks(received: Int, bytes: Int64, last: ContentID?)
        case done
    }

    private var car: CARReader
    private var position = Position.manifest
    private var pending: [Item] = []
    /// The manifest, once read.
    public private(set) var manifest: ExportManifest?

    public init() {
        // Blocks are at most a megabyte; the manifest may be larger, so the limit is its own.
        car = CARReader(maximumBlockSize: ExportManifest.maximumSize + 64)
    }

    /// Adds the next bytes of the stream.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        car.append(bytes)
    }

    /// The next item, or `nil` until more bytes arrive.
    public mutating func next() throws(ArchiveError) -> Item? {
        if !pending.isEmpty { return pending.removeFirst() }
        let block: CARBlock?
        do {
            block = try car.nextBlock()
        } catch {
            throw Self.translate(error)
        }
        guard let block else { return nil }
        try accept(block)
        return pending.isEmpty ? nil : pending.removeFirst()
    }

    /// Confirms that the stream ended where the manifest says it ends. Call it when the bytes
    /// run out and ``next()`` returns `nil`.
    public func finish() throws(ArchiveError) {
        guard pending.isEmpty else { throw .unexpectedBlock(reason: "items were left unread") }
        do {
            try car.finish()
        } catch {
            throw Self.translate(error)
        }
        switch position {
        case .done: return
        case .manifest: throw .truncated(reason: "it has no manifest")
        case .file(let models, let index, _, _):
            let file = (models ? manifest?.models : manifest?.files)?[index]
            throw .truncated(reason: "it stops inside \(file?.path ?? "a file")")
        case .chunks(let received, _, _):
            throw .truncated(reason: "it stops after \(received) of \(manifest?.chunks.count ?? 0) chunks")
        }
    }

    private mutating func accept(_ block: CARBlock) throws(ArchiveError) {
        switch position {
        case .manifest:
            guard let roots = car.roots, roots.count == 1 else {
                throw .notAnArchive(reason: "the CAR header must name exactly one root, the manifest")
            }
            guard block.id == roots[0] else { throw .notAnArchive(reason: "the first block is not the root") }
            guard block.isValid else { throw .damagedBlock(block.id) }
            let manifest = try ExportManifest.open(signedBlock: block.bytes)
            self.manifest = manifest
            pending.append(.manifest(manifest))
            try advance(to: .file(models: false, index: 0, block: 0, hasher: SHA256()))
        case .file(let models, let index, let blockIndex, var hasher):
            guard let manifest else { throw .unexpectedBlock(reason: "a file block before the manifest") }
            let file = (models ? manifest.models : manifest.files)[index]
            let count = manifest.blockCount(of: file.size)
            let expectedSize = Int(min(Int64(manifest.blockSize), file.size - Int64(blockIndex) * Int64(manifest.blockSize)))
            guard block.id.codec == .raw, block.bytes.count == expectedSize else {
                throw .unexpectedBlock(
                    reason: "block \(blockIndex + 1) of \(file.path) has \(block.bytes.count) bytes, not \(expectedSize)")
            }
            guard block.isValid else { throw .damagedBlock(block.id) }
            hasher.update(data: block.bytes)
            let isLast = blockIndex + 1 == count
            if isLast {
                guard ContentID(codec: .raw, digest: Array(hasher.finalize())) == file.id else {
                    throw .fileMismatch(path: file.path)
                }
            }
            pending.append(.file(file, models: models, bytes: block.bytes, isLast: isLast))
            try advance(to: isLast ? .file(models: models, index: index + 1, block: 0, hasher: SHA256())
                : .file(models: models, index: index, block: blockIndex + 1, hasher: hasher))
        case .chunks(let received, let bytes, let last):
            guard let manifest else { throw .unexpectedBlock(reason: "a chunk before the manifest") }
            // A sealed chunk is its plaintext and the seal's overhead.
            let overhead = manifest.isEncrypted ? ChunkSealer.overhead : 0
            guard block.id.codec == .raw, block.bytes.count >= overhead, block.bytes.count <= manifest.blockSize + overhead else {
                throw .unexpectedBlock(
                    reason: "chunk \(received + 1) is not a raw block of at most \(manifest.blockSize + overhead) bytes"
                        + (overhead > 0 ? " and at least \(overhead)" : ""))
            }
            if !manifest.isEncrypted, let last, !(last < block.id) {
                throw .unexpectedBlock(reason: "chunk \(block.id) is out of order (chunks come once each, by id)")
            }
            guard block.isValid else { throw .damagedBlock(block.id) }
            let total = bytes + Int64(block.bytes.count - overhead)
            guard total <= manifest.chunks.bytes else {
                throw .chunksMismatch(reason: "the chunks hold more than the \(manifest.chunks.bytes) bytes the manifest says")
            }
            pending.append(manifest.isEncrypted ? .sealedChunk(block.bytes) : .chunk(block.id, block.bytes))
            try advance(to: .chunks(received: received + 1, bytes: total, last: block.id))
        case .done:
            throw .unexpectedBlock(reason: "block \(block.id) comes after everything the manifest lists")
        }
    }

    /// Moves to `next`, past any section with nothing in it: an empty file is emitted whole
    /// without a block, a finished list gives way to the next section.
    private mutating func advance(to next: Position) throws(ArchiveError) {
        guard let manifest else { return }
        var next = next
        while true {
            switch next {
            case .file(let models, let index, 0, _):
                let list = models ? manifest.models : manifest.files
                if index == list.count {
                    next = models ? .done : .chunks(received: 0, bytes: 0, last: nil)
                    continue
                }
                if list[index].size == 0 {
                    guard list[index].id == ContentID.hashing([], codec: .raw) else { throw .fileMismatch(path: list[index].path) }
                    pending.append(.file(list[index], models: models, bytes: [], isLast: true))
                    next = .file(models: models, index: index + 1, block: 0, hasher: SHA256())
                    continue
                }
            case .chunks(let received, let bytes, _) where received == manifest.chunks.count:
                guard bytes == manifest.chunks.bytes else {
                    throw .chunksMismatch(reason: "they hold \(bytes) bytes, not the \(manifest.chunks.bytes) the manifest says")
                }
                next = .file(models: true, index: 0, block: 0, hasher: SHA256())
                continue
            default:
                break
            }
            position = next
            return
        }
    }

    private static func translate(_ error: CARError) -> ArchiveError {
        switch error {
        case .truncated: .truncated(reason: "\(error)")
        case .unreadData: .unexpectedBlock(reason: "\(error)")
        default: .notAnArchive(reason: "\(error)")
        }
    }
}
