import Foundation
import HavenStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The durable record of a migration of chunks to a bucket (`s3-migration.log` in the home):
/// which bucket it targets, each chunk verified there, and whether the migration completed.
///
/// The file is append-only text, one line per fact:
///
///     haven-s3-migration 1
///     target {"bucket":"…","endpoint":"…","prefix":"chunks/"}
///     verified <64 hex>
///     complete
///
/// Lines are appended and synced in batches, so a kill loses at most the chunks verified since
/// the last sync; they are uploaded again (a write-once put answered 412) and checked again.
/// A torn last line (no newline) is ignored. A log for another target is not trusted.
public struct MigrationLog: Sendable, Equatable {
    /// Where the chunks go.
    public struct Target: Codable, Sendable, Equatable {
        public var endpoint: String
        public var bucket: String
        public var prefix: String

        public init(endpoint: String, bucket: String, prefix: String) {
            self.endpoint = endpoint
            self.bucket = bucket
            self.prefix = prefix
        }

        var line: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return "target " + String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
        }
    }

    static let header = "haven-s3-migration 1"

    public var target: Target?
    /// Chunks read back from the bucket and found identical to what was sent.
    public var verified: Set<ContentID> = []
    /// Every chunk the catalog referenced was verified, and the home may switch to the bucket.
    public var complete = false

    public init(target: Target? = nil) {
        self.target = target
    }

    /// Reads a log's text; `nil` for text that is not such a log.
    public static func parse(_ text: String) -> MigrationLog? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // The last element is what follows the last newline: empty, or a torn line.
        lines.removeLast()
        guard lines.first == Substring(header) else { return nil }
        var log = MigrationLog()
        for line in lines.dropFirst() {
            if line.hasPrefix("target ") {
                log.target = try? JSONDecoder().decode(Target.self, from: Data(line.dropFirst(7).utf8))
            } else if line.hasPrefix("verified "), let id = ContentID(hex: String(line.dropFirst(9)), codec: .raw) {
                log.verified.insert(id)
            } else if line == "complete" {
                log.complete = true
            }
        }
        return log
    }

    /// The log at `path` if it is one for `target`; `nil` when there is none (or it is for
    /// another bucket).
    public static func read(at path: String, for target: Target) -> MigrationLog? {
        guard let data = FileManager.default.contents(atPath: path),
            let log = parse(String(decoding: data, as: UTF8.self)), log.target == target
        else { return nil }
        return log
    }

    /// Text that records `ids` as verified.
    static func verifiedLines(_ ids: some Sequence<ContentID>) -> String {
        ids.map { "verified \($0.hex)\n" }.joined()
    }
}

extension MigrationLog {
    /// The log at `path` for `target`, or a new one written there (replacing any log for
    /// another target) when there is none.
    static func start(at path: String, for target: Target) throws(MigrationError) -> MigrationLog {
        if let log = read(at: path, for: target) { return log }
        let text = header + "\n" + target.line + "\n"
        let temporary = path + ".new"
        unlink(temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw .state(path: temporary, reason: String(cString: strerror(errno))) }
        try sync(temporary)
        guard rename(temporary, path) == 0 else { throw .state(path: path, reason: String(cString: strerror(errno))) }
        try sync((path as NSString).deletingLastPathComponent)
        return MigrationLog(target: target)
    }

    /// Appends `text` to the log at `path` and syncs it: once this returns, it survives a kill.
    static func append(_ text: String, to path: String) throws(MigrationError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw .state(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { throw .state(path: path, reason: String(cString: strerror(errno))) }
            written += result
        }
        guard fsync(descriptor) == 0 else { throw .state(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Syncs a file or directory.
    static func sync(_ path: String) throws(MigrationError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .state(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .state(path: path, reason: String(cString: strerror(errno))) }
    }
}
