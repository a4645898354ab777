import CLlama

/// Process-wide llama.cpp set-up: the backend is initialised once, and its chatty logging is
/// limited to errors (llama.cpp writes to stderr, outside swift-log).
enum LlamaRuntime {
    static let initialised: Void = {
        llama_log_set({ level, text, _ in
            guard level == GGML_LOG_LEVEL_ERROR, let text else { return }
            _ = write(STDERR_FILENO, text, strlen(text))
        }, nil)
        llama_backend_init()
    }()
}

#if canImport(Glibc)
import Glibc
#endif
