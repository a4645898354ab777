import Foundation
import HavenAccess
import HavenInference
import HavenKnowledge
import HavenStore
import Hummingbird

/// `/haven/jobs`: training jobs and describe jobs. Anyone with the `train` right on the data may
/// start a training job (the owner holds it on everything); anyone who may read photos and use
/// a vision model may have them described (`"type": "describe"`). Each caller sees and cancels
/// their own jobs, the owner all.
///
/// - `POST /haven/jobs` starts one (`dry_run`: only says what it would learn from or describe)
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
        case "describe": return try await startDescribe(body, caller: caller, request: request, context: context)
        case let other: throw TrainingError.invalid("unknown job type '\(other)'; Haven runs 'train' and 'describe' jobs")
        }
        guard let name = body.name, let baseName = body.base else {
            throw TrainingError.invalid("a training job needs 'name' (the adapter it makes) and 'base' (the model it trains)")
        }
        try ModelInstaller.validate(name: name)
        if try environment.catalog.model(named: name) != nil { throw RegistryError.modelNameTaken(name) }
        let steps = body.steps ?? 300
        let rank = body.rank ?? 8
        guard (1...Self.maximumSteps).contains(steps) else {
            throw TrainingError.invalid("steps must be from 1 to \(Self.maximumSteps)")
        }
        guard (1...Self.maximumRank).contains(rank) else { throw TrainingError.invalid("rank must be from 1 to \(Self.maximumRank)") }
        guard let base = try environment.catalog.model(named: baseName) else { throw InferenceError.modelNotFound(baseName) }
        guard try environment.catalog.modelProfile(of: baseName)?.base == nil else {
            throw ModelRecipeError.adapterBaseNotWeights(baseName)
        }
        try inference.checkInfer(baseName, caller: caller)

        let documents = try await TrainingDataReader(store: environment.store, gate: environment.gate)
            .read(body.data, caller: caller)
        let engine = try await inference.installedEngine(baseName)
        let dataset = try TrainingDataset.build(documents: documents) { pair in
            let prompt = try engine.renderChat(pair.dropLast().map { ($0.role, $0.content) })
            return prompt + pair.last!.content
        }
        guard !dataset.train.isEmpty, !dataset.heldOut.isEmpty else { throw TrainingError.noText(paths: body.data) }
        if body.dryRun == true {
            let plan = TrainingPlan(
                name: name, base: baseName, sources: dataset.sources, trainPassages: dataset.train.count,
                heldOutPassages: dataset.heldOut.count, trainerInstalled: jobs.isInstalled)
            return try context.responseEncoder.encode(plan, from: request, context: context)
        }
        guard jobs.isInstalled else { throw TrainingError.notInstalled }
        let job = try await jobs.submit(
            name: name, base: baseName, basePath: environment.modelsDirectory + "/" + base.file,
            principal: caller.principal, data: body.data, steps: steps, rank: rank, dataset: dataset,
            threads: environment.configuration.engineConfiguration.threads)
        context.logger.info("training job queued", metadata: ["job": "\(job.id)", "model": "\(job.name)"])
        var response = try context.responseEncoder.encode(job, from: request, context: context)
        response.status = .created
        return response
    }

    /// Starts a describe job: every photo (JPEG, PNG) under `data` that the caller may read,
    /// each read decided and audited now, described by the vision model they may use.
    private func startDescribe(
        _ body: StartJobRequest, caller: Authentication, request: Request, context: HavenRequestContext
    ) async throws -> Response {
        guard let model = body.model ?? body.base else {
            throw TrainingError.invalid("a describe job needs 'model': the vision model that describes the photos")
        }
        guard body.steps == nil, body.rank == nil, body.name == nil else {
            throw TrainingError.invalid("'name', 'steps' and 'rank' belong to training jobs; a describe job takes 'model' and 'data'")
        }
        guard try environment.catalog.model(named: model) != nil else { throw InferenceError.modelNotFound(model) }
        try inference.checkInfer(model, caller: caller)
        guard try environment.catalog.modelProjector(for: model) != nil else { throw TrainingError.noVisionModel }
        guard !body.data.isEmpty else { throw TrainingError.invalid("give at least one data path of photos, e.g. /photos/") }
        var photos: [DescribePhoto] = []
        var seen: Set<String> = []
        for text in body.data {
            let path = try DataPath(parsing: text)
            try environment.gate.require(caller, .read, path)
            let files: [FileVersion]
            if path.isDirectory {
                files = try environment.store.currentFiles(under: path)
            } else {
                guard let version = try environment.store.version(of: path), !version.isDeletion else {
                    throw StoreError.notFound(path)
                }
                files = [version]
            }
            for file in files where DocumentKind.detect(mediaType: file.mediaType, name: file.path.name) == .image {
                guard let content = file.id, seen.insert(file.path.string).inserted else { continue }
                photos.append(DescribePhoto(path: file.path.string, content: content.description))
            }
        }
        guard photos.count <= Self.maximumPhotos else {
            throw TrainingError.tooMuchData(limit: "\(Self.maximumPhotos) photos")
        }
        guard !photos.isEmpty else {
            throw TrainingError.invalid("no photos (JPEG or PNG) under " + body.data.joined(separator: ", "))
        }
        if body.dryRun == true {
            return try context.responseEncoder.encode(
                DescribePlan(model: model, photos: photos.map(\.path)), from: request, context: context)
        }
        let job = try await jobs.submitDescribe(model: model, principal: caller.principal, data: body.data, photos: photos)
        context.logger.info("describe job queued", metadata: ["job": "\(job.id)", "model": "\(model)", "photos": "\(photos.count)"])
        var response = try context.responseEncoder.encode(job, from: request, context: context)
        response.status = .created
        return response
    }

    static let maximumPhotos = 10_000

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
        for file in job.type == .describe ? ["describe.log"] : ["progress.jsonl", "trainer.log"] {
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
