/// How the next token is chosen, with the defaults llama.cpp's server uses.
public struct SamplingParameters: Sendable, Equatable {
    public var temperature: Double = 0.8
    public var topK: Int = 40
    public var topP: Double = 0.95
    public var minP: Double = 0.05
    /// A fixed seed makes generation repeatable; `nil` draws one.
    public var seed: UInt32?
    public var repeatPenalty: Double = 1.0
    public var frequencyPenalty: Double = 0
    public var presencePenalty: Double = 0
    /// How many recent tokens the penalties look at.
    public var penaltyWindow: Int = 64
    /// A GBNF grammar (start rule `root`) the output must match, e.g. from ``JSONSchemaGrammar``.
    public var grammar: String?
    /// When set, the grammar waits until the output matches one of these patterns (regexes
    /// over the whole output, constrained from their first group on): a lazy grammar.
    public var grammarTriggers: [String] = []

    public init() {}
}
