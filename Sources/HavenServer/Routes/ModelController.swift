import Foundation
import HavenInference
import Hummingbird

/// `/haven/models`: installed models; the owner adds and removes them.
struct ModelController {
    let service: InferenceService

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get(use: list)
        group.get(":name", use: show)
        group.post(use: add)
        group.delete(":name", use: remove)
    }

    private var installer: ModelInstaller {
        ModelInstaller(directory: service.modelsDirectory, catalog: service.catalog)
    }

    private func describe(_ record: ModelRecord, loaded: Set<String>) -> ModelInfo {
        let upstreams = record.file.isEmpty ? service.upstreams.upstreams(serving: record.name) : []
        let engine = (try? service.engineName(of: record.name)) ?? record.name
        return ModelInfo(
            name: record.name, file: record.file, sizeBytes: record.sizeBytes, addedAt: record.addedAt,
            architecture: record.architecture, sizeLabel: record.sizeLabel, loaded: loaded.contains(engine),
            upstreams: upstreams.isEmpty ? nil : upstreams, adapter: try? service.catalog.modelAdapter(named: record.name),
            projector: try? service.catalog.modelProjector(for: record.name))
    }

    private func loadedNames() async -> Set<String> {
        Set(await service.loaded.loaded().map(\.name))
    }

    @Sendable func list(_ request: Request, context: HavenRequestContext) async throws -> ModelInfoList {
        let caller = try context.requireAuthentication()
        let loaded = await loadedNames()
        return ModelInfoList(models: try service.models(visibleTo: caller).map { describe($0, loaded: loaded) })
    }

    @Sendable func show(_ request: Request, context: HavenRequestContext) async throws -> ModelInfo {
        let caller = try context.requireAuthentication()
        let name = try context.parameters.require("name")
        guard let record = try service.models(visibleTo: caller).first(where: { $0.name == name }) else {
            throw InferenceError.modelNotFound(name)
        }
        return describe(record, loaded: await loadedNames())
    }

    @Sendable func add(_ request: Request, context: HavenRequestContext) async throws -> EditedResponse<ModelInfo> {
        _ = try context.requireOwner()
        let body = try await request.decode(as: AddModelRequest.self, context: context)
        guard body.path.hasPrefix("/") else {
            throw InferenceError.invalidParameter("path must be absolute (a file on the server's machine)")
        }
        let record: ModelRecord
        if let base = body.base {
            guard let name = body.name else {
                throw InferenceError.invalidParameter("an adapter needs a name of its own: give 'name'")
            }
            _ = try AdapterInstaller(installer: installer).install(from: body.path, base: base, name: name, scale: body.scale ?? 1)
            record = try service.catalog.model(named: name)!
            context.logger.info("adapter added", metadata: ["model": "\(name)", "base": "\(base)"])
        } else if let projector = body.mmproj {
            guard body.scale == nil else { throw InferenceError.invalidParameter("'scale' applies to an adapter: give 'base' too") }
            guard projector.hasPrefix("/") else {
                throw InferenceError.invalidParameter("mmproj must be absolute (a file on the server's machine)")
            }
            let installed = try installer.install(from: body.path, name: body.name, projector: projector)
            record = installed.model
            // libmtmd's own check of the pair (the projector's tensors against the model);
            // refused, nothing stays installed.
            do {
                let engine = try await service.installedEngine(record.name)
                try await engine.loadProjector(service.modelsDirectory + "/" + installed.projector.file)
            } catch {
                _ = try? installer.remove(named: record.name)
                await service.loaded.unload(name: record.name)
                throw error
            }
            context.logger.info("vision model added", metadata: ["model": "\(record.name)", "projector": "\(installed.projector.projectorType)"])
        } else {
            guard body.scale == nil else { throw InferenceError.invalidParameter("'scale' applies to an adapter: give 'base' too") }
            record = try installer.install(from: body.path, name: body.name)
            context.logger.info("model added", metadata: ["model": "\(record.name)"])
        }
        return EditedResponse(status: .created, response: describe(record, loaded: []))
    }

    @Sendable func remove(_ request: Request, context: HavenRequestContext) async throws -> ModelInfo {
        _ = try context.requireOwner()
        let name = try context.parameters.require("name")
        let loaded = await loadedNames()
        guard let existing = try service.catalog.model(named: name) else { throw InferenceError.modelNotFound(name) }
        let info = describe(existing, loaded: loaded)
        let engine = try service.ownEngine(of: name)
        _ = try installer.remove(named: name)
        if let engine { await service.loaded.unload(name: engine) }
        context.logger.info("model removed", metadata: ["model": "\(name)"])
        return info
    }
}

extension VisionError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .notAProjector, .noVisionEncoder, .widthMismatch, .foreignTokens, .loadFailed:
            APIError(.badRequest, code: "invalid_projector", message: description)
        case .unreadableImage: APIError(.badRequest, code: "unreadable_image", message: description)
        case .evaluationFailed: APIError(.internalServerError, code: "vision_failed", message: description)
        }
    }
}
