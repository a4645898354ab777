import ArgumentParser
import Foundation
import HavenServer

/// `haven describe`: has a vision model describe photos, so search finds them by what they
/// show; follows the job until it ends, unless `--detach`.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Describe photos with a vision model, so search finds them by what they show.",
        discussion: """
            Reads the photos (JPEG, PNG) at the paths given, or under the folders given, with your 'read' right, and \
            has the vision model (installed with 'haven model add FILE --mmproj PROJ') describe each one. A description \
            is kept with the photo and indexed beside its metadata; it is shown only to those who may read the photo. \
            Photos this model has described before are kept as they are. --dry-run lists the photos.
            """)
    @OptionGroup var client: ClientOptions
    @Argument(help: "Photos, or folders of photos, e.g. /photos/2025/.") var paths: [String]
    @Option(help: "The vision model that describes them.") var model: String
    @Flag(help: "Only list the photos it would describe.") var dryRun = false
    @Flag(help: "Start the job and return; follow it with 'haven job show ID'.") var detach = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one photo or folder of photos") }
    }

    func run() async throws {
        let client = try client.makeClient()
        var request = StartJobRequest(describing: paths, model: model)
        if dryRun {
            request.dryRun = true
            let plan: DescribePlan = try await client.post("/haven/jobs", body: request)
            print("Would describe \(plan.photos.count) photo(s) with \(plan.model):")
            for photo in plan.photos { print("  " + photo) }
            return
        }
        let job: TrainingJob = try await client.post("/haven/jobs", body: request)
        StandardError.write("Job \(job.id): describing \(job.steps) photo(s) with \(job.base).")
        try await JobCommand.follow(job, client: client, detach: detach)
    }
}
