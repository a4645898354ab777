import CLlama

/// A multimodal projector loaded for a text model by libmtmd (`mtmd_init_from_file`): it turns
/// an image into embeddings that the model reads in place of the prompt's media marker.
///
/// Used by one ``InferenceEngine`` (an actor) at a time, which is what makes the
/// `@unchecked Sendable` safe: libmtmd's evaluation is not thread-safe. It keeps its model alive.
final class LlamaVision: @unchecked Sendable {
    let model: LlamaModel
    let pointer: OpaquePointer
    let path: String

    init(model: LlamaModel, projector path: String, threads: Int, useGPU: Bool) throws(VisionError) {
        LlamaRuntime.initialised
        var parameters = mtmd_context_params_default()
        parameters.use_gpu = useGPU
        parameters.print_timings = false
        parameters.n_threads = Int32(threads)
        parameters.warmup = false
        guard let context = mtmd_init_from_file(path, model.pointer, parameters) else { throw .loadFailed(path: path) }
        self.model = model
        self.pointer = context
        self.path = path
        try checkTokens()
    }

    /// Tokenizes a blank picture the way ``evaluate(prompt:image:into:)`` would, so a projector
    /// that wraps images in tokens this model's vocabulary lacks (idefics3's
    /// `<fake_token_around_image>` before a text model other than its own) is refused here:
    /// libmtmd would otherwise hand llama.cpp token -1, which aborts the process.
    private func checkTokens() throws(VisionError) {
        let side: UInt32 = 32
        let pixels = [UInt8](repeating: 128, count: Int(side * side * 3))
        guard let bitmap = mtmd_bitmap_init(side, side, pixels) else { throw .loadFailed(path: path) }
        defer { mtmd_bitmap_free(bitmap) }
        _ = try tokenize(prompt: Self.marker, bitmap: bitmap)
    }

    /// The chunks of `prompt` with `bitmap` in place of its marker, every text token checked.
    private func tokenize(prompt: String, bitmap: OpaquePointer) throws(VisionError) -> OpaquePointer {
        guard let chunks = mtmd_input_chunks_init() else { throw .evaluationFailed("out of memory") }
        let tokenized: Int32 = prompt.withCString { text in
            var input = mtmd_input_text(text: text, text_len: prompt.utf8.count, add_special: true, parse_special: true)
            var bitmaps: [OpaquePointer?] = [bitmap]
            return bitmaps.withUnsafeMutableBufferPointer { list in
                mtmd_tokenize(pointer, chunks, &input, list.baseAddress, 1)
            }
        }
        guard tokenized == 0 else {
            mtmd_input_chunks_free(chunks)
            if tokenized == 2 { throw .unreadableImage }
            throw .evaluationFailed("the prompt and image could not be tokenized (status \(tokenized))")
        }
        for index in 0..<mtmd_input_chunks_size(chunks) {
            let chunk = mtmd_input_chunks_get(chunks, index)
            guard mtmd_input_chunk_get_type(chunk) == MTMD_INPUT_CHUNK_TYPE_TEXT else { continue }
            var count = 0
            guard let tokens = mtmd_input_chunk_get_tokens_text(chunk, &count) else { continue }
            for token in UnsafeBufferPointer(start: tokens, count: count) where token < 0 || token >= model.vocabularySize {
                mtmd_input_chunks_free(chunks)
                throw .foreignTokens(path: path)
            }
        }
        return chunks
    }

    deinit {
        mtmd_free(pointer)
    }

    /// The text that stands for the image in a prompt.
    static var marker: String { String(cString: mtmd_default_marker()) }

    /// Evaluates `prompt` (one ``marker`` in it, where the image goes) into sequence 0 of
    /// `context` from position 0, the logits of the last position kept; returns the positions
    /// used.
    func evaluate(prompt: String, image: [UInt8], into context: LlamaContext) throws(VisionError) -> Int {
        let wrapper = image.withUnsafeBufferPointer { bytes in
            mtmd_helper_bitmap_init_from_buf(pointer, bytes.baseAddress, bytes.count, false, mtmd_helper_init_opt_default())
        }
        guard let bitmap = wrapper.bitmap else { throw .unreadableImage }
        defer { mtmd_bitmap_free(bitmap) }
        let chunks = try tokenize(prompt: prompt, bitmap: bitmap)
        defer { mtmd_input_chunks_free(chunks) }
        let positions = Int(mtmd_helper_get_n_pos(chunks))
        guard positions < context.contextLength else {
            throw .evaluationFailed("the image needs \(positions) positions, more than the context's \(context.contextLength)")
        }
        var past: llama_pos = 0
        let status = mtmd_helper_eval_chunks(
            pointer, context.pointer, chunks, 0, 0, Int32(context.batchCapacity), true, &past)
        guard status == 0 else { throw .evaluationFailed("evaluating the image failed (status \(status))") }
        return Int(past)
    }
}
