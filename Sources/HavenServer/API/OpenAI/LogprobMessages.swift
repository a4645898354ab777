import HavenInference

/// A chat choice's `logprobs`: `{"content": [{token, logprob, bytes, top_logprobs: […]}]}`.
public struct ChatLogprobs: Codable, Sendable, Equatable {
    /// One token as OpenAI lists it.
    public struct Token: Codable, Sendable, Equatable {
        public var token: String
        public var logprob: Double
        public var bytes: [Int]?
        public var topLogprobs: [Alternative]

        enum CodingKeys: String, CodingKey {
            case token, logprob, bytes
            case topLogprobs = "top_logprobs"
        }
    }

    /// One of the most likely tokens at a position.
    public struct Alternative: Codable, Sendable, Equatable {
        public var token: String
        public var logprob: Double
        public var bytes: [Int]?
    }

    public var content: [Token]?
    public var refusal: [Token]? = nil

    public init(_ tokens: [TokenLogprob]) {
        content = tokens.map { token in
            Token(
                token: token.chosen.text, logprob: Self.finite(token.chosen.logprob), bytes: token.chosen.bytes.map(Int.init),
                topLogprobs: token.top.map {
                    Alternative(token: $0.text, logprob: Self.finite($0.logprob), bytes: $0.bytes.map(Int.init))
                })
        }
    }

    /// JSON has no infinity: an impossible token gets OpenAI's floor of -9999.
    static func finite(_ logprob: Double) -> Double {
        logprob.isFinite ? max(logprob, -9999) : -9999
    }
}

/// A completion choice's `logprobs`: parallel lists of tokens, their log-probabilities, the
/// most likely alternatives (`{token: logprob}`) and where each token starts in the text.
public struct CompletionLogprobs: Codable, Sendable, Equatable {
    public var tokens: [String]
    public var tokenLogprobs: [Double]
    public var topLogprobs: [[String: Double]]
    public var textOffset: [Int]

    enum CodingKeys: String, CodingKey {
        case tokens
        case tokenLogprobs = "token_logprobs"
        case topLogprobs = "top_logprobs"
        case textOffset = "text_offset"
    }

    /// The entries of `tokens`, the first starting at character `offset` of the completion.
    public init(_ tokens: [TokenLogprob], offset: Int) {
        self.tokens = tokens.map(\.chosen.text)
        tokenLogprobs = tokens.map { ChatLogprobs.finite($0.chosen.logprob) }
        topLogprobs = tokens.map { token in
            // Two tokens may read the same; the more likely (listed first) is kept.
            token.top.reversed().reduce(into: [:]) { $0[$1.text] = ChatLogprobs.finite($1.logprob) }
        }
        var offsets: [Int] = []
        var position = offset
        for token in tokens {
            offsets.append(position)
            position += token.chosen.text.unicodeScalars.count
        }
        textOffset = offsets
    }

}
