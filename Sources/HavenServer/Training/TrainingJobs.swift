import Foundation
import HavenAccess
import HavenIdentity
import HavenInference
import HavenKnowledge
import HavenStore
import Logging

/// The training jobs of one server: a queue run one job at a time, below interactive inference
/// (the trainer runs under `nice`, and evaluation uses the engine's background share).
///
/// A job's directory (`jobs/ID/`, mode 0700: it holds the person's text) has what the trainer
/// reads (`job.json`, `train.jsonl`), what Haven judges with (`heldout.jsonl`), and what the
/// trainer writes (`progress.jsonl`, `checkpoint/`, `adapter.gguf`, `trainer.log`). After
/// training, the adapter's perplexity on held-out and control text is measured by Haven's own
/// engine at a few scales, and the adapter is installed at the best scale only if held-out
/// perplexity improves and control perplexity stays within ``controlBound`` of the base's.
public actor TrainingJobs {
    let catalog: Catalog
    let audit: AuditLog
    let directory: String
    let trainer: Trainer?
    let inference: InferenceService
    let store: DataStore
    let indexer: Indexer
    let logger: Logger

    /// Scales of the adapter the evaluation tries.
    static let scales: [Double] = [0.5, 1, 1.5]
    /// Control perplexity may rise by at most this factor over the base's (10 %).
    static let controlBound = 1.10
    /// Held-out perplexity must fall by at least this factor (1 %) to count as an improvement.
    static let requiredGain = 0.99

    private var wakeups: AsyncStream<Void>.Continuation
    private let stream: AsyncStream<Void>
    private var process: Process?
    private var current: String?
    private var cancelRequested: Set<String> = []
    private var shuttingDown = false

    init(
        catalog: Catalog, audit: AuditLog, directory: String, trainer: Trainer?, inference: InferenceService, store: DataStore,
        indexer: Indexer, logger: Logger
    ) {
        self.catalog = catalog
        self.store = store
        self.indexer = indexer
        self.audit = audit
        self.directory = directory
        self.trainer = trainer
        self.inference = inference
        self.logger = logger
        (stream, wakeups) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Whether training can run here (the trainer is installed).
    public nonisolated var isInstalled: Bool { trainer != nil }

    // MARK: Submitting and cancelling

    /// Queues a job to make adapter `name` on `base` from `dataset`, started by `principal`.
    func submit(
        name: String, base: String, basePath: String, principal: Principal, data: [String], steps: Int, rank: Int,
        dataset: TrainingDataset, threads: Int
    ) throws -> TrainingJob {
        if try catalog.trainingJobs().contains(where: { $0.name == name && !$0.state.isFinished }) {
            throw TrainingError.nameBusy(name)
        }
        let (id, folder) = try makeFolder()
        let settings: [String: Any] = [
            "base_model": basePath, "rank": rank, "alpha": rank * 2, "steps": steps, "seed": 42,
            "threads": max(1, threads), "checkpoint_every": max(1, min(25, steps / 4)),
        ]
        try write(try JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys]), to: folder + "/job.json")
        try write(Self.jsonLines(dataset.train), to: folder + "/train.jsonl")
        try write(Self.jsonLines(dataset.heldOut), to: folder + "/heldout.jsonl")
        let job = TrainingJob(
            id: id, type: .train, name: name, base: base, principal: principal.description, data: data, steps: steps, rank: rank,
            state: .queued, step: 0, loss: nil, trainPassages: dataset.train.count, heldOutPassages: dataset.heldOut.count,
            message: trainer == nil ? Trainer.notInstalled : nil, result: nil, installed: false, createdAt: Date(),
            startedAt: nil, finishedAt: nil)
        try catalog.saveTrainingJob(job)
        wakeups.yield()
        return job
    }

    /// Queues a job that describes `photos` with vision model `model` (its projector at
    /// `projector`), started by `principal`, who may read them all.
    func submitDescribe(model: String, principal: Principal, data: [String], photos: [DescribePhoto]) throws -> TrainingJob {
        let (id, folder) = try makeFolder()
        var lines = Data()
        for photo in photos {
            lines += try JSONEncoder().encode(photo)
            lines.append(0x0A)
        }
        try write(lines, to: folder + "/photos.jsonl")
        let job = TrainingJob(
            id: id, type: .describe, name: "describe-" + id.dropFirst(4), base: model, principal: principal.description,
            data: data, steps: photos.count, rank: 0, state: .queued, step: 0, loss: nil, trainPassages: 0, heldOutPassages: 0,
            message: nil, result: nil, installed: false, createdAt: Date(), startedAt: nil, finishedAt: nil)
        try catalog.saveTrainingJob(job)
        wakeups.yield()
        return job
    }

    /// A new job's id and its directory (mode 0700).
    private func makeFolder() throws -> (id: String, folder: String) {
        let id = "job-" + (0..<12).map { _ in String(Int.random(in: 0..<36), radix: 36) }.joined()
        let folder = directory + "/" + id
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        return (id, folder)
    }

    /// Cancels a job: a queued one at once, a running one within a step (the trainer checkpoints
    /// and stops), one being evaluated when its evaluation ends.
    func cancel(_ id: String) throws -> TrainingJob {
        guard var job = try catalog.trainingJob(id: id) else { throw TrainingError.jobNotFound(id) }
        guard !job.state.isFinished else { return job }
        if current == id {
            cancelRequested.insert(id)
            job.state = .cancelling
            try catalog.saveTrainingJob(job)
            process?.terminate()
            return job
        }
        job.state = .cancelled
        job.finishedAt = Date()
        job.message = "cancelled before it started"
        try catalog.saveTrainingJob(job)
        return job
    }

    /// The job's directory, for its logs.
    nonisolated func folder(of id: String) -> String { directory + "/" + id }

    // MARK: Running

    /// Runs queued jobs, one at a time, until `shutdown()`. Jobs that were running when the
    /// server stopped are queued again first, to resume from their checkpoints.
    func run() async {
        do {
            for var job in try catalog.trainingJobs() where [.running, .evaluating, .cancelling].contains(job.state) {
                job.state = job.state == .cancelling ? .cancelled : .queued
                if job.state == .cancelled { job.finishedAt = Date() }
                try catalog.saveTrainingJob(job)
            }
        } catch {
            logger.error("cannot read the training jobs", metadata: ["error": "\(error)"])
        }
        wakeups.yield()
        for await _ in stream {
            while !shuttingDown, let job = try? catalog.trainingJobs().filter({ $0.state == .queued }).last {
                await execute(job)
            }
            if shuttingDown { break }
        }
    }

    /// Stops the running trainer (it checkpoints) and leaves its job queued for the next start.
    func shutdown() {
        shuttingDown = true
        process?.terminate()
        wakeups.finish()
    }

    private func execute(_ queued: TrainingJob) async {
        var job = queued
        current = job.id
        defer {
            current = nil
            process = nil
            cancelRequested.remove(job.id)
        }
        let folder = folder(of: job.id)
        job.state = .running
        job.startedAt = job.startedAt ?? Date()
        job.message = nil
        save(job)
        if job.type == .describe {
            await describe(&job, folder: folder)
            return
        }
        do {
            var progress = TrainerProgress()
            progress.read((try? String(contentsOfFile: folder + "/progress.jsonl", encoding: .utf8)) ?? "")
            if !progress.done || !FileManager.default.fileExists(atPath: folder + "/adapter.gguf") {
                guard let trainer else { throw TrainingError.notInstalled }
                let status = try await train(&job, folder: folder, trainer: trainer)
                if shuttingDown {
                    job.state = .queued
                    save(job)
                    return
                }
                if cancelRequested.contains(job.id) || status == 3 {
                    finish(&job, .cancelled, message: "cancelled at step \(job.step) of \(job.steps)")
                    return
                }
                var final = TrainerProgress()
                final.read((try? String(contentsOfFile: folder + "/progress.jsonl", encoding: .utf8)) ?? "")
                guard status == 0, final.done else {
                    throw TrainingError.trainerFailed(final.error ?? "the trainer exited with status \(status); see its logs")
                }
            }
            job.state = .evaluating
            save(job)
            try await evaluateAndInstall(&job, folder: folder)
        } catch {
            finish(&job, .failed, message: "\(error)")
        }
    }

    // MARK: Describing photos

    /// The instruction a vision model is given with each photo.
    static let describeInstruction =
        "Describe this photo in one or two sentences: what it shows, where it seems to be, and who or what is in it."
    /// Photos larger than this many pixels are not decoded (a picture's pixels take 3 bytes each).
    static let maximumPixels = 50_000_000

    /// Describes each photo from the job's next one on (a restarted job goes on where it
    /// stopped), stores each description with the photo's content and re-indexes the photo, so
    /// search finds it by what it shows. A photo already described by this model, changed since
    /// the job started, or unreadable is counted and left.
    private func describe(_ job: inout TrainingJob, folder: String) async {
        let photos: [DescribePhoto] = ((try? String(contentsOfFile: folder + "/photos.jsonl", encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { try? JSONDecoder().decode(DescribePhoto.self, from: Data($0.utf8)) }
        var described = 0
        var left: [String] = []
        let log = FileHandle(forWritingAtPath: folder + "/describe.log") ?? {
            FileManager.default.createFile(atPath: folder + "/describe.log", contents: nil, attributes: [.posixPermissions: 0o600])
            return FileHandle(forWritingAtPath: folder + "/describe.log")
        }()
        _ = try? log?.seekToEnd()
        defer { try? log?.close() }
        func note(_ photo: DescribePhoto, _ outcome: [String: String]) {
            var line = outcome
            line["path"] = photo.path
            if let data = try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) {
                try? log?.write(contentsOf: data + Data([0x0A]))
            }
        }
        do {
            guard let projector = try catalog.modelProjector(for: job.base) else { throw TrainingError.noVisionModel }
            let engine = try await inference.installedEngine(job.base)
            let projectorPath = inference.modelsDirectory + "/" + projector.file
            while job.step < photos.count {
                if shuttingDown {
                    job.state = .queued
                    save(job)
                    return
                }
                if cancelRequested.contains(job.id) {
                    finish(&job, .cancelled, message: "cancelled after \(job.step) of \(photos.count) photos")
                    return
                }
                let photo = photos[job.step]
                do {
                    let path = try DataPath(parsing: photo.path)
                    guard let version = try store.version(of: path), let content = version.id,
                        content.description == photo.content
                    else {
                        left.append(photo.path + " (changed since the job started)")
                        note(photo, ["skipped": "changed since the job started"])
                        job.step += 1
                        save(job)
                        continue
                    }
                    if let existing = try catalog.imageDescription(of: content), existing.model == job.base {
                        note(photo, ["description": existing.text, "kept": "described before"])
                    } else {
                        let bytes = try await store.contents(of: version)
                        let metadata = try ImageMetadata.read(bytes)
                        // The size is known before any pixel is decoded, so a decompression bomb is never opened.
                        guard let width = metadata.width, let height = metadata.height else {
                            throw VisionError.evaluationFailed("the picture does not state its size")
                        }
                        guard width.multipliedReportingOverflow(by: height).partialValue <= Self.maximumPixels,
                            width <= 1 << 16, height <= 1 << 16
                        else { throw VisionError.evaluationFailed("\(width)×\(height) pixels is more than Haven decodes") }
                        let text = try await engine.describe(
                            image: bytes, projector: projectorPath, instruction: Self.describeInstruction)
                        try catalog.saveImageDescription(
                            ImageDescription(content: content, model: job.base, text: text, createdAt: Date()))
                        await indexer.enqueue(path)
                        note(photo, ["description": text])
                    }
                    described += 1
                } catch {
                    left.append(photo.path + " (\(error))")
                    note(photo, ["error": "\(error)"])
                }
                job.step += 1
                save(job)
            }
            let summary = "described \(described) of \(photos.count) photos with \(job.base)"
            finish(&job, .done, message: left.isEmpty ? summary : summary + "; left: " + left.prefix(5).joined(separator: ", "))
        } catch {
            finish(&job, .failed, message: "\(error)")
        }
    }

    /// Runs the trainer until it exits, folding its progress into the job; returns its status.
    private func train(_ job: inout TrainingJob, folder: String, trainer: Trainer) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
        process.arguments = ["-n", "19", trainer.python, trainer.script, folder]
        var environment = ProcessInfo.processInfo.environment
        if let llama = trainer.llamaPython {
            environment["HAVEN_LLAMA_PYTHON"] = llama
            environment["PYTHONPATH"] = ([llama + "/gguf-py"] + [environment["PYTHONPATH"]].compactMap { $0 })
                .joined(separator: ":")
        }
        environment["HAVEN_PARENT_PID"] = String(getpid())
        process.environment = environment
        FileManager.default.createFile(atPath: folder + "/trainer.log", contents: nil, attributes: [.posixPermissions: 0o600])
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/trainer.log"))
        _ = try? log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        logger.info("training started", metadata: ["job": "\(job.id)", "model": "\(job.name)"])
        var offset: UInt64 = 0
        while process.isRunning {
            try? await Task.sleep(for: .milliseconds(500))
            readProgress(&job, folder: folder, offset: &offset)
        }
        readProgress(&job, folder: folder, offset: &offset)
        try? log.close()
        return process.terminationStatus
    }

    private func readProgress(_ job: inout TrainingJob, folder: String, offset: inout UInt64) {
        guard let handle = FileHandle(forReadingAtPath: folder + "/progress.jsonl") else { return }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        guard let data = try? handle.readToEnd(), let end = data.lastIndex(of: 0x0A) else { return }
        let complete = data[data.startIndex...end]
        offset += UInt64(complete.count)
        var progress = TrainerProgress(step: job.step, steps: job.steps, loss: job.loss)
        progress.read(String(decoding: complete, as: UTF8.self))
        guard progress.step != job.step || progress.loss != job.loss else { return }
        job.step = progress.step
        job.loss = progress.loss
        // A cancel asked for meanwhile stays visible until the trainer has stopped.
        if cancelRequested.contains(job.id) { job.state = .cancelling }
        save(job)
    }

    /// Measures base and adapter on held-out and control text, and installs the adapter at the
    /// best scale if it helps without damaging the model.
    private func evaluateAndInstall(_ job: inout TrainingJob, folder: String) async throws {
        let engine = try await inference.installedEngine(job.base)
        let heldOut = Self.readJSONLines(folder + "/heldout.jsonl").map { engine.tokenize($0) }
        let control = ControlText.paragraphs.map { engine.tokenize($0) }
        let adapterPath = folder + "/adapter.gguf"
        func measure(_ spec: AdapterSpec?) async throws -> AdapterTraining.ScaleEvaluation {
            let measured = try await engine.perplexities(of: [heldOut, control], adapter: spec)
            return .init(
                scale: Double(spec?.scale ?? 0), heldOut: measured[0].value ?? .nan, control: measured[1].value ?? .nan)
        }
        var evaluations = [try await measure(nil)]
        for scale in Self.scales {
            if cancelRequested.contains(job.id) { break }
            evaluations.append(try await measure(AdapterSpec(path: adapterPath, scale: Float(scale))))
        }
        if cancelRequested.contains(job.id) {
            finish(&job, .cancelled, message: "cancelled during evaluation")
            return
        }
        let base = evaluations[0]
        let choice = Self.choose(evaluations)
        var result = AdapterTraining(
            job: job.id, data: job.data, steps: job.steps, rank: job.rank, evaluation: evaluations,
            chosenScale: choice?.scale ?? 0)
        job.result = result
        guard let choice else {
            finish(
                &job, .done,
                message: String(
                    format: "not installed: no scale lowered held-out perplexity (base %.2f) while keeping control perplexity within %d%% of the base's (%.2f)",
                    base.heldOut, Int((Self.controlBound - 1) * 100 + 0.5), base.control))
            return
        }
        result.chosenScale = choice.scale
        job.result = result
        let installer = AdapterInstaller(installer: ModelInstaller(directory: inference.modelsDirectory, catalog: catalog))
        _ = try installer.install(from: adapterPath, base: job.base, name: job.name, scale: choice.scale, training: result)
        let principal = try Principal(parsing: job.principal)
        if principal != .owner {
            try catalog.insertGrant(
                Grant(
                    id: "g" + APIToken.generate().id.rawValue, principal: principal, rights: [.infer],
                    resource: "models/" + job.name, purpose: "trained by job \(job.id)", createdAt: Date(), expiresAt: nil,
                    revokedAt: nil))
        }
        job.installed = true
        finish(
            &job, .done,
            message: String(
                format: "installed as %@ at scale %.1f: held-out perplexity %.2f → %.2f, control %.2f → %.2f", job.name,
                choice.scale, base.heldOut, choice.heldOut, base.control, choice.control))
        logger.info("adapter trained and installed", metadata: ["job": "\(job.id)", "model": "\(job.name)"])
    }

    /// The evaluation to install: the lowest held-out perplexity among the adapter's scales that
    /// beat the base's by ``requiredGain`` and keep control within ``controlBound``; `nil` if none.
    static func choose(_ evaluations: [AdapterTraining.ScaleEvaluation]) -> AdapterTraining.ScaleEvaluation? {
        guard let base = evaluations.first(where: { $0.scale == 0 }) else { return nil }
        return evaluations.filter { evaluation in
            evaluation.scale > 0 && evaluation.heldOut.isFinite && evaluation.control.isFinite
                && evaluation.heldOut < base.heldOut * requiredGain && evaluation.control <= base.control * controlBound
        }.min { $0.heldOut < $1.heldOut }
    }

    private func finish(_ job: inout TrainingJob, _ state: TrainingJob.State, message: String) {
        job.state = state
        job.message = message
        job.finishedAt = Date()
        save(job)
        logger.info("training job ended", metadata: ["job": "\(job.id)", "state": "\(state.rawValue)", "message": "\(message)"])
    }

    private func save(_ job: TrainingJob) {
        do {
            try catalog.saveTrainingJob(job)
        } catch {
            logger.error("cannot save training job", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    private func write(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw TrainingError.cannotWrite(path)
        }
    }

    static func jsonLines(_ texts: [String]) throws -> Data {
        var data = Data()
        for text in texts {
            data += try JSONSerialization.data(withJSONObject: ["text": text], options: [.sortedKeys])
            data.append(0x0A)
        }
        return data
    }

    static func readJSONLines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["text"] as? String
        }
    }
}
