import CLlama

#if canImport(Glibc)
import Glibc
#endif

/// Process-wide llama.cpp set-up: the backend is initialised once, and its chatty logging is
/// limited to errors (llama.cpp writes to stderr, outside swift-log).
public enum LlamaRuntime {
    static let initialised: Void = {
        // Errors only, from llama.cpp and from ggml (allocation failures, damaged GGUF files).
        llama_log_set(errorsOnly, nil)
        ggml_log_set(errorsOnly, nil)
        llama_backend_init()
    }()

    /// Silences llama.cpp's and ggml's logging altogether, errors included: for tools that feed
    /// them thousands of damaged files on purpose (`haven-fuzz --mutate`), never for a server.
    public static func silence() {
        _ = initialised
        llama_log_set(silent, nil)
        ggml_log_set(silent, nil)
    }

    private static let silent: ggml_log_callback = { _, _, _ in }

    private static let errorsOnly: ggml_log_callback = { level, text, _ in
        guard level == GGML_LOG_LEVEL_ERROR, let text else { return }
        _ = write(STDERR_FILENO, text, strlen(text))
    }
}
