import CLlama

/// A LoRA adapter loaded against a model (`llama_adapter_lora_init`). It keeps its model alive,
/// and contexts that apply it keep it alive (``LlamaContext/setAdapters(_:)``), so it is freed
/// only after every context that used it and before its model.
final class LlamaAdapter: @unchecked Sendable {
    let model: LlamaModel
    let pointer: OpaquePointer
    let path: String

    init(model: LlamaModel, path: String) throws(AdapterError) {
        guard let adapter = llama_adapter_lora_init(model.pointer, path) else { throw .loadFailed(path: path) }
        self.model = model
        self.pointer = adapter
        self.path = path
    }

    /// The adapter of `spec`, a refusal by llama.cpp reported as an unusable model file.
    static func load(model: LlamaModel, spec: AdapterSpec) throws(InferenceError) -> LlamaAdapter {
        do {
            return try LlamaAdapter(model: model, path: spec.path)
        } catch {
            throw .invalidModelFile(path: spec.path, reason: error.description)
        }
    }

    deinit {
        llama_adapter_lora_free(pointer)
    }
}
