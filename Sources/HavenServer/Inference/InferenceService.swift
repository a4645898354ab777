import Foundation
import HavenAccess
import HavenStore
import HavenIdentity
import HavenInference
import Hummingbird

/// What the API controllers share: finding what a model runs on for a caller (its
/// ``InferenceBackend``, after the `infer` check), turning API parameters into sampling
/// settings, and stamping answers.
struct InferenceService: Sendable {
    let catalog: Catalog
    let modelsDirectory: String
    let loaded: LoadedModels
    /// Models served by configured upstream servers; an installed model of the same name wins.
    var upstreams: UpstreamModels = UpstreamModels(endpoints: [])
    var cacheSalt: CacheSalt = CacheSalt(secret: Data())
    /// Told of each upstream answer, as engines tell of each generation.
    var observer: GenerationObserver?
    /// Where `infer` decisions are recorded; `nil` in tests that run no server.
    var audit: AuditLog?

    /// What `model` runs on for `caller`, after checking the caller's `infer` right: the local
    /// engine for an installed model, an upstream for a model only upstreams serve, and the
    /// two together for an installed model an upstream takes the overflow of.
    ///
    /// - Throws: ``APIError`` `infer_not_granted`, or ``InferenceError/modelNotFound(_:)``.
    /// `agent` names the agent that asks on the caller's behalf, for the audit log.
    func backend(for model: String, caller: Authentication, agent: String? = nil) throws -> any InferenceBackend {
        try checkInfer(model, caller: caller, agent: agent)
        let served = !upstreams.upstreams(serving: model).isEmpty
        guard try catalog.model(named: model) != nil else {
            guard served else { throw InferenceError.modelNotFound(model) }
            return upstreamBackend(model, caller: caller, overflow: false)
        }
        let local = LocalBackend(model: model, service: self)
        guard upstreams.takesOverflow(of: model) else { return local }
        return OverflowBackend(local: local, upstream: upstreamBackend(model, caller: caller, overflow: true))
    }

    private func upstreamBackend(_ model: String, caller: Authentication, overflow: Bool) -> UpstreamBackend {
        UpstreamBackend(
            model: model, upstreams: upstreams, cacheSalt: cacheSalt.salt(for: caller.principal.description),
            observer: observer, overflow: overflow)
    }

    /// The engine of `model`, if the caller may use models.
    func engine(
        for model: String, caller: Authentication, keepAlive: LoadedModels.KeepAlive? = nil
    ) async throws -> InferenceEngine {
        try checkInfer(model, caller: caller)
        guard try catalog.model(named: model) != nil || upstreams.upstreams(serving: model).isEmpty else {
            throw InferenceError.invalidParameter(
                "model '\(model)' runs on an upstream server, which does not offer this call; use the chat, generate or embeddings APIs")
        }
        return try await installedEngine(model, keepAlive: keepAlive)
    }

    /// The engine of installed model `model` (rights not checked: the caller did).
    func installedEngine(_ model: String, keepAlive: LoadedModels.KeepAlive? = nil) async throws -> InferenceEngine {
        guard let record = try catalog.model(named: model) else { throw InferenceError.modelNotFound(model) }
        let path = modelsDirectory + "/" + record.file
        let target = try engineTarget(of: model)
        guard let adapterName = target.adapter, let base = target.base else {
            return try await loaded.engine(name: target.name, path: path, keepAlive: keepAlive)
        }
        guard let adapter = try catalog.modelAdapter(named: adapterName) else { throw InferenceError.modelNotFound(adapterName) }
        return try await loaded.engine(
            name: target.name, base: base, path: path,
            adapter: AdapterSpec(path: modelsDirectory + "/" + adapter.file, scale: Float(adapter.scale)), keepAlive: keepAlive)
    }

    /// The engine `model` runs on: a model made from another with /api/create runs on that
    /// model's engine, loaded once; a model with an adapter on an engine of its own that shares
    /// the base's weights (`BASE+ADAPTER`).
    func engineName(of model: String) throws -> String {
        try engineTarget(of: model).name
    }

    /// The engine `model` has to itself, which goes when the model is removed: its own, or its
    /// adapter's when it is the adapter's model; `nil` for a model that runs on another's engine.
    func ownEngine(of model: String) throws -> String? {
        let target = try engineTarget(of: model)
        return target.name == model || target.adapter == model ? target.name : nil
    }

    /// The engine's name, and for a model with a profile its base and adapter.
    private func engineTarget(of model: String) throws -> (name: String, base: String?, adapter: String?) {
        let profile = try catalog.modelProfile(of: model)
        if let adapter = profile?.adapter, let base = profile?.base { return (base + "+" + adapter, base, adapter) }
        return (profile?.base ?? model, profile?.base, nil)
    }

    /// Refuses a caller without a current `infer` grant on `model` (the owner holds it). Every
    /// decision on someone other than the owner is appended to the audit log (action `infer`,
    /// resource `models/NAME`) before the model runs, naming the agent that asked, if one did.
    func checkInfer(_ model: String, caller: Authentication, agent: String? = nil) throws {
        guard caller.principal != .owner else { return }
        let resource = "models/" + model
        let now = Date()
        // Read afresh for every request: a revoked grant stops the next one.
        let grant = try catalog.grants(for: caller.principal).first { $0.allows(caller.principal, .infer, on: resource, at: now) }
        try audit?.record(
            principal: caller.principal.description, action: Right.infer.rawValue, resource: resource, allowed: grant != nil,
            reason: (grant.map { "allowed by grant \($0.id)" } ?? "no current 'infer' grant on \(resource)")
                + (agent.map { " (model used by agent \($0))" } ?? ""),
            basis: grant?.id, at: now)
        guard grant != nil else {
            throw APIError(
                .forbidden, code: "infer_not_granted",
                message: "\(caller.principal) holds no 'infer' right on model '\(model)'; the owner can grant it "
                    + "with 'haven grant add --to \(caller.principal) --rights infer'")
        }
    }

    /// The installed models and the upstreams' (after them, by name) `caller` may use: all
    /// for the owner, the granted ones for others.
    func models(visibleTo caller: Authentication) throws -> [ModelRecord] {
        let installed = try catalog.models()
        let names = Set(installed.map(\.name))
        let remote = upstreams.modelNames.filter { !names.contains($0) }.map(Self.upstreamRecord)
        let all = installed + remote
        guard caller.principal != .owner else { return all }
        let grants = try catalog.grants(for: caller.principal)
        let now = Date()
        return all.filter { model in grants.contains { $0.allows(caller.principal, .infer, on: "models/" + model.name, at: now) } }
    }

    /// An upstream model as the listings show it: no file and no size here.
    static func upstreamRecord(_ name: String) -> ModelRecord {
        ModelRecord(name: name, file: "", sizeBytes: 0, addedAt: Date(timeIntervalSince1970: 0))
    }

    /// A chat as the model's template renders it, in tokens.
    func chatPrompt(_ messages: [(role: String, content: String)], engine: InferenceEngine) throws -> [Int32] {
        guard !messages.isEmpty else { throw InferenceError.invalidParameter("messages must not be empty") }
        for message in messages where !Self.roles.contains(message.role) {
            throw InferenceError.invalidParameter(
                "unknown message role '\(message.role)'; use system, user or assistant")
        }
        let normalised = messages.map { (role: $0.role == "developer" ? "system" : $0.role, content: $0.content) }
        return engine.tokenize(try engine.renderChat(normalised))
    }

    /// Sampling settings from API parameters (OpenAI's and Ollama's share these), validated.
    static func sampling(
        temperature: Double?, topP: Double?, topK: Int?, minP: Double?, seed: Int?, presencePenalty: Double?,
        frequencyPenalty: Double?, repeatPenalty: Double?
    ) throws -> SamplingParameters {
        var sampling = SamplingParameters()
        if let value = temperature {
            guard (0...2).contains(value) else { throw InferenceError.invalidParameter("temperature must be from 0 to 2") }
            sampling.temperature = value
        }
        if let value = topP {
            guard value > 0, value <= 1 else { throw InferenceError.invalidParameter("top_p must be in (0, 1]") }
            sampling.topP = value
        }
        if let value = topK { sampling.topK = max(0, value) }
        if let value = minP { sampling.minP = value }
        if let value = seed { sampling.seed = UInt32(truncatingIfNeeded: value) }
        if let value = presencePenalty { sampling.presencePenalty = value }
        if let value = frequencyPenalty { sampling.frequencyPenalty = value }
        if let value = repeatPenalty { sampling.repeatPenalty = value }
        return sampling
    }

    /// The grammar that enforces an OpenAI `response_format`, or `nil` for free text.
    static func grammar(for format: ChatCompletionRequest.ResponseFormat?) throws -> String? {
        guard let format else { return nil }
        switch format.type {
        case "text": return nil
        case "json_object": return JSONSchemaGrammar.anyObject
        case "json_schema":
            guard let schema = format.jsonSchema?.schema else {
                throw InferenceError.invalidParameter("response_format json_schema needs json_schema.schema")
            }
            return try JSONSchemaGrammar.grammar(for: schema)
        default:
            throw InferenceError.invalidParameter(
                "response_format type must be text, json_object or json_schema, not '\(format.type)'")
        }
    }

    static let roles: Set<String> = ["system", "developer", "user", "assistant"]

    static func completionID(prefix: String) -> String {
        prefix + "-" + (0..<12).map { _ in String(Int.random(in: 0..<36), radix: 36) }.joined()
    }

    static var now: Int { Int(Date().timeIntervalSince1970) }
}

extension InferenceError: APIErrorConvertible {
    public var apiError: APIError {
        switch self {
        case .modelNotFound: return APIError(.notFound, code: "model_not_found", message: description)
        case .promptTooLong: return APIError(.badRequest, code: "context_length_exceeded", message: description)
        case .queueFull(let seconds):
            var error = APIError(.tooManyRequests, code: "server_busy", message: description)
            error.headers[.retryAfter] = String(seconds)
            return error
        case .invalidParameter, .emptyPrompt, .noChatTemplate, .unsupportedChatTemplate, .invalidModelFile:
            return APIError(.badRequest, code: "invalid_request", message: description)
        case .memoryBudgetExceeded:
            return APIError(.serviceUnavailable, code: "memory_budget_exceeded", message: description)
        case .modelLoadFailed, .contextCreationFailed, .decodeFailed, .generationIncomplete:
            return APIError(.internalServerError, code: "inference_failed", message: description)
        }
    }
}
