import ArgumentParser
import AsyncHTTPClient
import Foundation
import HavenS3
import HavenServer
import HavenStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StoreCommand {
    /// `haven store migrate --to s3`: moves the home's chunks into the bucket of `[store]`
    /// (``ChunkMigration``), then sets `backend = "s3"` in `haven.toml`.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Move this home's chunks from objects/ into the S3-compatible bucket of [store].",
            discussion: """
                Sends every chunk with a write-once put and reads it back to verify it, recording each verified \
                chunk in s3-migration.log, so an interrupted run resumes without sending them again. The server \
                may keep running: later passes catch the chunks it writes meanwhile. When every chunk the catalog \
                references is verified in the bucket, haven.toml is set to backend = "s3"; restart the server then. \
                The local chunk files are removed at once if no server is running, else when the server next starts.
                """
        )

        @OptionGroup var home: HomeOption

        @Option(name: .long, help: ArgumentHelp("Where to move the chunks: s3.", valueName: "backend"))
        var to: String

        func validate() throws {
            guard to == StoreBackend.s3.rawValue else {
                throw ValidationError("--to must be s3: chunks can be moved to an S3-compatible bucket only")
            }
        }

        func run() async throws {
            let home = home.resolve()
            try home.validate()
            let environment = self.home.environment
            let configuration = try Configuration.resolve(environment: environment, file: home.readConfigurationFile())
            guard configuration.storeBackend == .files else { throw MigrationError.alreadyOnS3 }
            guard let settings = configuration.s3 else { throw MigrationError.noBucket }
            // Shared, like a server: `haven encrypt` cannot start meanwhile; servers can.
            var lock: HomeLock? = try HomeLock.acquire(home, .shared)
            guard home.encryptionState != .unfinished else { throw HomeError.encryptionUnfinished(path: home.path) }
            // Only chunk rows are read, which are not sealed: no key is needed.
            let catalog = try home.openCatalog()
            let stopAfter = environment["HAVEN_MIGRATE_STOP_AFTER"].flatMap(Int.init)

            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let outcome: Result<ChunkMigration.Report, MigrationError>
            let migration: ChunkMigration
            do throws(S3Error) {
                migration = ChunkMigration(
                    source: FileChunkStorage(root: home.objectsDirectory),
                    bucket: S3ChunkStorage(client: try settings.makeClient(http: http), prefix: settings.prefix),
                    catalog: catalog, logPath: home.path + "/s3-migration.log",
                    encrypted: home.encryptionState == .encrypted)
            } catch {
                try await http.shutdown()
                throw MigrationError.bucket(error)
            }
            var lastShown = -1
            var shownPass = 0
            do throws(MigrationError) {
                outcome = .success(
                    try await migration.run(
                        progress: { progress in
                            if shownPass == 0 {
                                StandardError.write("moving the chunks of \(home.path) to bucket \(settings.bucket) at \(settings.endpoint)")
                            }
                            if progress.pass != shownPass {
                                shownPass = progress.pass
                                lastShown = -1
                            }
                            // About every tenth of a pass, and its end.
                            let step = max(1, progress.total / 10)
                            guard progress.done == progress.total || progress.done / step != lastShown else { return }
                            lastShown = progress.done / step
                            StandardError.write(
                                "pass \(progress.pass): \(progress.done)/\(progress.total) chunks, "
                                    + "\(Self.size(progress.bytes)) sent and verified")
                        },
                        recorded: { sent in
                            // Tests interrupt a migration here, as a kill -9 would, once `sent` chunks are recorded.
                            if let stopAfter, sent >= stopAfter { kill(getpid(), SIGKILL) }
                        }))
            } catch {
                outcome = .failure(error)
            }
            try await http.shutdown()
            let report = try outcome.get()

            let text = try home.readConfigurationFile() ?? ""
            let updated = ConfigurationText.setting(storeBackend: .s3, in: text)
            guard (try? Configuration.resolve(file: updated))?.storeBackend == .s3 else {
                throw MigrationError.state(path: home.configurationFile, reason: "setting [store] backend = \"s3\" in it failed")
            }
            try home.replaceConfigurationFile(with: updated)

            print(
                "sent \(report.uploaded) chunks, \(report.alreadyInBucket) already in the bucket "
                    + "(\(Self.size(report.bytes)) read back and verified), "
                    + "\(report.verifiedEarlier) verified by an earlier run and not sent again")
            print(
                "verified: every chunk the catalog references is in bucket \(settings.bucket) "
                    + "(\(report.checkedInBucket) found by a final head each; \(report.passes) passes)")
            print("haven.toml now says [store] backend = \"s3\"")
            // With no server on the home, the local copies can go now.
            lock = nil
            if let exclusive = try? HomeLock.acquire(home, .exclusive) {
                let removed = migration.removeVerifiedLocalChunks()
                withExtendedLifetime(exclusive) {}
                print("removed \(removed) chunk files from objects/; start the server with 'haven serve'")
            } else {
                print(
                    "restart the server ('haven serve') to use the bucket; it removes the local chunk files "
                        + "from objects/ as it starts")
            }
            _ = lock
        }

        static func size(_ bytes: Int64) -> String {
            bytes >= 1 << 20 ? String(format: "%.1f MiB", Double(bytes) / 1_048_576) : "\(bytes / 1024) KiB"
        }
    }
}
