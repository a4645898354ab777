import ArgumentParser
import AsyncHTTPClient
import Foundation
import HavenS3
import HavenServer

/// `haven store`: where the home's chunks are kept.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Check where this home's chunks are kept, and move them to an S3-compatible bucket.",
        subcommands: [Check.self, Migrate.self]
    )

    /// `haven store check`: runs ``S3BucketCheck`` against the bucket of `[store]` in `haven.toml`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check that the S3-compatible bucket of [store] in haven.toml works as Haven needs.",
            discussion: """
                Writes, reads (whole and a range), lists and deletes one throwaway object, and checks that \
                a second write of it is refused (If-None-Match: *). Run it before setting backend = "s3".
                """
        )

        @OptionGroup var home: HomeOption

        func run() async throws {
            let home = home.resolve()
            let configuration = try Configuration.resolve(environment: self.home.environment, file: home.readConfigurationFile())
            guard let settings = configuration.s3 else {
                throw ValidationError(
                    "haven.toml has no S3 bucket: set endpoint, bucket and credentials_file under [store]")
            }
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let outcome: Result<[String], S3Error>
            do throws(S3Error) {
                let client = try settings.makeClient(http: http)
                outcome = .success(try await S3BucketCheck.run(client, prefix: settings.prefix))
            } catch {
                outcome = .failure(error)
            }
            try await http.shutdown()
            for line in try outcome.get() { print("ok  \(line)") }
        }
    }
}
