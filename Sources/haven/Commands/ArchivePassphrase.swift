import ArgumentParser
import Foundation
import HavenServer

/// The passphrase of an export archive: read from a file descriptor (`--passphrase-fd N`, one
/// line) or asked for on the terminal without echo — twice when it is being chosen.
enum ArchivePassphrase {
    /// Reads it as the options say. `confirm` asks twice on a terminal and refuses a mismatch.
    static func read(fileDescriptor: Int32?, confirm: Bool) throws -> String {
        let passphrase: String
        if let fileDescriptor {
            passphrase = try readLine(from: fileDescriptor)
        } else {
            passphrase = try prompt(confirm ? "Choose a passphrase for the archive: " : "Passphrase of the archive: ")
            if confirm, try prompt("Type it again: ") != passphrase {
                throw ValidationError("the two passphrases differ; nothing was done")
            }
        }
        guard !passphrase.isEmpty else { throw ValidationError("the passphrase is empty") }
        return passphrase
    }

    /// One line from `descriptor`, without its line break; at most 4 KiB.
    private static func readLine(from descriptor: Int32) throws -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count <= ExportRequest.maximumPassphraseBytes {
            let count = Foundation.read(descriptor, &byte, 1)
            if count < 0 {
                if errno == EINTR { continue }
                throw ValidationError("cannot read the passphrase from file descriptor \(descriptor): \(String(cString: strerror(errno)))")
            }
            if count == 0 || byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard bytes.count <= ExportRequest.maximumPassphraseBytes else {
            throw ValidationError("the passphrase is longer than \(ExportRequest.maximumPassphraseBytes) bytes")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Asks on the controlling terminal with echo off.
    private static func prompt(_ text: String) throws -> String {
        let terminal = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard terminal >= 0 else {
            throw ValidationError("there is no terminal to ask for the passphrase on; give it with --passphrase-fd N")
        }
        defer { close(terminal) }
        _ = text.withCString { write(terminal, $0, strlen($0)) }
        var saved = termios()
        let canHide = tcgetattr(terminal, &saved) == 0
        if canHide {
            var hidden = saved
            hidden.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(terminal, TCSAFLUSH, &hidden)
        }
        defer {
            if canHide { _ = tcsetattr(terminal, TCSAFLUSH, &saved) }
            _ = write(terminal, "\n", 1)
        }
        return try readLine(from: terminal)
    }
}
