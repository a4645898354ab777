import Foundation
import HavenInference
import Hummingbird

/// Ollama's model routes: listing (`tags`, `ps`, `show`) for any caller with the models it may
/// use; making (`create`), copying and deleting for the owner only, logged as `haven model`
/// changes are; `pull` and `push` answer that no registry is reached and how models are added.
extension OllamaController {
    private var installer: ModelInstaller {
        ModelInstaller(directory: service.modelsDirectory, catalog: service.catalog)
    }

    @Sendable func tags(_ request: Request, context: HavenRequestContext) async throws -> OllamaModelList {
        let caller = try context.requireAuthentication()
        let profiles = try service.catalog.modelProfiles()
        return OllamaModelList(models: try service.models(visibleTo: caller).map { describe($0, profile: profiles[$0.name]) })
    }

    @Sendable func running(_ request: Request, context: HavenRequestContext) async throws -> OllamaModelList {
        let caller = try context.requireAuthentication()
        let residency = await service.loaded.residency()
        let now = Date()
        return OllamaModelList(
            models: try service.models(visibleTo: caller).compactMap { record in
                guard let resident = residency[(try? service.engineName(of: record.name)) ?? record.name] else { return nil }
                var model = describe(record, profile: nil)
                // A model kept for ever gets a date far ahead, as Ollama shows keep_alive -1.
                let seconds = resident.unloadsIn.map { Double($0.components.seconds) } ?? 100 * 365 * 86_400
                model.expiresAt = Self.timestamp(now.addingTimeInterval(seconds))
                return model
            })
    }

    /// The file of the adapter a model applies, for its Modelfile's `ADAPTER` line.
    private func adapterPath(of profile: ModelProfile?) throws -> String? {
        guard let name = profile?.adapter, let adapter = try service.catalog.modelAdapter(named: name) else { return nil }
        return service.modelsDirectory + "/" + adapter.file
    }

    private func describe(_ record: ModelRecord, profile: ModelProfile?) -> OllamaModelList.Model {
        var details = OllamaModelList.Model.Details(family: record.architecture, parameterSize: record.sizeLabel)
        details.parentModel = profile?.base
        return OllamaModelList.Model(
            name: record.name, model: record.name, modifiedAt: Self.timestamp(record.addedAt), size: record.sizeBytes,
            details: details)
    }

    @Sendable func show(_ request: Request, context: HavenRequestContext) async throws -> OllamaShowResponse {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: OllamaShowRequest.self, context: context)
        guard let record = try service.models(visibleTo: caller).first(where: { $0.name == body.model }) else {
            throw InferenceError.modelNotFound(body.model)
        }
        if record.file.isEmpty {
            // Served by an upstream: no file here to read a template or metadata from.
            let upstreams = service.upstreams.upstreams(serving: record.name).joined(separator: ", ")
            return OllamaShowResponse(
                modelfile: "# \(record.name) is served by upstream \(upstreams)\n", parameters: "", system: nil, template: "",
                details: describe(record, profile: nil).details, modelInfo: [:], capabilities: ["completion", "tools"],
                modifiedAt: Self.timestamp(record.addedAt))
        }
        let profile = try service.catalog.modelProfile(of: record.name)
        let path = service.modelsDirectory + "/" + record.file
        let gguf = try GGUFFile(path: path)
        var info: [String: JSONValue] = [:]
        if let architecture = gguf.architecture {
            info["general.architecture"] = .string(architecture)
            if let value = gguf.blockCount { info[architecture + ".block_count"] = .number(Double(value)) }
            if let value = gguf.embeddingLength { info[architecture + ".embedding_length"] = .number(Double(value)) }
            if let value = gguf.headCount { info[architecture + ".attention.head_count"] = .number(Double(value)) }
            if let value = gguf.headCountKV { info[architecture + ".attention.head_count_kv"] = .number(Double(value)) }
        }
        if let name = gguf.modelName { info["general.name"] = .string(name) }
        if let size = gguf.sizeLabel { info["general.size_label"] = .string(size) }
        let parameters = profile?.parameters ?? ModelParameters()
        return OllamaShowResponse(
            modelfile: ModelRecipe.modelfile(
                from: profile?.base ?? path, adapter: try adapterPath(of: profile), system: profile?.system,
                parameters: parameters),
            parameters: parameters.listing, system: profile?.system, template: gguf.chatTemplate ?? "",
            details: describe(record, profile: profile).details, modelInfo: info, capabilities: ["completion", "tools"],
            modifiedAt: Self.timestamp(record.addedAt))
    }

    @Sendable func create(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await request.decode(as: OllamaCreateRequest.self, context: context)
        let recipe = try body.recipe()
        let record = try ModelMaker(installer: installer).create(name: body.model, recipe: recipe)
        let from: String
        switch recipe.source {
        case .model(let name): from = name
        case .file(let path): from = path
        }
        context.logger.info("model created", metadata: ["model": "\(record.name)", "from": "\(from)"])
        let statuses = [
            OllamaStatus(status: "using \(from)"),
            OllamaStatus(status: "writing model \(record.name)"),
            OllamaStatus(status: "success"),
        ]
        guard body.stream ?? true else {
            return try context.responseEncoder.encode(statuses.last!, from: request, context: context)
        }
        let encoder = JSONEncoder()
        var bytes: [UInt8] = []
        for status in statuses {
            bytes += try encoder.encode(status)
            bytes.append(0x0A)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `POST /api/copy`: 200 with an empty body, as Ollama answers.
    @Sendable func copy(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await request.decode(as: OllamaCopyRequest.self, context: context)
        let record = try ModelMaker(installer: installer).copy(from: body.source, to: body.destination)
        context.logger.info("model copied", metadata: ["model": "\(record.name)", "from": "\(body.source)"])
        return Response(status: .ok)
    }

    /// `DELETE /api/delete`: 200 with an empty body, as Ollama answers. A model others are made
    /// from is refused (409) until they are deleted.
    @Sendable func delete(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await request.decode(as: OllamaModelNameRequest.self, context: context)
        let engine = try service.ownEngine(of: body.model)
        _ = try installer.remove(named: body.model)
        if let engine { await service.loaded.unload(name: engine) }
        context.logger.info("model removed", metadata: ["model": "\(body.model)"])
        return Response(status: .ok)
    }

    @Sendable func pull(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await request.decode(as: OllamaModelNameRequest.self, context: context)
        throw ModelRecipeError.noRegistry(action: "pull", model: body.model)
    }

    @Sendable func push(_ request: Request, context: HavenRequestContext) async throws -> Response {
        _ = try context.requireOwner()
        let body = try await request.decode(as: OllamaModelNameRequest.self, context: context)
        throw ModelRecipeError.noRegistry(action: "push", model: body.model)
    }
}
