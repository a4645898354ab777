/// What one finished generation cost, handed to an engine's ``GenerationObserver`` (the
/// server's metrics) as the generation ends, before its summary reaches the caller.
public struct GenerationReport: Sendable, Equatable {
    /// The engine's model name.
    public var model: String
    /// The counts the caller also receives (prompt, completion and reused prompt tokens).
    public var summary: GenerationSummary
    /// From the request reaching the engine (queue wait and prompt processing included) to its
    /// first sampled token; `nil` if it ended before sampling one.
    public var timeToFirstToken: Duration?

    public init(model: String, summary: GenerationSummary, timeToFirstToken: Duration?) {
        self.model = model
        self.summary = summary
        self.timeToFirstToken = timeToFirstToken
    }
}

/// Called on the engine's thread for every generation that finishes (a stop or a length limit;
/// cancelled and failed generations are not reported). It must return quickly.
public typealias GenerationObserver = @Sendable (GenerationReport) -> Void
