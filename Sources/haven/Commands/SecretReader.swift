import ArgumentParser
import Foundation
import HavenStore

#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read
private let systemWrite = Darwin.write
#endif

/// Reads the secrets that unlock a home: a line from a file descriptor, a key file. What is
/// read never appears in an error.
enum SecretReader {
    /// One line from descriptor `fd` (up to a line break or the end), without its line break.
    static func line(from fd: Int32) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = systemRead(fd, &byte, 1)
            if count < 0 {
                if errno == EINTR { continue }
                throw ValidationError("cannot read the passphrase from descriptor \(fd): \(String(cString: strerror(errno)))")
            }
            if count == 0 || byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
            guard bytes.count <= UnlockSecret.maximumLength else {
                throw ValidationError("the passphrase on descriptor \(fd) is longer than \(UnlockSecret.maximumLength) bytes")
            }
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard !bytes.isEmpty else { throw ValidationError("descriptor \(fd) gave an empty passphrase") }
        return bytes
    }

    /// A key file's bytes (one trailing line break stripped); with `create`, a missing file is
    /// made first: 32 random bytes as 64 hex digits and a line break, mode 0600.
    static func keyFile(_ path: String, create: Bool) throws -> (bytes: [UInt8], created: Bool) {
        var created = false
        if create, !FileManager.default.fileExists(atPath: path) {
            // The system generator is cryptographically secure (getrandom on Linux).
            var generator = SystemRandomNumberGenerator()
            let key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let text = Array((key.map { String(format: "%02x", $0) }.joined() + "\n").utf8)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw ValidationError("cannot create the key file \(path): \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            guard text.withUnsafeBytes({ systemWrite(descriptor, $0.baseAddress!, $0.count) }) == text.count, fsync(descriptor) == 0 else {
                throw ValidationError("cannot write the key file \(path): \(String(cString: strerror(errno)))")
            }
            created = true
        }
        let bytes = UnlockSecret.trimmingLineBreak(try contents(of: path, checkMode: true))
        if let problem = UnlockSecret.keyFile(bytes).problem { throw ValidationError("\(path): \(problem)") }
        return (bytes, created)
    }

    /// The bytes of a small secret file; with `checkMode`, refused when others may read it.
    static func contents(of path: String, checkMode: Bool) throws -> [UInt8] {
        var status = stat()
        guard stat(path, &status) == 0 else { throw ValidationError("cannot read \(path): \(String(cString: strerror(errno)))") }
        if checkMode, status.st_mode & 0o077 != 0 {
            throw ValidationError("\(path) is readable by other users (mode \(String(status.st_mode & 0o777, radix: 8))); run 'chmod 600 \(path)'")
        }
        guard Int(status.st_size) <= UnlockSecret.maximumLength + 2 else {
            throw ValidationError("\(path) is longer than a key file can be (\(UnlockSecret.maximumLength) bytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path): permission denied")
        }
        return [UInt8](data)
    }
}
