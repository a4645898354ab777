/// Why a document's text could not be extracted. Each case says what the user can do about it.
public enum ExtractionError: Error, Equatable, Sendable {
    /// The bytes are binary (they contain NUL bytes), so there is no text to index.
    case notText
    /// The file does not follow its format (JSON that does not parse, an e-mail with no headers).
    case malformed(String)
    /// An external tool the kind needs is not installed.
    case toolMissing(String, hint: String)
    /// The external tool ran and failed; `message` is what it wrote on stderr.
    case toolFailed(String, status: Int32, message: String)
    /// The external tool did not finish in time and was stopped.
    case timedOut(String)
    /// The extraction's task was cancelled and the tool it ran was stopped.
    case cancelled
    /// The kind is read by an external tool, which only the async `TextExtractor.extract` runs.
    case requiresTool(String)
}

extension ExtractionError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notText:
            "the file is binary (it contains NUL bytes), so it has no text to index; store text as UTF-8"
        case .malformed(let reason):
            "the file cannot be read: \(reason)"
        case .toolMissing(let tool, let hint):
            "\(tool) is needed to read this file but is not installed; \(hint)"
        case .toolFailed(let tool, let status, let message):
            "\(tool) could not read this file (exit status \(status))" + (message.isEmpty ? "" : ": \(message)")
        case .timedOut(let tool):
            "\(tool) took too long to read this file and was stopped; the file may be very large or damaged"
        case .cancelled:
            "text extraction was cancelled"
        case .requiresTool(let tool):
            "this kind of file is read with \(tool); use the async TextExtractor.extract, which runs it"
        }
    }
}
