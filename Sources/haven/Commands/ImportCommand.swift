import ArgumentParser
import Foundation
import HavenServer

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
            """
    )

    @OptionGroup var home: HomeOption

    @Argument(help: ArgumentHelp("The archive; '-' reads it from standard input.", valueName: "file"))
    var file: String

    @Option(
        name: .customLong("passphrase-fd"),
        help: ArgumentHelp("Read the passphrase from this file descriptor (one line) instead of asking.", valueName: "n"))
    var passphraseFileDescriptor: Int32?

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
        let passphrase = try ArchivePassphrase.read(fileDescriptor: passphraseFileDescriptor, confirm: false)
        let meter = ProgressMeter(total: total, label: "importing")
        var received: Int64 = 0
        let result: HomeImporter.Imported
        do {
            result = try HomeImporter.importArchive(into: home.resolve().path, passphrase: passphrase) {
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
        StandardError.write("New owner API token (saved in \(result.home.ownerTokenFile); the old one works too):")
        print(result.ownerToken.stringValue)
        StandardError.write("Next: haven serve (and tell your peers this server's new address if it changed)")
    }
}
