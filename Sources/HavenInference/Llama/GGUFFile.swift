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
    /// For a multimodal projector (`general.architecture` = `clip`): `clip.has_vision_encoder`,
    /// `clip.projector_type` and `clip.vision.projection_dim` (see ``ProjectorCheck``).
    public let hasVisionEncoder: Bool
    public let projectorType: String?
    public let projectionWidth: Int?

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
        guard tensors > 0 else { throw .invalidModelFile(path: path, reason: "it holds no tensors") }
        // ggml's offsets and sizes are size_t, which Swift imports as Int: a tensor declared with
        // 2^63 bytes or more reads as negative. Summed as unsigned, with overflow refused, no
        // declared size makes a short file look whole.
        let dataOffset = UInt64(UInt(bitPattern: gguf_get_data_offset(context)))
        for index in 0..<Int64(tensors) {
            let offset = UInt64(UInt(bitPattern: gguf_get_tensor_offset(context, index)))
            let byteCount = UInt64(UInt(bitPattern: gguf_get_tensor_size(context, index)))
            let (start, startOverflows) = dataOffset.addingReportingOverflow(offset)
            let (end, endOverflows) = start.addingReportingOverflow(byteCount)
            guard !startOverflows, !endOverflows, end <= UInt64(size) else {
                let need = startOverflows || endOverflows ? "more than 2^64" : String(end)
                throw .invalidModelFile(path: path, reason: "it is truncated: its tensors need \(need) bytes, the file has \(size)")
            }
        }
        func string(_ key: String) -> String? {
            let id = gguf_find_key(context, key)
            guard id >= 0, gguf_get_kv_type(context, id) == GGUF_TYPE_STRING else { return nil }
            return gguf_get_val_str(context, id).map { String(cString: $0) }
        }
        // A count the memory estimate uses (layers, width, heads), refused outside 0...maximumCount:
        // a negative one or one past Int would make the estimate wrong or trap.
        func count(_ key: String) throws(InferenceError) -> Int? {
            let id = gguf_find_key(context, key)
            guard id >= 0 else { return nil }
            let value: Int64
            let text: String
            switch gguf_get_kv_type(context, id) {
            case GGUF_TYPE_UINT32:
                value = Int64(gguf_get_val_u32(context, id))
                text = String(value)
            case GGUF_TYPE_INT32:
                value = Int64(gguf_get_val_i32(context, id))
                text = String(value)
            case GGUF_TYPE_UINT64:
                let unsigned = gguf_get_val_u64(context, id)
                value = Int64(exactly: unsigned) ?? -1
                text = String(unsigned)
            default: return nil
            }
            guard (0...Self.maximumCount).contains(value) else {
                throw .invalidModelFile(path: path, reason: "its metadata gives \(key) as \(text), which no model has")
            }
            return Int(value)
        }
        let prefix = string("general.architecture") ?? "llama"
        blockCount = try count(prefix + ".block_count")
        embeddingLength = try count(prefix + ".embedding_length")
        headCount = try count(prefix + ".attention.head_count")
        headCountKV = try count(prefix + ".attention.head_count_kv") ?? headCount
        version = Int(gguf_get_version(context))
        tensorCount = tensors
        architecture = string("general.architecture")
        modelName = string("general.name")
        sizeLabel = string("general.size_label")
        chatTemplate = string("tokenizer.chat_template")
        let visionKey = gguf_find_key(context, "clip.has_vision_encoder")
        hasVisionEncoder = visionKey >= 0 && gguf_get_kv_type(context, visionKey) == GGUF_TYPE_BOOL
            && gguf_get_val_bool(context, visionKey)
        projectorType = string("clip.projector_type")
        projectionWidth = try count("clip.vision.projection_dim")
        fileSize = size
    }

    /// The largest layer, width or head count accepted from the metadata (real models stay
    /// below a few tens of thousands).
    static let maximumCount: Int64 = 1 << 24

    /// Memory a loaded model needs with `contextTokens` cells of KV cache: the weights, an
    /// f16 K and V per layer, and a tenth more for compute buffers. Saturates at `Int64.max`
    /// (no budget admits it) rather than overflow on metadata no real model has.
    public func estimatedMemory(contextTokens: Int) -> Int64 {
        Self.withComputeBuffers(fileSize.saturatingSum(kvCacheBytes(contextTokens: contextTokens)))
    }

    /// Memory another context on this model's already loaded weights needs (an adapter's engine):
    /// its KV cache and compute buffers, plus `extra` bytes (the adapter's tensors).
    public func estimatedContextMemory(contextTokens: Int, extra: Int64 = 0) -> Int64 {
        Self.withComputeBuffers(kvCacheBytes(contextTokens: contextTokens).saturatingSum(max(0, extra)))
    }

    /// An f16 K and V per layer for `contextTokens` cells.
    private func kvCacheBytes(contextTokens: Int) -> Int64 {
        guard let layers = blockCount, let width = embeddingLength, let heads = headCount, heads > 0 else { return 0 }
        let kvWidth = Int64(width / heads).saturatingProduct(Int64(headCountKV ?? heads))
        return [2, Int64(layers), Int64(max(0, contextTokens)), kvWidth, 2].reduce(1) { $0.saturatingProduct($1) }
    }

    /// A tenth more for compute buffers.
    private static func withComputeBuffers(_ bytes: Int64) -> Int64 {
        bytes.saturatingSum(bytes / 10)
    }
}

extension Int64 {
    /// `self * other` for non-negative values, or `Int64.max` when it overflows.
    fileprivate func saturatingProduct(_ other: Int64) -> Int64 {
        let (product, overflows) = multipliedReportingOverflow(by: other)
        return overflows ? .max : product
    }

    /// `self + other` for non-negative values, or `Int64.max` when it overflows.
    fileprivate func saturatingSum(_ other: Int64) -> Int64 {
        let (sum, overflows) = addingReportingOverflow(other)
        return overflows ? .max : sum
    }
}
