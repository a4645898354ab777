import Foundation
import HavenAccess
import HavenInference
import Hummingbird

/// `/haven/jobs`: training jobs. Anyone with the `train` right on the data may start one (the
/// owner holds it on everything); each caller sees and cancels their own jobs, the owner all.
///
/// - `POST /haven/jobs` starts one (`dry_run`: only says what it would learn from)
/// - `GET /haven/jobs`, `GET /haven/jobs/ID`: progress and result
/// - `GET /haven/jobs/ID/logs`: the trainer's progress events and output
/// - `POST /haven/jobs/ID/cancel`: stops it within a step
struct JobController {
    let environment: ServerEnvironment

    var jobs: TrainingJobs { environment.training }
    var inference: InferenceService { environment.inference }

    static let maximumSteps = 20_000
    static let maximumRank = 128

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post(use: start)
        group.get(use: list)
        group.get(":id", use: show)
        group.get(":id/logs", use: logs)
        group.post(":id/cancel", use: cancel)
    }

    @Sendable func start(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: StartJobRequest.self, context: context)
        switch body.type ?? "train" {
        case "train": break
        case "describe": throw TrainingError.noVisionModel
        case let other: throw TrainingError.invalid("unknown job type '\(other)'; Haven runs 'train' jobs")
        }
        try ModelInstaller.validate(name: body.name)
        if try environment.catalog.model(named: body.name) != nil { throw RegistryError.modelNameTaken(body.name) }
        let steps = body.steps ?? 300
        let rank = body.rank ?? 8
        guard (1...Self.maximumSteps).contains(steps) else {
            throw TrainingError.invalid("steps must be from 1 to \(Self.maximumSteps)")
        }
        guard (1...Self.maximumRank).contains(rank) else { throw TrainingError.invalid("rank must be from 1 to \(Self.maximumRank)") }
        guard let base = try environment.catalog.model(named: body.base) else { throw InferenceError.modelNotFound(body.base) }
        guard try environment.catalog.modelProfile(of: body.base)?.base == nil else {
            throw ModelRecipeError.adapterBaseNotWeights(body.base)
        }
        try inference.checkInfer(body.base, caller: caller)

        let documents = try await TrainingDataReader(store: environment.store, gate: environment.gate)
            .read(body.data, caller: caller)
        let engine = try await inference.installedEngine(body.base)
        let dataset = try TrainingDataset.build(documents: documents) { pair in
            let prompt = try engine.renderChat(pair.dropLast().map { ($0.role, $0.content) })
            return prompt + pair.last!.content
        }
        guard !dataset.train.isEmpty, !dataset.heldOut.isEmpty else { throw TrainingError.noText(paths: body.data) }
        if body.dryRun == true {
            let plan = TrainingPlan(
                name: body.name, base: body.base, sources: dataset.sources, trainPassages: dataset.train.count,
                heldOutPassages: dataset.heldOut.count, trainerInstalled: jobs.isInstalled)
            return try context.responseEncoder.encode(plan, from: request, context: context)
        }
        guard jobs.isInstalled else { throw TrainingError.notInstalled }
        let job = try await jobs.submit(
            name: body.name, base: body.base, basePath: environment.modelsDirectory + "/" + base.file,
            principal: caller.principal, data: body.data, steps: steps, rank: rank, dataset: dataset,
            threads: environment.configuration.engineConfiguration.threads)
        context.logger.info("training job queued", metadata: ["job": "\(job.id)", "model": "\(job.name)"])
        var response = try context.responseEncoder.encode(job, from: request, context: context)
        response.status = .created
        return response
    }

    @Sendable func list(_ request: Request, context: HavenRequestContext) async throws -> TrainingJobList {
        let caller = try context.requireAuthentication()
        return TrainingJobList(
            jobs: try environment.catalog.trainingJobs(principal: caller.principal == .owner ? nil : caller.principal.description))
    }

    @Sendable func show(_ request: Request, context: HavenRequestContext) async throws -> TrainingJob {
        try job(request, context)
    }

    @Sendable func logs(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let job = try job(request, context)
        let folder = jobs.folder(of: job.id)
        var text = ""
        for file in ["progress.jsonl", "trainer.log"] {
            guard let handle = FileHandle(forReadingAtPath: folder + "/" + file) else { continue }
            defer { try? handle.close() }
            let end = (try? handle.seekToEnd()) ?? 0
            let start = end > 256 << 10 ? end - (256 << 10) : 0
            try? handle.seek(toOffset: start)
            let data = (try? handle.readToEnd()) ?? Data()
            text += "==> \(file) <==\n" + String(decoding: data, as: UTF8.self) + "\n"
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable func cancel(_ request: Request, context: HavenRequestContext) async throws -> TrainingJob {
        let job = try job(request, context)
        let cancelled = try await jobs.cancel(job.id)
        context.logger.info("training job cancelled", metadata: ["job": "\(job.id)"])
        return cancelled
    }

    /// The job the path names, if the caller started it or is the owner (others get 404: they
    /// do not learn that it exists).
    private func job(_ request: Request, _ context: HavenRequestContext) throws -> TrainingJob {
        let caller = try context.requireAuthentication()
        let id = try context.parameters.require("id")
        guard let job = try environment.catalog.trainingJob(id: id),
            caller.principal == .owner || job.principal == caller.principal.description
        else { throw TrainingError.jobNotFound(id) }
        return job
    }
}

extension TrainingError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .notInstalled: APIError(.serviceUnavailable, code: "trainer_not_installed", message: description)
        case .jobNotFound: APIError(.notFound, code: "job_not_found", message: description)
        case .nameBusy: APIError(.conflict, code: "job_name_busy", message: description)
        case .noText, .invalid: APIError(.badRequest, code: "invalid_job", message: description)
        case .noVisionModel: APIError(.conflict, code: "no_vision_model", message: description)
        case .tooMuchData: APIError(.contentTooLarge, code: "too_much_data", message: description)
        case .trainerFailed, .cannotWrite: APIError(.internalServerError, code: "training_failed", message: description)
        }
    }
}
