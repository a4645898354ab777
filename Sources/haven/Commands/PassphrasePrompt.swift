import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks for a passphrase on the terminal, without echoing what is typed.
enum PassphrasePrompt {
    /// Whether standard input is a terminal someone can type on.
    static var isAvailable: Bool { isatty(STDIN_FILENO) == 1 }

    /// Shows `prompt` on standard error and reads one line with echo off.
    static func ask(_ prompt: String) throws -> [UInt8] {
        // Echo goes off before the prompt shows, so nothing typed after it is ever echoed.
        var original = termios()
        let hasTerminal = tcgetattr(STDIN_FILENO, &original) == 0
        if hasTerminal {
            var quiet = original
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        let line = readLine(strippingNewline: true)
        if hasTerminal { tcsetattr(STDIN_FILENO, TCSANOW, &original) }
        FileHandle.standardError.write(Data("\n".utf8))
        guard let line, !line.isEmpty else { throw ValidationError("no passphrase was typed; nothing was changed") }
        return Array(line.utf8)
    }
}
