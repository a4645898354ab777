import ArgumentParser
import Foundation
import HavenServer

/// `haven train`: starts a training job that makes a LoRA adapter from the person's own files,
/// and follows it (step, loss) until it ends, unless `--detach`.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a LoRA adapter on your own files, installed as model NAME if it helps.",
        discussion: """
            Reads the data paths (files, or folders and everything under them: text, Markdown, HTML, mail, PDF, \
            chat transcripts as JSON) with your 'train' right, holds some passages out, trains with PyTorch + PEFT \
            (installed once by 'scripts/setup training'), then measures perplexity on the held-out passages and on a \
            neutral control text. The adapter is installed only if held-out perplexity falls and control perplexity \
            stays within 10% of the base model's. --dry-run shows what it would learn from.
            """)
    @OptionGroup var client: ClientOptions
    @Argument(help: "The adapter's model name.") var name: String
    @Option(help: "The installed model to train on.") var base: String
    @Option(name: .customLong("data"), parsing: .upToNextOption, help: "Data paths to learn from, e.g. /notes/ /mail/2025/.")
    var data: [String]
    @Option(help: "Training steps (each 4 sequences of 128 tokens).") var steps: Int?
    @Option(help: "LoRA rank.") var rank: Int?
    @Flag(help: "Only show what the job would learn from.") var dryRun = false
    @Flag(help: "Start the job and return; follow it with 'haven job show ID'.") var detach = false

    func validate() throws {
        if data.isEmpty { throw ValidationError("give --data with at least one path to learn from") }
    }

    func run() async throws {
        let client = try client.makeClient()
        let request = StartJobRequest(name: name, base: base, data: data, steps: steps, rank: rank, dryRun: dryRun ? true : nil)
        if dryRun {
            let plan: TrainingPlan = try await client.post("/haven/jobs", body: request)
            print("Would train \(plan.name) on \(plan.base) from \(plan.sources.count) file(s):")
            for source in plan.sources { print("  " + source) }
            print("\(plan.trainPassages) passages to train on, \(plan.heldOutPassages) held out.")
            if !plan.trainerInstalled { StandardError.write("Training is not installed here: run 'scripts/setup training'.") }
            return
        }
        let job: TrainingJob = try await client.post("/haven/jobs", body: request)
        StandardError.write("Job \(job.id): training \(job.name) on \(job.base) (\(job.trainPassages) passages, \(job.heldOutPassages) held out).")
        try await JobCommand.follow(job, client: client, detach: detach)
    }
}

/// `haven job`: training jobs: list, show, logs, cancel.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "List, inspect and cancel jobs (training, describing photos).",
        subcommands: [List.self, Show.self, Logs.self, Cancel.self])

    static func progress(_ job: TrainingJob) -> String {
        var line = "\(job.id) \(job.state.rawValue) \(job.type == .describe ? "photo" : "step") \(job.step)/\(job.steps)"
        if let loss = job.loss { line += String(format: " loss %.3f", loss) }
        return line
    }

    /// Prints the job's id and returns when `detach`; otherwise shows its progress on standard
    /// error as it changes until the job ends, prints its outcome, and fails unless it is done.
    static func follow(_ started: TrainingJob, client: HavenClient, detach: Bool) async throws {
        if detach {
            print(started.id)
            return
        }
        var job = started
        var shown = ""
        while !job.state.isFinished {
            try await Task.sleep(for: .seconds(1))
            job = try await client.get("/haven/jobs/\(job.id)")
            let line = progress(job)
            if line != shown {
                StandardError.write(line)
                shown = line
            }
        }
        print(job.message ?? job.state.rawValue)
        if job.state != .done { throw ExitCode(1) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs (yours; the owner sees all).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let list: TrainingJobList = try await client.makeClient().get("/haven/jobs")
            let rows = list.jobs.map { job in
                [
                    job.id, job.type.rawValue, job.name, job.base, job.state.rawValue, "\(job.step)/\(job.steps)",
                    job.installed ? "installed" : "",
                ]
            }
            print(TokenCommand.List.table(header: ["ID", "TYPE", "NAME", "MODEL", "STATE", "STEP", "RESULT"], rows: rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job as JSON: progress, figures, result.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The job's id.") var id: String

        func run() async throws {
            print(String(decoding: try await client.makeClient().getRaw("/haven/jobs/\(id)"), as: UTF8.self))
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a job's progress events and trainer output.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The job's id.") var id: String

        func run() async throws {
            print(String(decoding: try await client.makeClient().getRaw("/haven/jobs/\(id)/logs"), as: UTF8.self))
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job; a running one stops within a step.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The job's id.") var id: String

        func run() async throws {
            let job: TrainingJob = try await client.makeClient().post("/haven/jobs/\(id)/cancel", body: [String: String]())
            StandardError.write("\(job.id): \(job.state.rawValue)")
        }
    }
}
