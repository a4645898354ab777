import CLlama

#if canImport(Glibc)
import Glibc
#endif

/// A loaded GGUF model: weights, vocabulary and chat template.
///
/// Immutable after loading; llama.cpp allows concurrent read-only use of a model (tokenizing,
/// detokenizing) from several threads, which is why this class may be `Sendable`.
final class LlamaModel: @unchecked Sendable {
    let pointer: OpaquePointer
    let vocab: OpaquePointer
    let vocabularySize: Int32
    let trainedContextLength: Int
    let embeddingLength: Int
    /// The Jinja chat template stored in the GGUF, if any.
    let chatTemplate: String?
    /// False for an encoder-only model (T5-style encoders).
    let hasDecoder: Bool
    /// False for a model with bidirectional attention (`ARCH.attention.causal = false`: BERT-family
    /// sentence embedders): it embeds, it does not generate text.
    let generatesText: Bool
    /// The longest input its embeddings are computed over: what the reference implementation
    /// truncates to (`sentence_transformers.max_seq_length`, written by Haven's converter from
    /// the checkpoint's `sentence_bert_config.json`), else the trained context.
    let embeddingInputLimit: Int

    init(path: String, gpuLayers: Int32) throws(InferenceError) {
        LlamaRuntime.initialised
        var parameters = llama_model_default_params()
        parameters.n_gpu_layers = gpuLayers
        guard let model = llama_model_load_from_file(path, parameters) else {
            throw .modelLoadFailed(path: path)
        }
        pointer = model
        vocab = llama_model_get_vocab(model)
        vocabularySize = llama_vocab_n_tokens(vocab)
        trainedContextLength = Int(llama_model_n_ctx_train(model))
        embeddingLength = Int(llama_model_n_embd(model))
        chatTemplate = llama_model_chat_template(model, nil).map { String(cString: $0) }
        hasDecoder = llama_model_has_decoder(model)
        func metadata(_ key: String) -> String? {
            var buffer = [CChar](repeating: 0, count: 128)
            guard llama_model_meta_val_str(model, key, &buffer, buffer.count) >= 0 else { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let architecture = metadata("general.architecture") ?? ""
        generatesText = hasDecoder && metadata(architecture + ".attention.causal") != "false"
        let stated = metadata("sentence_transformers.max_seq_length").flatMap(Int.init) ?? 0
        embeddingInputLimit = stated > 0 ? min(stated, max(1, trainedContextLength)) : max(1, trainedContextLength)
    }

    deinit {
        llama_model_free(pointer)
    }

    /// Tokens of `text`; special tokens in the text (`<|im_start|>`) are parsed when asked.
    func tokenize(_ text: String, addSpecial: Bool, parseSpecial: Bool) -> [Int32] {
        let utf8 = Array(text.utf8)
        var capacity = utf8.count + 8
        while true {
            var tokens = [Int32](repeating: 0, count: capacity)
            let count = utf8.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { characters in
                    llama_tokenize(
                        vocab, characters.baseAddress, Int32(utf8.count), &tokens, Int32(capacity), addSpecial,
                        parseSpecial)
                }
            }
            if count >= 0 { return Array(tokens.prefix(Int(count))) }
            capacity = Int(-count)
        }
    }

    /// The bytes a token stands for (possibly part of a UTF-8 character).
    func piece(of token: Int32) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 64)
        var count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, false)
        if count < 0 {
            buffer = [CChar](repeating: 0, count: Int(-count))
            count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, false)
        }
        return buffer.prefix(Int(max(count, 0))).map { UInt8(bitPattern: $0) }
    }

    /// Whether `token` ends generation (end of sequence, end of turn).
    func isEndOfGeneration(_ token: Int32) -> Bool {
        llama_vocab_is_eog(vocab, token)
    }

    /// Renders a conversation with the model's own template (`llama_chat_apply_template`).
    func applyChatTemplate(_ messages: [(role: String, content: String)], addAssistantTurn: Bool) throws(InferenceError) -> String {
        guard let template = chatTemplate else { throw .noChatTemplate }
        // Keep the C strings alive for the duration of the call.
        let roles = messages.map { strdup($0.role) }
        let contents = messages.map { strdup($0.content) }
        defer {
            roles.forEach { free($0) }
            contents.forEach { free($0) }
        }
        let chat = zip(roles, contents).map { llama_chat_message(role: $0, content: $1) }
        var capacity = max(1024, messages.reduce(0) { $0 + $1.content.utf8.count } * 2 + 256)
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let length = llama_chat_apply_template(template, chat, chat.count, addAssistantTurn, &buffer, Int32(capacity))
            guard length >= 0 else { throw .unsupportedChatTemplate }
            if Int(length) <= capacity {
                return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity = Int(length)
        }
    }
}
