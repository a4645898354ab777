import ArgumentParser
import AsyncHTTPClient
import Foundation
import HavenServer
import NIOCore

/// `haven export FILE`: the running server's whole home as one archive, checked as it arrives.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write everything this Haven holds to one archive, to move it to another machine.",
        discussion: """
            The server keeps running; the archive is a snapshot of one instant: every file with its \
            history, grants, tokens, shares, the audit log, agents, conversations, peers and the \
            ledger, and the identity key sealed under a passphrase (asked twice, or read from \
            --passphrase-fd N). Models' files go in only with --models. The archive is checked as \
            it arrives (signature, every block's hash, completeness) and written under FILE only \
            when whole. On the new machine: haven import FILE.
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: ArgumentHelp("The archive to write; '-' writes it to standard output.", valueName: "file"))
    var file: String

    @Flag(help: "Include the installed models' files (large; without them, add the models again after import).")
    var models = false

    @Option(
        name: .customLong("passphrase-fd"),
        help: ArgumentHelp("Read the passphrase from this file descriptor (one line) instead of asking.", valueName: "n"))
    var passphraseFileDescriptor: Int32?

    func validate() throws {
        if file == "-", isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("standard output is a terminal; give a FILE, or redirect it ('haven export - > FILE')")
        }
        if file != "-", FileManager.default.fileExists(atPath: file) {
            throw ValidationError("\(file) already exists; choose another name or remove it first")
        }
    }

    func run() async throws {
        let scryptLogN = try Self.scryptLogN(self.client.home.environment)
        let passphrase = try ArchivePassphrase.read(fileDescriptor: passphraseFileDescriptor, confirm: true)
        if let problem = ExportRequest.problem(with: passphrase) { throw ValidationError(problem) }
        let client = try self.client.makeClient()
        let output: FileHandle
        let partial = file + ".partial"
        if file == "-" {
            output = .standardOutput
        } else {
            let descriptor = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw DataTransferError.cannotWrite(partial) }
            output = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        }
        do {
            let summary = try await receive(
                from: client, request: ExportRequest(passphrase: passphrase, models: models, scryptLogN: scryptLogN), into: output)
            if file != "-" {
                try output.synchronize()
                try output.close()
                guard rename(partial, file) == 0 else { throw DataTransferError.cannotWrite(file) }
            }
            StandardError.write(
                "Exported \(summary.owner) as of \(summary.createdAt): \(summary.files) files, \(summary.chunks) chunks"
                    + (summary.models > 0 ? ", \(summary.models) models" : "")
                    + " (\(ProgressMeter.format(Double(summary.bytes))))"
                    + (file == "-" ? "." : " to \(file)."))
            StandardError.write("Checked: the owner's signature, every block's hash, and that the passphrase opens the key.")
            StandardError.write("Keep the passphrase: without it the archive cannot be imported. Next, on the new machine: haven import FILE")
        } catch {
            if file != "-" {
                try? output.close()
                unlink(partial)
            }
            throw error
        }
    }

    private struct Summary {
        var owner = ""
        var createdAt = ""
        var files = 0
        var chunks = 0
        var models = 0
        var bytes: Int64 = 0
    }

    /// Streams the archive from the server into `output`, reading it as it goes.
    private func receive(from client: HavenClient, request: ExportRequest, into output: FileHandle) async throws -> Summary {
        let body = try HavenClient.encoder.encode(request)
        let response = try await client.execute(client.makeRequest(.POST, "/haven/export", body: body), timeout: .hours(24))
        guard (200..<300).contains(response.status.code) else {
            _ = try await HavenClient.collect(response)
            throw ClientError.unexpectedResponse(status: Int(response.status.code), reason: "no archive came")
        }
        let meter = ProgressMeter(total: nil, label: "exporting")
        var reader = ArchiveReader()
        var summary = Summary()
        do {
            for try await buffer in response.body {
                let bytes = buffer.readableBytesView
                try output.write(contentsOf: bytes)
                summary.bytes += Int64(bytes.count)
                meter.update(summary.bytes)
                reader.append(bytes)
                while let item = try reader.next() {
                    switch item {
                    case .manifest(let manifest):
                        summary.owner = manifest.owner.description
                        summary.createdAt = manifest.createdAt
                        meter.update(summary.bytes, total: Self.expectedSize(of: manifest))
                    case .file(_, let isModel, _, let isLast) where isLast:
                        if isModel { summary.models += 1 } else { summary.files += 1 }
                    case .chunk, .sealedChunk: summary.chunks += 1
                    case .file: break
                    }
                }
            }
        } catch let error as ArchiveError {
            meter.finish()
            throw error
        } catch {
            meter.finish()
            throw ArchiveError.truncated(reason: "the server stopped sending it: \(error); see the server's log")
        }
        meter.finish()
        try reader.finish()
        guard let manifest = reader.manifest else { throw ArchiveError.truncated(reason: "it has no manifest") }
        do {
            _ = try manifest.identity.open(passphrase: request.passphrase, context: ExportManifest.identityContext(owner: manifest.owner))
        } catch {
            throw ArchiveError.exportFailed(reason: "the identity key in the archive does not open with the passphrase: \(error)")
        }
        return summary
    }

    /// scrypt's cost for the sealed key: the default, or `$HAVEN_SCRYPT_LOG2N` (for tests, which
    /// would spend seconds on each export otherwise), as for an encrypted home's keyring.
    private static func scryptLogN(_ environment: [String: String]) throws -> Int? {
        guard let text = environment["HAVEN_SCRYPT_LOG2N"], !text.isEmpty else { return nil }
        guard let value = Int(text), (10...20).contains(value) else {
            throw ValidationError("HAVEN_SCRYPT_LOG2N must be a whole number from 10 to 20, not \(text)")
        }
        return value
    }

    /// About how many bytes the archive has, for the progress bar: its files, chunks and models.
    private static func expectedSize(of manifest: ExportManifest) -> Int64 {
        (manifest.files + manifest.models).reduce(manifest.chunks.bytes) { $0 + $1.size }
    }
}
