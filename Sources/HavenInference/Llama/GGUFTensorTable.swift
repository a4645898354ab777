import CLlama
import Foundation

/// The metadata and tensor shapes of a GGUF file, read without its tensor data: what checking
/// a LoRA adapter against its base needs (``LoraAdapterCheck``).
public struct GGUFTensorTable: Sendable, Equatable {
    /// String-valued metadata, by key (`general.type`, `general.architecture`, `adapter.type`).
    public var strings: [String: String]
    /// Float-valued metadata, by key (`adapter.lora.alpha`).
    public var floats: [String: Float]
    /// Each tensor's dimensions in ggml's order (`ne[0]` first: the row length), trailing 1s dropped.
    public var shapes: [String: [Int64]]

    public init(strings: [String: String], floats: [String: Float] = [:], shapes: [String: [Int64]]) {
        self.strings = strings
        self.floats = floats
        self.shapes = shapes
    }

    /// Reads `path`, which ``GGUFFile`` has already checked (magic, header, tensor bounds).
    public init(path: String) throws(InferenceError) {
        LlamaRuntime.initialised
        _ = try GGUFFile(path: path)
        guard let context = gguf_init_from_file(path, gguf_init_params(no_alloc: true, ctx: nil)) else {
            throw .invalidModelFile(path: path, reason: "its header or metadata is damaged or truncated")
        }
        defer { gguf_free(context) }
        var strings: [String: String] = [:]
        var floats: [String: Float] = [:]
        for id in 0..<gguf_get_n_kv(context) {
            guard let key = gguf_get_key(context, id).map({ String(cString: $0) }) else { continue }
            switch gguf_get_kv_type(context, id) {
            case GGUF_TYPE_STRING:
                if let value = gguf_get_val_str(context, id) { strings[key] = String(cString: value) }
            case GGUF_TYPE_FLOAT32:
                floats[key] = gguf_get_val_f32(context, id)
            default:
                continue
            }
        }
        var shapes: [String: [Int64]] = [:]
        for id in 0..<gguf_get_n_tensors(context) {
            guard let name = gguf_get_tensor_name(context, id).map({ String(cString: $0) }),
                let ne = gguf_get_tensor_ne(context, id)
            else { continue }
            var dims = (0..<4).map { ne[$0] }
            while dims.count > 1, dims.last == 1 { dims.removeLast() }
            shapes[name] = dims
        }
        self.init(strings: strings, floats: floats, shapes: shapes)
    }
}
