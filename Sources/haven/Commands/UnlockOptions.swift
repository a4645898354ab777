import ArgumentParser
import Foundation
import HavenServer
import HavenStore

/// `--passphrase-fd` and `--key-file`: how an encrypted home is unlocked (`haven serve`) or
/// how a home is encrypted (`haven init --encrypt`, `haven encrypt`).
struct UnlockOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Read the passphrase from this open file descriptor (up to the first line break), instead of a prompt.",
        valueName: "n"))
    var passphraseFD: Int32?

    @Option(help: ArgumentHelp(
        "Unlock with this key file (at least 32 random bytes) instead of a passphrase; encrypting creates it if it does not exist.",
        valueName: "file"))
    var keyFile: String?

    /// Whether a way to unlock was given on the command line.
    var given: Bool { passphraseFD != nil || keyFile != nil }

    func validate() throws {
        if passphraseFD != nil, keyFile != nil { throw ValidationError("give --passphrase-fd or --key-file, not both") }
        if let passphraseFD, passphraseFD < 0 { throw ValidationError("--passphrase-fd must be a file descriptor (0 or more), not \(passphraseFD)") }
    }

    /// The secret that unlocks an encrypted home: the flags, else systemd's credentials
    /// (`$CREDENTIALS_DIRECTORY/haven-passphrase` or `haven-key`), else a prompt when standard
    /// input is a terminal; `nil` when none of them is there.
    func secretToUnlock(_ home: HavenHome, environment: [String: String]) throws -> UnlockSecret? {
        if let passphraseFD { return .passphrase(try SecretReader.line(from: passphraseFD)) }
        if let keyFile { return .keyFile(try SecretReader.keyFile(keyFile, create: false).bytes) }
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let passphrase = directory + "/haven-passphrase"
            if FileManager.default.fileExists(atPath: passphrase) {
                return .passphrase(UnlockSecret.trimmingLineBreak(try SecretReader.contents(of: passphrase, checkMode: false)))
            }
            let key = directory + "/haven-key"
            if FileManager.default.fileExists(atPath: key) {
                return .keyFile(UnlockSecret.trimmingLineBreak(try SecretReader.contents(of: key, checkMode: false)))
            }
        }
        if PassphrasePrompt.isAvailable {
            return .passphrase(try PassphrasePrompt.ask("Passphrase for the Haven home at \(home.path): "))
        }
        return nil
    }

    /// The secret a home is encrypted with: the flags, else the passphrase typed twice on a
    /// terminal (once, with `confirm` false: finishing an interrupted encryption).
    func secretToEncrypt(confirm: Bool) throws -> UnlockSecret {
        if let passphraseFD { return .passphrase(try SecretReader.line(from: passphraseFD)) }
        if let keyFile {
            let file = try SecretReader.keyFile(keyFile, create: confirm)
            if file.created {
                StandardError.write("Wrote a new key file at \(keyFile): keep a copy somewhere safe, off this machine; without it the data cannot be read")
            }
            return .keyFile(file.bytes)
        }
        guard PassphrasePrompt.isAvailable else {
            throw ValidationError(
                "standard input is not a terminal, so no passphrase can be typed: give --passphrase-fd N or --key-file FILE")
        }
        let first = try PassphrasePrompt.ask(confirm ? "New passphrase for the Haven home: " : "Passphrase this encryption was started with: ")
        if confirm {
            if let problem = UnlockSecret.passphrase(first).problem { throw ValidationError("\(problem); nothing was changed") }
            guard try PassphrasePrompt.ask("The same passphrase again: ") == first else {
                throw ValidationError("the two passphrases differ; nothing was changed")
            }
        }
        return .passphrase(first)
    }

    /// The data key of an encrypted home, `nil` for a plain one (which refuses the flags).
    func dataKey(for home: HavenHome, environment: [String: String]) throws -> DataKey? {
        switch home.encryptionState {
        case .plain:
            if given { throw HomeError.notEncrypted(path: home.path) }
            return nil
        case .unfinished:
            throw HomeError.encryptionUnfinished(path: home.path)
        case .encrypted:
            guard let secret = try secretToUnlock(home, environment: environment) else { throw HomeError.locked(path: home.path) }
            return try home.unlock(with: secret)
        }
    }

    /// scrypt's cost for a new keyring: the default, or `$HAVEN_SCRYPT_LOG2N` (for tests, which
    /// need it cheap; not in the help).
    static func scryptParameters(environment: [String: String]) throws -> ScryptParameters {
        guard let text = environment["HAVEN_SCRYPT_LOG2N"], !text.isEmpty else { return .standard }
        let standard = ScryptParameters.standard
        guard let log2n = Int(text) else { throw ValidationError("HAVEN_SCRYPT_LOG2N must be a whole number, not \(text)") }
        let parameters = ScryptParameters(log2n: log2n, r: standard.r, p: standard.p)
        if let problem = parameters.problem { throw ValidationError("HAVEN_SCRYPT_LOG2N: \(problem)") }
        return parameters
    }
}
