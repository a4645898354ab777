/// Why a model could not be used or a generation could not run.
public enum InferenceError: Error, Equatable, Sendable {
    case modelNotFound(String)
    case modelLoadFailed(path: String)
    /// The file is not a usable GGUF model.
    case invalidModelFile(path: String, reason: String)
    case contextCreationFailed
    case noChatTemplate
    case unsupportedChatTemplate
    /// The prompt does not fit the per-request context.
    case promptTooLong(tokens: Int, limit: Int)
    case emptyPrompt
    /// Every sequence is busy and the wait queue is full.
    case queueFull(retryAfterSeconds: Int)
    case decodeFailed(status: Int)
    /// A generation stream ended without its summary.
    case generationIncomplete
    /// Loading the model would exceed the memory budget even with idle models unloaded.
    case memoryBudgetExceeded(model: String, needed: Int64, available: Int64)
    case invalidParameter(String)
}

extension InferenceError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .modelNotFound(let name): "model '\(name)' is not installed; see GET /v1/models or 'haven model list'"
        case .modelLoadFailed(let path): "the model file \(path) could not be loaded"
        case .invalidModelFile(let path, let reason): "\(path) is not a usable model: \(reason)"
        case .contextCreationFailed: "the model could not be given a context (out of memory?)"
        case .noChatTemplate: "this model has no chat template; use the completions API instead"
        case .unsupportedChatTemplate: "this model's chat template is not supported"
        case .promptTooLong(let tokens, let limit):
            "the prompt has \(tokens) tokens; this model accepts at most \(limit) per request (prompt and answer together)"
        case .emptyPrompt: "the prompt is empty"
        case .queueFull: "the server is busy: every sequence is in use and the queue is full; retry shortly"
        case .decodeFailed(let status): "the model failed to process the batch (llama_decode returned \(status))"
        case .invalidParameter(let reason): reason
        case .generationIncomplete: "the generation ended before it finished"
        case .memoryBudgetExceeded(let model, let needed, let available):
            "model '\(model)' needs about \(needed >> 20) MiB but only \(available >> 20) MiB of the memory budget is free "
                + "(models in use stay loaded); raise inference.memory_budget or try again when they are idle"
        }
    }
}
