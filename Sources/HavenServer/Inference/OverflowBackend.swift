import HavenInference

/// An installed model whose overflow an upstream takes (`overflow = true` on an
/// `[[inference.upstream]]` serving the same name): each request runs locally, unless the
/// local engine's queue is full, when it goes to the upstream instead of being refused.
/// Whatever else goes wrong locally is the answer, as without the upstream.
struct OverflowBackend: InferenceBackend {
    let local: LocalBackend
    let upstream: UpstreamBackend

    var model: String { local.model }

    func chat(_ call: ChatCall) async throws -> ChatStream {
        try await overflowing { try await $0.chat(call) }
    }

    func answer(_ call: ChatCall) async throws -> ChatAnswer {
        try await overflowing { try await $0.answer(call) }
    }

    func complete(_ call: CompletionCall) async throws -> ChatStream {
        try await overflowing { try await $0.complete(call) }
    }

    func embed(_ input: EmbeddingRequest.Input) async throws -> (vectors: [[Float]], promptTokens: Int) {
        try await overflowing { try await $0.embed(input) }
    }

    func promptTokens(_ call: ChatCall) async throws -> Int { try await local.promptTokens(call) }
    func tokenCount(of text: String) async -> Int? { await local.tokenCount(of: text) }
    func load(keepAlive: LoadedModels.KeepAlive?) async throws { try await local.load(keepAlive: keepAlive) }
    func unload() async { await local.unload() }

    /// `work` on the local engine, or on the upstream when the local queue is full.
    private func overflowing<Value: Sendable>(_ work: (any InferenceBackend) async throws -> Value) async throws -> Value {
        do {
            return try await work(local)
        } catch InferenceError.queueFull {
            return try await work(upstream)
        }
    }
}
