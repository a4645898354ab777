import CLlama

/// A llama.cpp context with `sequenceCount` sequences sharing one unified KV cache, and the
/// batch it decodes. Owned and used by exactly one ``InferenceEngine`` (an actor), which is
/// what makes the `@unchecked Sendable` safe: no two threads ever touch it at once.
final class LlamaContext: @unchecked Sendable {
    let model: LlamaModel
    let pointer: OpaquePointer
    let batchCapacity: Int
    /// Cells of KV cache across all sequences (`n_ctx`).
    let contextLength: Int
    private var batch: llama_batch
    /// The adapters applied, kept alive as long as this context.
    private(set) var adapters: [LlamaAdapter] = []

    /// - Parameters:
    ///   - embeddings: a context for pooled (mean) embeddings rather than generation; its batch
    ///     holds a whole input, which pooling needs.
    ///   - wholeBatch: a batch as large as the context (an image's embeddings decoded at once,
    ///     which projectors with non-causal attention need).
    init(
        model: LlamaModel, sequenceCount: Int, contextLength: Int, threads: Int, embeddings: Bool = false,
        wholeBatch: Bool = false
    ) throws(InferenceError) {
        var parameters = llama_context_default_params()
        parameters.n_ctx = UInt32(contextLength)
        parameters.n_batch = embeddings || wholeBatch ? UInt32(contextLength) : 512
        parameters.n_ubatch = parameters.n_batch
        if embeddings {
            // Pooled as the model says (a sentence-embedding model's GGUF names its pooling);
            // a model that names none (a chat model used as embedder) is mean-pooled.
            parameters.embeddings = true
            parameters.pooling_type = LLAMA_POOLING_TYPE_UNSPECIFIED
        }
        parameters.n_seq_max = UInt32(sequenceCount)
        parameters.n_threads = Int32(threads)
        parameters.n_threads_batch = Int32(threads)
        // Generation: a stream per sequence, so a token attends only over its own sequence's
        // cells, which keeps many unrelated streams fast (sharing a prefix then means copying a
        // stream, see below). Embeddings: one unified cache that the sequences of a batch share
        // (each still attends only to its own tokens), emptied after every batch.
        parameters.kv_unified = embeddings
        guard var context = llama_init_from_model(model.pointer, parameters) else {
            throw .contextCreationFailed
        }
        if embeddings, llama_pooling_type(context) == LLAMA_POOLING_TYPE_NONE {
            llama_free(context)
            parameters.pooling_type = LLAMA_POOLING_TYPE_MEAN
            guard let pooled = llama_init_from_model(model.pointer, parameters) else { throw .contextCreationFailed }
            context = pooled
        }
        self.model = model
        self.pointer = context
        self.batchCapacity = Int(llama_n_batch(context))
        self.contextLength = Int(llama_n_ctx(context))
        self.batch = llama_batch_init(Int32(batchCapacity), 0, 1)
    }

    deinit {
        llama_batch_free(batch)
        llama_free(pointer)
    }

    /// Applies `adapters` at their scales to every decode from now on (an empty list: the base
    /// model alone).
    func setAdapters(_ adapters: [(adapter: LlamaAdapter, scale: Float)]) throws(InferenceError) {
        var pointers: [OpaquePointer?] = adapters.map(\.adapter.pointer)
        var scales = adapters.map(\.scale)
        let status = pointers.withUnsafeMutableBufferPointer { pointers in
            scales.withUnsafeMutableBufferPointer { scales in
                llama_set_adapters_lora(pointer, pointers.baseAddress, adapters.count, scales.baseAddress)
            }
        }
        guard status == 0 else { throw .invalidParameter("llama.cpp refused the adapter list (status \(status))") }
        self.adapters = adapters.map(\.adapter)
    }

    /// One token placed in the batch.
    struct Entry {
        var token: Int32
        var position: Int
        var sequence: Int
        var wantsLogits: Bool
    }

    /// Decodes the entries as one batch; the logits of entry `i` (if it wanted them) are then
    /// read with batch index `i`.
    func decode(_ entries: [Entry]) throws(InferenceError) {
        precondition(entries.count <= batchCapacity)
        batch.n_tokens = Int32(entries.count)
        for (index, entry) in entries.enumerated() {
            batch.token[index] = entry.token
            batch.pos[index] = Int32(entry.position)
            batch.n_seq_id[index] = 1
            batch.seq_id[index]![0] = Int32(entry.sequence)
            batch.logits[index] = entry.wantsLogits ? 1 : 0
        }
        // An encoder-only model (BERT) has no decoder: its batch is encoded.
        let status = model.hasDecoder ? llama_decode(pointer, batch) : llama_encode(pointer, batch)
        guard status == 0 else { throw .decodeFailed(status: Int(status)) }
    }

    /// Forgets every sequence's cache (an embeddings context between batches).
    func clearMemory() {
        if let memory = llama_get_memory(pointer) { llama_memory_clear(memory, true) }
    }

    /// The logits of batch entry `batchIndex` of the last decode, one per vocabulary token;
    /// valid until the next decode.
    func logits(at batchIndex: Int) -> UnsafeBufferPointer<Float>? {
        guard let values = llama_get_logits_ith(pointer, Int32(batchIndex)) else { return nil }
        return UnsafeBufferPointer(start: values, count: Int(model.vocabularySize))
    }

    /// The pooled embedding of a sequence just decoded in an embeddings context.
    func pooledEmbedding(sequence: Int) -> [Float]? {
        guard let values = llama_get_embeddings_seq(pointer, Int32(sequence)) else { return nil }
        return Array(UnsafeBufferPointer(start: values, count: model.embeddingLength))
    }

    /// Forgets the sequence's cache from `position` on.
    func removeSequence(_ sequence: Int, from position: Int = 0) {
        _ = llama_memory_seq_rm(llama_get_memory(pointer), Int32(sequence), Int32(position), -1)
    }

    /// Gives `destination` the cache of `source`'s first `length` positions. Across streams
    /// llama.cpp copies whole buffers (on the next decode), so the copy is trimmed afterwards.
    func copySequence(_ source: Int, to destination: Int, length: Int) {
        let memory = llama_get_memory(pointer)
        llama_memory_seq_cp(memory, Int32(source), Int32(destination), -1, -1)
        _ = llama_memory_seq_rm(memory, Int32(destination), Int32(length), -1)
    }
}
