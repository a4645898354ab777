import ArgumentParser
import Foundation
import HavenServer
import HavenStore
import Synchronization

/// `haven encrypt`: encrypts an existing home at rest, with its server stopped.
struct EncryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt an existing home's data at rest (stop its server first).",
        discussion: """
            Seals every chunk file and the catalog's content (passages, conversations, memory, \
            audit reasons) under a new data key, kept in keyring.json under your passphrase or key file. \
            If it is interrupted, run it again with the same passphrase or key file to finish. \
            Afterwards 'haven serve' needs the passphrase or key file to start.
            """
    )

    @OptionGroup var home: HomeOption
    @OptionGroup var unlock: UnlockOptions

    func run() throws {
        let home = home.resolve()
        let configuration = try Configuration.resolve(environment: self.home.environment, file: home.readConfigurationFile())
        if configuration.storeBackend == .s3 {
            throw ValidationError(
                "this home keeps its chunks in an S3 bucket, which 'haven encrypt' cannot seal in place (not yet); "
                    + "encrypt the home while its backend is \"files\"")
        }
        // Takes the home first: a running server is refused before anything is asked or made.
        let encryption = try HomeEncryption(home: home)
        let scrypt = try UnlockOptions.scryptParameters(environment: self.home.environment)
        let secret = try unlock.secretToEncrypt(confirm: !encryption.resuming)
        let meter = ProgressMeter(total: nil, label: "sealing chunks", unit: .items)
        let lines = LineProgress()
        let report = try encryption.run(secret: secret, scrypt: scrypt) { progress in
            switch progress {
            case .chunks(let done, let total):
                meter.update(Int64(done), total: Int64(total))
                lines.chunks(done, of: total)
            case .catalog:
                meter.finish()
                StandardError.write("Sealing the catalog's content and rebuilding the search index…")
            case .compacting:
                StandardError.write("Rewriting the catalog so no old page keeps plaintext…")
            }
        }
        let rows = report.rows.map(\.rows).reduce(0, +)
        StandardError.write(
            "\(report.resumed ? "Finished encrypting" : "Encrypted") the home at \(home.path): "
                + "\(report.chunks.sealed) chunks sealed" + (report.chunks.alreadySealed > 0 ? " (\(report.chunks.alreadySealed) were already)" : "")
                + ", \(rows) catalog rows sealed")
        StandardError.write(
            "'haven serve' now needs the " + (secret.kind == .keyFile ? "key file (--key-file)" : "passphrase (typed, --passphrase-fd, or a credential)")
                + "; without it the data cannot be read")
    }
}

/// Progress as plain lines when standard error is not a terminal (a log, a script): the first
/// batch, then at most one line every few seconds, and the last.
private final class LineProgress: Sendable {
    private let last = Mutex<ContinuousClock.Instant?>(nil)
    private let enabled = isatty(STDERR_FILENO) != 1

    func chunks(_ done: Int, of total: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let show = last.withLock { last in
            guard last == nil || done == total || now - last! > .seconds(5) else { return false }
            last = now
            return true
        }
        if show { StandardError.write("sealed \(done) of \(total) chunks") }
    }
}
