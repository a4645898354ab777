import Logging
import Synchronization

/// One loaded model and its context of N sequences, run by continuous batching.
///
/// Requests arrive with ``generate(_:)`` and wait (bounded) for a free sequence. Each step packs
/// one token of every running generation and prompt chunks of new ones into a single
/// `llama_decode` (see ``BatchPlanner``). A new request reuses the longest cached prefix of its
/// prompt, from its own sequence or copied from another's (a buffer copy, far cheaper than
/// recomputing it). A
/// generation whose stream is dropped frees its sequence at the next step.
///
/// The actor runs on its own thread (``DedicatedThreadExecutor``), so the blocking decode work
/// never occupies the threads that serve HTTP.
public actor InferenceEngine {
    public nonisolated let name: String
    public nonisolated let configuration: EngineConfiguration
    nonisolated let model: LlamaModel
    private let context: LlamaContext
    private nonisolated let executor: DedicatedThreadExecutor
    private let logger: Logger

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Created on the first embeddings request.
    private var embeddingContext: LlamaContext?
    /// What each sequence's KV cache holds, token for token.
    private var cached: [[Int32]]
    private var running: [Int: Generation] = [:] { didSet { publishCounters() } }
    private var waiting: [Generation] = [] { didSet { publishCounters() } }
    private var nextID = 0
    private var stepping = false
    /// Tokens sampled since the engine started, across all generations.
    public private(set) var sampledTokens = 0 { didSet { publishCounters() } }
    /// The counters as last changed, readable without waiting for the engine's thread (which a
    /// long decode or embedding batch holds): what `haven status` shows.
    private nonisolated let counters = Mutex(Counters(running: 0, waiting: 0, sampledTokens: 0))

    /// Generations running and waiting, and tokens sampled, at one moment.
    public struct Counters: Sendable, Equatable {
        public var running: Int
        public var waiting: Int
        public var sampledTokens: Int
    }

    public init(name: String, path: String, configuration: EngineConfiguration, logger: Logger) throws(InferenceError) {
        let model = try LlamaModel(path: path, gpuLayers: Int32(configuration.gpuLayers))
        var configuration = configuration
        configuration.contextPerSequence = min(configuration.contextPerSequence, model.trainedContextLength)
        self.name = name
        self.configuration = configuration
        self.model = model
        self.context = try LlamaContext(
            model: model, sequenceCount: configuration.parallel,
            contextLength: configuration.parallel * configuration.contextPerSequence,
            threads: configuration.threads)
        self.executor = DedicatedThreadExecutor(name: "haven.engine.\(name)")
        self.cached = Array(repeating: [], count: configuration.parallel)
        self.logger = logger
    }

    deinit {
        executor.stop()
    }

    // MARK: Text

    /// Tokens of a prompt (special tokens in it are parsed, as chat templates need).
    public nonisolated func tokenize(_ text: String, addSpecial: Bool = true) -> [Int32] {
        model.tokenize(text, addSpecial: addSpecial, parseSpecial: true)
    }

    /// The model's own chat template applied to a conversation, ending with the assistant's turn.
    public nonisolated func renderChat(_ messages: [(role: String, content: String)]) throws(InferenceError) -> String {
        try model.applyChatTemplate(messages, addAssistantTurn: true)
    }

    public nonisolated var trainedContextLength: Int { model.trainedContextLength }
    public nonisolated var embeddingLength: Int { model.embeddingLength }

    /// Generations currently holding a sequence, and those waiting for one.
    public var load: (running: Int, waiting: Int) { (running.count, waiting.count) }

    /// The counters without waiting for the engine: a snapshot as of their last change.
    public nonisolated var currentCounters: Counters { counters.withLock { $0 } }

    private func publishCounters() {
        let now = Counters(running: running.count, waiting: waiting.count, sampledTokens: sampledTokens)
        counters.withLock { $0 = now }
    }

    // MARK: Embeddings

    /// Mean-pooled, L2-normalised embeddings of each input, in order. Runs between decode steps.
    public func embed(_ inputs: [[Int32]]) throws(InferenceError) -> [[Float]] {
        for input in inputs {
            guard !input.isEmpty else { throw .emptyPrompt }
            guard input.count <= configuration.contextPerSequence else {
                throw .promptTooLong(tokens: input.count, limit: configuration.contextPerSequence)
            }
        }
        if embeddingContext == nil {
            embeddingContext = try LlamaContext(
                model: model, sequenceCount: 1, contextLength: configuration.contextPerSequence,
                threads: configuration.threads, embeddings: true)
        }
        let context = embeddingContext!
        return try inputs.map { input throws(InferenceError) in
            context.removeSequence(0)
            try context.decode(input.enumerated().map { .init(token: $1, position: $0, sequence: 0, wantsLogits: true) })
            guard let vector = context.pooledEmbedding(sequence: 0) else { throw .decodeFailed(status: -2) }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? vector.map { $0 / norm } : vector
        }
    }

    // MARK: Generation

    /// Starts a generation; its text arrives on the returned stream, ending with a summary.
    ///
    /// - Throws: ``InferenceError/promptTooLong(tokens:limit:)`` or
    ///   ``InferenceError/queueFull(retryAfterSeconds:)`` before anything is queued.
    public func generate(_ request: GenerationRequest) throws(InferenceError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        guard !request.prompt.isEmpty else { throw .emptyPrompt }
        guard request.prompt.count < configuration.contextPerSequence else {
            throw .promptTooLong(tokens: request.prompt.count, limit: configuration.contextPerSequence)
        }
        if running.count >= configuration.parallel, waiting.count >= configuration.queueLimit {
            throw .queueFull(retryAfterSeconds: 1)
        }
        if let maxTokens = request.maxTokens, maxTokens < 0 {
            throw .invalidParameter("max_tokens must not be negative")
        }
        let sampler = try LlamaSampler(parameters: request.sampling, model: model)
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        nextID += 1
        let id = nextID
        let generation = Generation(id: id, request: request, continuation: continuation, sampler: sampler)
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination {
                Task { await self?.cancel(id) }
            }
        }
        waiting.append(generation)
        if !stepping {
            stepping = true
            Task { await self.runSteps() }
        }
        return stream
    }

    private func cancel(_ id: Int) {
        waiting.removeAll { $0.id == id }
        if let sequence = running.first(where: { $0.value.id == id })?.key {
            running[sequence] = nil
            logger.debug("generation cancelled", metadata: ["sequence": "\(sequence)"])
        }
    }

    private func runSteps() async {
        while !waiting.isEmpty || !running.isEmpty {
            admitWaiting()
            step()
            // Let submissions and cancellations that arrived meanwhile run between steps.
            await Task.yield()
        }
        stepping = false
    }

    /// Gives free sequences to waiting generations, reusing the longest cached prefix.
    private func admitWaiting() {
        while !waiting.isEmpty,
            let free = (0..<configuration.parallel).filter({ running[$0] == nil }).max(by: { lhs, rhs in
                let prompt = waiting[0].request.prompt
                return BatchPlanner.commonPrefixLength(cached[lhs], prompt)
                    < BatchPlanner.commonPrefixLength(cached[rhs], prompt)
            })
        {
            let generation = waiting.removeFirst()
            let prompt = generation.request.prompt
            // At least one prompt token is decoded, to get the logits of the first answer token.
            let usable = prompt.count - 1
            let own = min(BatchPlanner.commonPrefixLength(cached[free], prompt), usable)
            let (donor, shared) = (0..<configuration.parallel)
                .map { ($0, min(BatchPlanner.commonPrefixLength(cached[$0], prompt), usable)) }
                .max { $0.1 < $1.1 }!
            if shared > own {
                context.removeSequence(free)
                context.copySequence(donor, to: free, length: shared)
                cached[free] = Array(prompt.prefix(shared))
            } else {
                context.removeSequence(free, from: own)
                cached[free] = Array(prompt.prefix(own))
            }
            generation.position = cached[free].count
            generation.cachedPromptTokens = cached[free].count
            running[free] = generation
        }
    }

    /// Decodes one batch and samples the next token of every generation that produced logits.
    private func step() {
        let generating = running.filter { $0.value.isGenerating }.map(\.key).sorted()
        let prefilling = running.filter { !$0.value.isGenerating }
            .sorted { $0.value.id < $1.value.id }
            .map { BatchPlanner.Prefill(sequence: $0.key, remaining: $0.value.request.prompt.count - $0.value.position) }
        let plan = BatchPlanner.plan(generating: generating, prefilling: prefilling, capacity: context.batchCapacity)
        guard plan.tokenCount > 0 else { return }

        var entries: [LlamaContext.Entry] = []
        var logitsIndex: [Int: Int] = [:]
        for sequence in plan.generating {
            let generation = running[sequence]!
            logitsIndex[sequence] = entries.count
            entries.append(.init(token: generation.lastToken!, position: generation.position, sequence: sequence, wantsLogits: true))
        }
        for chunk in plan.prompt {
            let generation = running[chunk.sequence]!
            let prompt = generation.request.prompt
            for offset in 0..<chunk.remaining {
                let position = generation.position + offset
                let last = position == prompt.count - 1
                if last { logitsIndex[chunk.sequence] = entries.count }
                entries.append(.init(token: prompt[position], position: position, sequence: chunk.sequence, wantsLogits: last))
            }
        }

        do {
            try context.decode(entries)
        } catch {
            logger.error("decode failed", metadata: ["error": "\(error)", "tokens": "\(entries.count)"])
            for sequence in Set(entries.map(\.sequence)) {
                running[sequence]?.continuation.finish(throwing: error)
                running[sequence] = nil
                context.removeSequence(sequence)
                cached[sequence] = []
            }
            return
        }

        for entry in entries {
            cached[entry.sequence].append(entry.token)
        }
        for chunk in plan.prompt {
            running[chunk.sequence]!.position += chunk.remaining
        }
        for sequence in plan.generating {
            running[sequence]!.position += 1
        }
        for (sequence, index) in logitsIndex {
            sampleNext(sequence: sequence, batchIndex: index)
        }
    }

    private func sampleNext(sequence: Int, batchIndex: Int) {
        guard let generation = running[sequence] else { return }
        let token = generation.sampler.sample(from: context, batchIndex: batchIndex)
        sampledTokens += 1
        if model.isEndOfGeneration(token) {
            finish(sequence, reason: .stop)
            return
        }
        generation.completionTokens += 1
        generation.lastToken = token
        let (text, stopped) = generation.output.append(model.piece(of: token))
        if !text.isEmpty {
            generation.continuation.yield(.text(text))
        }
        if stopped {
            finish(sequence, reason: .stop, flush: false)
        } else if let maxTokens = generation.request.maxTokens, generation.completionTokens >= maxTokens {
            finish(sequence, reason: .length)
        } else if generation.position + 1 >= configuration.contextPerSequence {
            finish(sequence, reason: .length)
        }
    }

    /// Ends a generation. Text held back as a possible stop string is sent, unless a stop
    /// string was in fact reached (`flush` false).
    private func finish(_ sequence: Int, reason: FinishReason, flush: Bool = true) {
        guard let generation = running.removeValue(forKey: sequence) else { return }
        if flush {
            let rest = generation.output.flush()
            if !rest.isEmpty { generation.continuation.yield(.text(rest)) }
        }
        generation.continuation.yield(
            .finished(
                GenerationSummary(
                    finishReason: reason, promptTokens: generation.request.prompt.count,
                    completionTokens: generation.completionTokens, cachedPromptTokens: generation.cachedPromptTokens)))
        generation.continuation.finish()
    }
}

/// A generation's state while it waits or runs; owned by its engine's actor.
private final class Generation {
    let id: Int
    let request: GenerationRequest
    let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    let sampler: LlamaSampler
    var output: OutputText
    /// Next position to decode in the sequence.
    var position = 0
    var cachedPromptTokens = 0
    var completionTokens = 0
    /// The last sampled token, decoded in the next step.
    var lastToken: Int32?

    init(
        id: Int, request: GenerationRequest, continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation,
        sampler: LlamaSampler
    ) {
        self.id = id
        self.request = request
        self.continuation = continuation
        self.sampler = sampler
        self.output = OutputText(stops: request.stop)
    }

    var isGenerating: Bool { lastToken != nil }
}
