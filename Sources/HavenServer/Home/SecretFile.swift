#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold secrets (the owner key, the owner token): created with mode 0600 from the
/// first byte, never widened afterwards, and refused when someone else made them readable.
enum SecretFile {
    /// Creates `path` (which must not exist) holding `contents`, mode 0600, flushed to disk.
    static func create(_ path: String, contents: String) throws(HomeError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var bytes = Array(contents.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else {
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            bytes = bytes.dropFirst(written)
        }
        guard fsync(descriptor) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Reads a secret file, refusing one that group or others may read or write.
    static func read(_ path: String) throws(HomeError) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let mode = UInt16(status.st_mode & 0o777)
        guard mode & 0o077 == 0 else {
            throw .insecurePermissions(path: path, mode: mode)
        }
        let file = fopen(path, "r")
        guard let file else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            contents += buffer[..<count]
            guard contents.count <= 64 * 1024 else {
                throw .corrupt(path: path, reason: "it is larger than a secret file can be")
            }
        }
        return String(decoding: contents, as: UTF8.self)
    }

    /// The permission bits of `path`, or `nil` if it cannot be examined.
    static func mode(of path: String) -> UInt16? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return UInt16(status.st_mode & 0o777)
    }
}
