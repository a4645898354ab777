import CLlama
import Foundation

/// What a GGUF file says about itself, read and checked without loading its weights.
public struct GGUFFile: Sendable, Equatable {
    public let version: Int
    public let tensorCount: Int
    /// `general.architecture`, e.g. `llama`.
    public let architecture: String?
    /// `general.name`, e.g. `SmolLM2 135M Instruct`.
    public let modelName: String?
    /// `general.size_label`, e.g. `135M`.
    public let sizeLabel: String?
    /// `tokenizer.chat_template`: the Jinja template the model was trained with.
    public let chatTemplate: String?
    public let fileSize: Int64
    /// Layers, embedding width and attention heads, for estimating the KV cache.
    public let blockCount: Int?
    public let embeddingLength: Int?
    public let headCount: Int?
    public let headCountKV: Int?

    /// Reads the header, metadata and tensor table of `path` with ggml's own GGUF reader,
    /// and checks that every tensor's data lies inside the file, so a truncated download is
    /// refused here rather than failing at load time.
    public init(path: String) throws(InferenceError) {
        LlamaRuntime.initialised
        // stat(2) follows a symbolic link to what it names. Only a regular file is read: opening
        // a FIFO would block, and Foundation's `readData` traps on a directory.
        var status = stat()
        guard stat(path, &status) == 0 else { throw .invalidModelFile(path: path, reason: "it cannot be read") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .invalidModelFile(path: path, reason: "it is not a regular file")
        }
        let size = Int64(status.st_size)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .invalidModelFile(path: path, reason: "it cannot be read")
        }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.close()
        guard magic == Data("GGUF".utf8) else {
            throw .invalidModelFile(path: path, reason: "it is not a GGUF file (wrong magic number)")
        }
        guard let context = gguf_init_from_file(path, gguf_init_params(no_alloc: true, ctx: nil)) else {
            throw .invalidModelFile(path: path, reason: "its header or metadata is damaged or truncated")
        }
        defer { gguf_free(context) }

        let tensors = Int(gguf_get_n_tensors(context))
        let dataOffset = Int64(gguf_get_data_offset(context))
        var end = dataOffset
        for index in 0..<Int64(tensors) {
            end = max(end, dataOffset + Int64(gguf_get_tensor_offset(context, index)) + Int64(gguf_get_tensor_size(context, index)))
        }
        guard tensors > 0 else { throw .invalidModelFile(path: path, reason: "it holds no tensors") }
        guard end <= size else {
            throw .invalidModelFile(path: path, reason: "it is truncated: the tensors need \(end) bytes, the file has \(size)")
        }
        func string(_ key: String) -> String? {
            let id = gguf_find_key(context, key)
            guard id >= 0, gguf_get_kv_type(context, id) == GGUF_TYPE_STRING else { return nil }
            return gguf_get_val_str(context, id).map { String(cString: $0) }
        }
        func integer(_ key: String) -> Int? {
            let id = gguf_find_key(context, key)
            guard id >= 0 else { return nil }
            switch gguf_get_kv_type(context, id) {
            case GGUF_TYPE_UINT32: return Int(gguf_get_val_u32(context, id))
            case GGUF_TYPE_INT32: return Int(gguf_get_val_i32(context, id))
            case GGUF_TYPE_UINT64: return Int(gguf_get_val_u64(context, id))
            default: return nil
            }
        }
        let prefix = string("general.architecture") ?? "llama"
        blockCount = integer(prefix + ".block_count")
        embeddingLength = integer(prefix + ".embedding_length")
        headCount = integer(prefix + ".attention.head_count")
        headCountKV = integer(prefix + ".attention.head_count_kv") ?? headCount
        version = Int(gguf_get_version(context))
        tensorCount = tensors
        architecture = string("general.architecture")
        modelName = string("general.name")
        sizeLabel = string("general.size_label")
        chatTemplate = string("tokenizer.chat_template")
        fileSize = size
    }

    /// Memory a loaded model needs with `contextTokens` cells of KV cache: the weights, an
    /// f16 K and V per layer, and a tenth more for compute buffers.
    public func estimatedMemory(contextTokens: Int) -> Int64 {
        var kv: Int64 = 0
        if let layers = blockCount, let width = embeddingLength, let heads = headCount, heads > 0 {
            let kvWidth = width / heads * (headCountKV ?? heads)
            kv = 2 * Int64(layers) * Int64(contextTokens) * Int64(kvWidth) * 2
        }
        return (fileSize + kv) * 11 / 10
    }
}
