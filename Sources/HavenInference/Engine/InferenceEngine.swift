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
    /// The multimodal projector last used to describe an image (see ``describe(image:projector:instruction:maximumTokens:)``).
    private var vision: LlamaVision?
    /// Contended time of generations and background embeddings; see ``BackgroundShare``.
    private var share = BackgroundShare()
    /// Background embeddings waiting for their share while generations run.
    private var backgroundWaiters: [CheckedContinuation<Void, Never>] = []
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
        /// Tokens held in the KV cache across all sequences (of `parallel × contextPerSequence`).
        public var kvCacheTokens: Int = 0
    }

    /// Told of every finished generation (the server's metrics); see ``GenerationObserver``.
    private nonisolated let observer: GenerationObserver?

    public init(
        name: String, path: String, configuration: EngineConfiguration, logger: Logger,
        observer: GenerationObserver? = nil
    ) throws(InferenceError) {
        let model = try LlamaModel(path: path, gpuLayers: Int32(configuration.gpuLayers))
        var configuration = configuration
        configuration.contextPerSequence = min(configuration.contextPerSequence, model.trainedContextLength)
        try self.init(name: name, model: model, configuration: configuration, adapter: nil, logger: logger, observer: observer)
    }

    /// An engine that runs `adapter` on `base`'s model: the weights are shared (loaded once),
    /// the context, its KV cache and so its prefix cache are this engine's own, so requests on
    /// the base and on each adapter never share a cached prefix or a decode.
    ///
    /// - Throws: ``InferenceError/invalidModelFile(path:reason:)`` when llama.cpp refuses the adapter.
    public init(
        name: String, sharing base: InferenceEngine, adapter: AdapterSpec, logger: Logger,
        observer: GenerationObserver? = nil
    ) throws(InferenceError) {
        try self.init(
            name: name, model: base.model, configuration: base.configuration, adapter: adapter, logger: logger,
            observer: observer)
    }

    private init(
        name: String, model: LlamaModel, configuration: EngineConfiguration, adapter: AdapterSpec?, logger: Logger,
        observer: GenerationObserver?
    ) throws(InferenceError) {
        self.name = name
        self.configuration = configuration
        self.model = model
        self.context = try LlamaContext(
            model: model, sequenceCount: configuration.parallel,
            contextLength: configuration.parallel * configuration.contextPerSequence,
            threads: configuration.threads)
        if let adapter {
            try context.setAdapters([(try LlamaAdapter.load(model: model, spec: adapter), adapter.scale)])
        }
        self.adapter = adapter
        self.executor = DedicatedThreadExecutor(name: "haven.engine.\(name)")
        self.cached = Array(repeating: [], count: configuration.parallel)
        self.logger = logger
        self.observer = observer
    }

    deinit {
        executor.stop()
    }

    /// The adapter this engine applies to its model, if any.
    public nonisolated let adapter: AdapterSpec?

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
    /// The tokens of an input that its embedding is computed over; callers truncate to it (as
    /// sentence-transformers does: 256 for all-MiniLM-L6-v2), bounded by ``EngineConfiguration/contextPerSequence``.
    public nonisolated var embeddingInputLimit: Int { min(model.embeddingInputLimit, configuration.contextPerSequence) }

    /// Generations currently holding a sequence, and those waiting for one.
    public var load: (running: Int, waiting: Int) { (running.count, waiting.count) }

    /// The counters without waiting for the engine: a snapshot as of their last change.
    public nonisolated var currentCounters: Counters { counters.withLock { $0 } }

    private func publishCounters() {
        let now = Counters(
            running: running.count, waiting: waiting.count, sampledTokens: sampledTokens,
            kvCacheTokens: cached.reduce(0) { $0 + $1.count })
        counters.withLock { $0 = now }
    }

    // MARK: Embeddings

    /// Pooled (as the model's GGUF says, mean otherwise), L2-normalised embeddings of each
    /// input, in order. Inputs are packed many to a decode (``EngineConfiguration/embeddingBatchSequences``,
    /// ``EngineConfiguration/embeddingBatchTokens``), each as its own sequence. Runs between decode steps:
    /// interactive inputs all at once; background ones a batch at a time, and while generations
    /// run only within their share of the engine's time, so indexing never starves a chat.
    public func embed(
        _ inputs: [[Int32]], priority: EmbeddingPriority = .interactive
    ) async throws(InferenceError) -> [[Float]] {
        // Past its trained context a model has no positions left (BERT's table ends at 512).
        let limit = min(configuration.contextPerSequence, max(1, model.trainedContextLength))
        for input in inputs {
            guard !input.isEmpty else { throw .emptyPrompt }
            guard input.count <= limit else { throw .promptTooLong(tokens: input.count, limit: limit) }
        }
        guard priority == .background else {
            var vectors: [[Float]] = []
            vectors.reserveCapacity(inputs.count)
            for batch in Self.embeddingBatches(inputs.map(\.count), sequences: configuration.embeddingBatchSequences, tokens: configuration.embeddingBatchTokens) {
                vectors += try embeddings(of: batch.map { inputs[$0] })
            }
            return vectors
        }
        // Background work (the indexer's passages): a whole batch while no generation runs or
        // waits; one input per turn while they do, each within their share of the engine.
        var vectors: [[Float]] = []
        vectors.reserveCapacity(inputs.count)
        var next = 0
        while next < inputs.count {
            await backgroundTurn()
            let busy = !running.isEmpty || !waiting.isEmpty
            let batch = busy ? [next] : Self.embeddingBatches(
                inputs[next...].map(\.count), sequences: configuration.embeddingBatchSequences,
                tokens: configuration.embeddingBatchTokens)[0].map { $0 + next }
            let started = ContinuousClock.now
            vectors += try embeddings(of: batch.map { inputs[$0] })
            if busy { share.ranBackground(.now - started) }
            next += batch.count
        }
        return vectors
    }

    /// Consecutive groups of input indices, each within the batch limits (pure).
    static func embeddingBatches(_ lengths: [Int], sequences: Int, tokens limit: Int) -> [[Int]] {
        var batches: [[Int]] = []
        var current: [Int] = []
        var tokens = 0
        for (index, length) in lengths.enumerated() {
            if !current.isEmpty, current.count == sequences || tokens + length > limit {
                batches.append(current)
                current = []
                tokens = 0
            }
            current.append(index)
            tokens += length
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// One batch of inputs' embeddings, in one decode (no suspension, so batches never interleave).
    private func embeddings(of inputs: [[Int32]]) throws(InferenceError) -> [[Float]] {
        let tokens = inputs.reduce(0) { $0 + $1.count }
        let needed = max(configuration.embeddingBatchTokens, tokens)
        if embeddingContext == nil || embeddingContext!.contextLength < needed {
            embeddingContext = nil
            embeddingContext = try LlamaContext(
                model: model, sequenceCount: configuration.embeddingBatchSequences,
                contextLength: max(needed, min(configuration.contextPerSequence, configuration.embeddingBatchTokens)),
                threads: configuration.threads, embeddings: true)
            if !context.adapters.isEmpty {
                try embeddingContext!.setAdapters(context.adapters.map { ($0, adapter?.scale ?? 1) })
            }
        }
        let context = embeddingContext!
        context.clearMemory()
        var entries: [LlamaContext.Entry] = []
        entries.reserveCapacity(tokens)
        for (sequence, input) in inputs.enumerated() {
            for (position, token) in input.enumerated() {
                entries.append(.init(token: token, position: position, sequence: sequence, wantsLogits: true))
            }
        }
        try context.decode(entries)
        var vectors: [[Float]] = []
        for sequence in inputs.indices {
            guard let vector = context.pooledEmbedding(sequence: sequence) else { throw .decodeFailed(status: -2) }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            vectors.append(norm > 0 ? vector.map { $0 / norm } : vector)
        }
        context.clearMemory()
        return vectors
    }

    /// Returns when a background input may run: at once when no generation runs or waits,
    /// otherwise once the generations have had their share since the last one.
    private func backgroundTurn() async {
        while !running.isEmpty || !waiting.isEmpty, !share.backgroundMayRun {
            await withCheckedContinuation { backgroundWaiters.append($0) }
        }
    }

    private func resumeBackground() {
        let waiters = backgroundWaiters
        backgroundWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    // MARK: Perplexity

    /// How well the model predicts `texts` (tokens each): the negative log-likelihood of every
    /// token after the first of each window of at most `window` tokens, with `adapter` applied
    /// (or this engine's own adapter when `nil`; ``AdapterSpec/scale`` 0 gives the bare model).
    /// Runs in a context of its own, a window at a time at background priority, so chats go on.
    public func perplexity(
        of texts: [[Int32]], adapter override: AdapterSpec? = nil, window: Int = 256
    ) async throws(InferenceError) -> Perplexity {
        try await perplexities(of: [texts], adapter: override, window: window)[0]
    }

    /// ``perplexity(of:adapter:window:)`` of each group of texts, in one context with the
    /// adapter loaded once (a training job's held-out and control texts at one scale).
    public func perplexities(
        of groups: [[[Int32]]], adapter override: AdapterSpec? = nil, window: Int = 256
    ) async throws(InferenceError) -> [Perplexity] {
        let window = max(2, min(window, configuration.contextPerSequence, 512))
        let evaluation = try LlamaContext(
            model: model, sequenceCount: 1, contextLength: window, threads: configuration.threads)
        if let spec = override ?? adapter {
            try evaluation.setAdapters([(try LlamaAdapter.load(model: model, spec: spec), spec.scale)])
        }
        var results: [Perplexity] = []
        for texts in groups {
            var result = Perplexity()
            for text in texts {
                var start = 0
                while start + 1 < text.count {
                    let piece = Array(text[start..<min(start + window, text.count)])
                    start += window
                    guard piece.count > 1 else { break }
                    await backgroundTurn()
                    let started = ContinuousClock.now
                    evaluation.removeSequence(0)
                    try evaluation.decode(
                        piece.enumerated().map { .init(token: $1, position: $0, sequence: 0, wantsLogits: $0 < piece.count - 1) })
                    for index in 0..<(piece.count - 1) {
                        guard let logits = evaluation.logits(at: index) else { throw .decodeFailed(status: -3) }
                        result.add(logprob: LogSoftmax.summarize(logits, index: Int(piece[index + 1]), top: 0).logprob)
                    }
                    if !running.isEmpty || !waiting.isEmpty { share.ranBackground(.now - started) }
                }
            }
            results.append(result)
        }
        return results
    }

    // MARK: Images

    /// Loads the multimodal projector at `path` for this engine's model (libmtmd checks that
    /// they fit) and keeps it for ``describe(image:projector:instruction:maximumTokens:)``.
    public func loadProjector(_ path: String) throws(VisionError) {
        if vision?.path == path { return }
        vision = nil
        vision = try LlamaVision(
            model: model, projector: path, threads: configuration.threads, useGPU: configuration.gpuLayers != 0)
    }

    /// What the model, given the image through the projector at `projector`, answers to
    /// `instruction` (greedy, at most `maximumTokens` tokens): a photo's description. It runs in
    /// its own context, as background work: between its steps, running generations go first
    /// (see ``BackgroundShare``).
    public func describe(
        image: [UInt8], projector: String, instruction: String, maximumTokens: Int = 96
    ) async throws(VisionError) -> String {
        try loadProjector(projector)
        guard let vision else { throw .loadFailed(path: projector) }
        let prompt: String
        let context: LlamaContext
        do {
            prompt = try renderChat([("user", LlamaVision.marker + "\n" + instruction)])
            context = try LlamaContext(
                model: model, sequenceCount: 1, contextLength: min(model.trainedContextLength, 4096),
                threads: configuration.threads, wholeBatch: true)
            if !self.context.adapters.isEmpty {
                try context.setAdapters(self.context.adapters.map { ($0, adapter?.scale ?? 1) })
            }
        } catch {
            throw .evaluationFailed(error.description)
        }
        await backgroundTurn()
        var started = ContinuousClock.now
        var position = try vision.evaluate(prompt: prompt, image: image, into: context)
        if !running.isEmpty || !waiting.isEmpty { share.ranBackground(.now - started) }
        var bytes: [UInt8] = []
        var logits = context.logits(at: -1)
        for _ in 0..<maximumTokens {
            guard let values = logits else { throw .evaluationFailed("no logits after decoding") }
            var best = 0
            for index in values.indices where values[index] > values[best] { best = index }
            let token = Int32(best)
            if model.isEndOfGeneration(token) || position + 1 >= context.contextLength { break }
            bytes += model.piece(of: token)
            await backgroundTurn()
            started = ContinuousClock.now
            do {
                try context.decode([.init(token: token, position: position, sequence: 0, wantsLogits: true)])
            } catch {
                throw .evaluationFailed(error.description)
            }
            if !running.isEmpty || !waiting.isEmpty { share.ranBackground(.now - started) }
            position += 1
            logits = context.logits(at: 0)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    // MARK: Generation

    /// Starts a generation; its text arrives on the returned stream, ending with a summary.
    ///
    /// - Throws: ``InferenceError/promptTooLong(tokens:limit:)`` or
    ///   ``InferenceError/queueFull(retryAfterSeconds:)`` before anything is queued.
    public func generate(_ request: GenerationRequest) throws(InferenceError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let sampler = try admit(request)
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let id = enqueue(request, sampler: sampler, sink: .events(continuation))
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination {
                Task { await self?.cancel(id) }
            }
        }
        return stream
    }

    /// Starts a generation whose text comes with the tokens it was made of and their
    /// log-probabilities (``GenerationRequest/logprobs`` alternatives each); otherwise as
    /// ``generate(_:)``, in the same batches.
    public func generateWithLogprobs(
        _ request: GenerationRequest
    ) throws(InferenceError) -> AsyncThrowingStream<GenerationStep, any Error> {
        let sampler = try admit(request)
        let (stream, continuation) = AsyncThrowingStream<GenerationStep, any Error>.makeStream()
        let id = enqueue(request, sampler: sampler, sink: .steps(continuation))
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination {
                Task { await self?.cancel(id) }
            }
        }
        return stream
    }

    /// Checks a request before it is queued, and builds its sampler.
    private func admit(_ request: GenerationRequest) throws(InferenceError) -> LlamaSampler {
        guard model.generatesText else {
            throw .invalidParameter("'\(name)' is an embedding model: it has no decoder to generate text; use it for embeddings")
        }
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
        if let top = request.logprobs, !(0...Self.maxTopLogprobs).contains(top) {
            throw .invalidParameter("top_logprobs must be from 0 to \(Self.maxTopLogprobs)")
        }
        return try LlamaSampler(parameters: request.sampling, model: model)
    }

    /// The most alternatives a token's log-probabilities may list.
    public static let maxTopLogprobs = 20

    private func enqueue(_ request: GenerationRequest, sampler: LlamaSampler, sink: GenerationSink) -> Int {
        nextID += 1
        let generation = Generation(id: nextID, request: request, sink: sink, sampler: sampler)
        waiting.append(generation)
        if !stepping {
            stepping = true
            Task { await self.runSteps() }
        }
        return generation.id
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
            let started = ContinuousClock.now
            step()
            if !backgroundWaiters.isEmpty {
                share.ranForeground(.now - started)
                if share.backgroundMayRun { resumeBackground() }
            }
            // Let submissions, cancellations and background inputs that arrived meanwhile run between steps.
            await Task.yield()
        }
        stepping = false
        share = BackgroundShare()
        resumeBackground()
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
                running[sequence]?.sink.finish(throwing: error)
                running[sequence] = nil
                context.removeSequence(sequence)
                cached[sequence] = []
            }
            return
        }

        for entry in entries {
            cached[entry.sequence].append(entry.token)
        }
        publishCounters()
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
        if generation.firstTokenAt == nil { generation.firstTokenAt = .now }
        if model.isEndOfGeneration(token) {
            finish(sequence, reason: .stop)
            return
        }
        generation.completionTokens += 1
        generation.lastToken = token
        let piece = model.piece(of: token)
        if let top = generation.request.logprobs, generation.sink.wantsLogprobs,
            let logprob = logprob(of: token, piece: piece, batchIndex: batchIndex, top: top)
        {
            generation.pendingLogprobs.append(logprob)
        }
        let (text, stopped) = generation.output.append(piece)
        if !text.isEmpty {
            generation.send(text)
        }
        if stopped {
            finish(sequence, reason: .stop, flush: false)
        } else if let maxTokens = generation.request.maxTokens, generation.completionTokens >= maxTokens {
            finish(sequence, reason: .length)
        } else if generation.position + 1 >= configuration.contextPerSequence {
            finish(sequence, reason: .length)
        }
    }

    /// The log-softmax of the logits at `batchIndex` for `token` and the `top` most likely
    /// tokens; read before the next decode overwrites them.
    private func logprob(of token: Int32, piece: [UInt8], batchIndex: Int, top: Int) -> TokenLogprob? {
        guard let logits = context.logits(at: batchIndex), Int(token) < logits.count else { return nil }
        let summary = LogSoftmax.summarize(logits, index: Int(token), top: top)
        return TokenLogprob(
            chosen: .init(token: token, bytes: piece, logprob: summary.logprob),
            top: summary.top.map { candidate in
                let id = Int32(candidate.index)
                return .init(token: id, bytes: id == token ? piece : model.piece(of: id), logprob: candidate.logprob)
            })
    }

    /// Ends a generation. Text held back as a possible stop string is sent, unless a stop
    /// string was in fact reached (`flush` false).
    private func finish(_ sequence: Int, reason: FinishReason, flush: Bool = true) {
        guard let generation = running.removeValue(forKey: sequence) else { return }
        if flush {
            let rest = generation.output.flush()
            if !rest.isEmpty || !generation.pendingLogprobs.isEmpty { generation.send(rest) }
        }
        let summary = GenerationSummary(
            finishReason: reason, promptTokens: generation.request.prompt.count,
            completionTokens: generation.completionTokens, cachedPromptTokens: generation.cachedPromptTokens)
        // Before the caller hears of the end, so metrics read after an answer already count it.
        observer?(
            GenerationReport(
                model: name, summary: summary,
                timeToFirstToken: generation.firstTokenAt.map { $0 - generation.submittedAt }))
        generation.sink.finished(summary)
    }
}

/// Where a generation's output goes: the plain text stream, or text with log-probabilities.
private enum GenerationSink: Sendable {
    case events(AsyncThrowingStream<GenerationEvent, any Error>.Continuation)
    case steps(AsyncThrowingStream<GenerationStep, any Error>.Continuation)

    var wantsLogprobs: Bool {
        if case .steps = self { true } else { false }
    }

    func text(_ text: String, logprobs: [TokenLogprob]) {
        switch self {
        case .events(let continuation): continuation.yield(.text(text))
        case .steps(let continuation): continuation.yield(.text(text, logprobs: logprobs))
        }
    }

    func finished(_ summary: GenerationSummary) {
        switch self {
        case .events(let continuation):
            continuation.yield(.finished(summary))
            continuation.finish()
        case .steps(let continuation):
            continuation.yield(.finished(summary))
            continuation.finish()
        }
    }

    func finish(throwing error: any Error) {
        switch self {
        case .events(let continuation): continuation.finish(throwing: error)
        case .steps(let continuation): continuation.finish(throwing: error)
        }
    }
}

/// A generation's state while it waits or runs; owned by its engine's actor.
private final class Generation {
    let id: Int
    let request: GenerationRequest
    let sink: GenerationSink
    let sampler: LlamaSampler
    var output: OutputText
    /// Tokens sampled whose text has not been sent yet (held back, or partial characters).
    var pendingLogprobs: [TokenLogprob] = []
    /// Next position to decode in the sequence.
    var position = 0
    var cachedPromptTokens = 0
    var completionTokens = 0
    /// The last sampled token, decoded in the next step.
    var lastToken: Int32?
    /// When the request reached the engine, and when its first token was sampled (metrics).
    let submittedAt = ContinuousClock.now
    var firstTokenAt: ContinuousClock.Instant?

    init(id: Int, request: GenerationRequest, sink: GenerationSink, sampler: LlamaSampler) {
        self.id = id
        self.request = request
        self.sink = sink
        self.sampler = sampler
        self.output = OutputText(stops: request.stop)
    }

    var isGenerating: Bool { lastToken != nil }

    /// Sends text with the tokens it completed.
    func send(_ text: String) {
        sink.text(text, logprobs: pendingLogprobs)
        pendingLogprobs = []
    }
}
