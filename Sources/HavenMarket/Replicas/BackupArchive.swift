import Crypto
import Foundation
import HavenStore

/// The bytes a backup erasure-codes: a folder's files packed into one archive, so that one
/// contract per provider covers the whole folder and a restore can check every file.
///
/// Layout: `haven-backup/v1\n`, the header's length (8 bytes, big-endian), the header — JSON
/// `[{"path","media_type","size","sha256"}]` with paths relative to the backed-up folder —, every
/// file's bytes in header order, and the SHA-256 of all that (32 bytes). Reading is strict: a
/// changed byte anywhere fails the trailing digest; a wrong magic, a header over
/// ``maximumHeaderSize``, sizes that do not add up to what follows, a path that is not a
/// normalised relative file path, a repeated path, or any file whose SHA-256 differs is refused.
public enum BackupArchive {
    /// One file in an archive.
    public struct Entry: Sendable, Equatable {
        /// Relative to the backed-up folder: `trip/beach.jpg`.
        public let path: String
        public let mediaType: String?
        public let bytes: [UInt8]

        public init(path: String, mediaType: String?, bytes: [UInt8]) {
            self.path = path
            self.mediaType = mediaType
            self.bytes = bytes
        }
    }

    public static let magic = Array("haven-backup/v1\n".utf8)
    /// The largest header read.
    public static let maximumHeaderSize = 16 << 20

    private struct HeaderEntry: Codable {
        let path: String
        let mediaType: String?
        let size: Int
        let sha256: String

        enum CodingKeys: String, CodingKey {
            case path, size, sha256
            case mediaType = "media_type"
        }
    }

    /// Packs `entries`; throws on a path that could not be read back.
    public static func pack(_ entries: [Entry]) throws(ReplicaError) -> [UInt8] {
        var seen: Set<String> = []
        for entry in entries {
            try checkPath(entry.path)
            guard seen.insert(entry.path).inserted else { throw .archive("the path \(entry.path) appears twice") }
        }
        let header = entries.map {
            HeaderEntry(
                path: $0.path, mediaType: $0.mediaType, size: $0.bytes.count,
                sha256: SHA256.hash(data: $0.bytes).map { String(format: "%02x", $0) }.joined())
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let headerBytes: [UInt8]
        do {
            headerBytes = Array(try encoder.encode(header))
        } catch {
            throw .archive("the header could not be written: \(error)")
        }
        var archive = magic
        withUnsafeBytes(of: UInt64(headerBytes.count).bigEndian) { archive += $0 }
        archive += headerBytes
        for entry in entries { archive += entry.bytes }
        archive += Array(SHA256.hash(data: archive))
        return archive
    }

    /// Reads an archive back, every file checked against its SHA-256.
    public static func unpack(_ whole: [UInt8]) throws(ReplicaError) -> [Entry] {
        guard whole.starts(with: magic), whole.count >= magic.count + 8 + 32 else {
            throw .archive("this is not a Haven backup archive")
        }
        let archive = Array(whole.dropLast(32))
        guard Array(SHA256.hash(data: archive)) == Array(whole.suffix(32)) else {
            throw .archive("the archive does not match its digest: it was changed or cut short")
        }
        let length = archive[magic.count..<magic.count + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= UInt64(maximumHeaderSize), UInt64(archive.count - magic.count - 8) >= length else {
            throw .archive("the header's length (\(length) bytes) is not possible here")
        }
        let headerStart = magic.count + 8
        let header: [HeaderEntry]
        do {
            header = try JSONDecoder().decode([HeaderEntry].self, from: Data(archive[headerStart..<headerStart + Int(length)]))
        } catch {
            throw .archive("the header does not parse: \(error)")
        }
        var offset = headerStart + Int(length)
        var seen: Set<String> = []
        var entries: [Entry] = []
        for file in header {
            try checkPath(file.path)
            guard seen.insert(file.path).inserted else { throw .archive("the path \(file.path) appears twice") }
            guard file.size >= 0, file.size <= archive.count - offset else {
                throw .archive("\(file.path) claims \(file.size) bytes; the archive ends before that")
            }
            let bytes = Array(archive[offset..<offset + file.size])
            guard SHA256.hash(data: bytes).map({ String(format: "%02x", $0) }).joined() == file.sha256 else {
                throw .archive("\(file.path) does not match its SHA-256: the archive was changed")
            }
            entries.append(Entry(path: file.path, mediaType: file.mediaType, bytes: bytes))
            offset += file.size
        }
        guard offset == archive.count else { throw .archive("\(archive.count - offset) bytes follow the last file") }
        return entries
    }

    /// A relative file path that normalises to itself under a folder: no `..`, no empty
    /// segment, not a directory.
    private static func checkPath(_ path: String) throws(ReplicaError) {
        guard !path.isEmpty, !path.hasPrefix("/"), let parsed = try? DataPath(parsing: "/" + path),
            parsed.string == "/" + path, !parsed.isDirectory
        else {
            throw .archive("'\(path.prefix(200))' is not a relative file path")
        }
    }
}
