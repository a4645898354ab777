#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The log's files on disk, as C2SP tlog-tiles serves them: `checkpoint`, `tile/<L>/<N>[.p/<W>]`
/// and `tile/entries/<N>[.p/<W>]` under one directory.
///
/// Every file is written whole and durably: to a temporary file in its directory, `fsync`,
/// renamed into place, and the directory synced, so a reader (or a crash) sees the old file or
/// the new one, never a part. Tiles and bundles are immutable once written: writing different
/// bytes to an existing full tile is refused, since a published tile never changes.
public struct LedgerFiles: Sendable {
    public let root: URL

    public init(root: URL) throws(LedgerLogError) {
        self.root = root
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw .io("create \(root.path): \(error.localizedDescription)")
        }
    }

    /// The bytes at `path` (relative to the root), or `nil` if there is no such file.
    public func read(_ path: String) throws(LedgerLogError) -> [UInt8]? {
        guard Self.isSafe(path) else { throw .io("refusing the path '\(path)'") }
        let url = root.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .io("read \(path)") }
        return [UInt8](data)
    }

    /// Writes an immutable file (a tile or an entry bundle). Writing the same bytes again is a
    /// no-op; different bytes where a full tile exists are refused. A partial tile (`.p/`) may
    /// be rewritten: until a checkpoint covers it, it is not yet published.
    public func writeImmutable(_ bytes: [UInt8], to path: String) throws(LedgerLogError) {
        if let existing = try read(path) {
            if existing == bytes { return }
            guard path.contains(".p/") else { throw .tileChanged(path) }
        }
        try writeDurably(bytes, to: path)
    }

    /// Replaces the checkpoint: durable, and atomic for readers.
    public func writeCheckpoint(_ bytes: [UInt8]) throws(LedgerLogError) {
        try writeDurably(bytes, to: "checkpoint")
    }

    private func writeDurably(_ bytes: [UInt8], to path: String) throws(LedgerLogError) {
        guard Self.isSafe(path) else { throw .io("refusing the path '\(path)'") }
        let url = root.appendingPathComponent(path)
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io("create \(directory.path): \(error.localizedDescription)")
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("create \(temporary.path): \(Self.errorText())") }
        var written = 0
        let result: Bool = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += count
            }
            return fsync(descriptor) == 0
        }
        close(descriptor)
        guard result else {
            unlink(temporary.path)
            throw .io("write \(path): \(Self.errorText())")
        }
        guard rename(temporary.path, url.path) == 0 else {
            unlink(temporary.path)
            throw .io("rename into \(path): \(Self.errorText())")
        }
        let directoryDescriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryDescriptor >= 0 else { throw .io("open \(directory.path): \(Self.errorText())") }
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else { throw .io("fsync \(directory.path): \(Self.errorText())") }
    }

    /// Relative, with no empty, `.` or `..` segments.
    static func isSafe(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/")
            && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
