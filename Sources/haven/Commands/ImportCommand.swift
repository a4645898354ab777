import ArgumentParser
import Foundation
import HavenServer
import HavenStore

extension ArchiveError: UserFacingError {}

/// `haven import FILE`: a new home from an archive `haven export` wrote, offline, as `haven init`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a new Haven home from an archive written by 'haven export'.",
        discussion: """
            Run it on the new machine with no server running there; like 'haven init' it refuses \
            an existing home and leaves nothing behind on any error (a damaged or altered archive, \
            a wrong passphrase). The new home has the same identity (did:key), files and history, \
            grants, tokens, shares, audit log, agents and ledger. Prints a new owner API token alone \
            on stdout (saved in owner.token); the old owner token keeps working too.

            The archive of a home encrypted at rest makes an encrypted home, unlocked by the \
            archive's passphrase, or by --key-file if given ('haven serve --key-file FILE').
            """
    )

    @OptionGroup var home: HomeOption

    @Argument(help: ArgumentHelp("The archive; '-' reads it from standard input.", valueName: "file"))
    var file: String

    @Option(
        name: .customLong("passphrase-fd"),
        help: ArgumentHelp("Read the passphrase from this file descriptor (one line) instead of asking.", valueName: "n"))
    var passphraseFileDescriptor: Int32?

    @Option(
        help: ArgumentHelp(
            "For an encrypted home's archive: unlock the new home with this existing key file (at least 32 random bytes) instead of the archive's passphrase.",
            valueName: "file"))
    var keyFile: String?

    func validate() throws {
        if file == "-", passphraseFileDescriptor == 0 {
            throw ValidationError("standard input carries the archive; give the passphrase on another descriptor")
        }
    }

    func run() throws {
        let input: FileHandle
        if file == "-" {
            input = .standardInput
        } else {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw DataTransferError.cannotRead(file) }
            input = handle
        }
        let total = file == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
        let unlock = try keyFile.map { UnlockSecret.keyFile(try SecretReader.keyFile($0, create: false).bytes) }
        let scrypt = try UnlockOptions.scryptParameters(environment: ProcessInfo.processInfo.environment)
        let passphrase = try ArchivePassphrase.read(fileDescriptor: passphraseFileDescriptor, confirm: false)
        let meter = ProgressMeter(total: total, label: "importing")
        var received: Int64 = 0
        let result: HomeImporter.Imported
        do {
            result = try HomeImporter.importArchive(into: home.resolve().path, passphrase: passphrase, unlock: unlock, scrypt: scrypt) {
                guard let data = try input.read(upToCount: 1 << 20) else { return [] }
                received += Int64(data.count)
                meter.update(received)
                return [UInt8](data)
            }
        } catch {
            meter.finish()
            throw error
        }
        meter.finish()
        StandardError.write("Imported a Haven home at \(result.home.path)")
        StandardError.write("Owner: \(result.owner)")
        StandardError.write(
            "As exported at \(result.exportedAt): \(result.files) files and \(result.chunks) chunks "
                + "(\(ProgressMeter.format(Double(result.bytes))))")
        if !result.models.isEmpty { StandardError.write("Models: \(result.models.joined(separator: ", "))") }
        if !result.modelsLeftOut.isEmpty {
            StandardError.write(
                "Models not in the archive, forgotten here: \(result.modelsLeftOut.joined(separator: ", ")); "
                    + "add them again with 'haven model add FILE.gguf'")
        }
        if result.encrypted {
            StandardError.write(
                "The home is encrypted at rest, as the exported one was; unlock it with "
                    + (keyFile.map { "the key file \($0) (haven serve --key-file \($0))" } ?? "the archive's passphrase"))
        } else if keyFile != nil {
            StandardError.write("The archive is of a plain home, so --key-file was not used; encrypt it with 'haven encrypt' if you wish")
        }
        StandardError.write("New owner API token (saved in \(result.home.ownerTokenFile); the old one works too):")
        print(result.ownerToken.stringValue)
        StandardError.write("Next: haven serve (and tell your peers this server's new address if it changed)")
    }
}
