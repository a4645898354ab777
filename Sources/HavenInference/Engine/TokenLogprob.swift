/// One generated token with its log-probability under the model (the log-softmax of its
/// logits, before sampling shaped them) and the most likely tokens at that position.
public struct TokenLogprob: Sendable, Equatable {
    /// A token the model could have chosen, and how likely it was.
    public struct Candidate: Sendable, Equatable {
        public var token: Int32
        /// The token's text as bytes (a token may hold part of a UTF-8 character).
        public var bytes: [UInt8]
        public var logprob: Double

        public init(token: Int32, bytes: [UInt8], logprob: Double) {
            self.token = token
            self.bytes = bytes
            self.logprob = logprob
        }

        /// The bytes as text (a partial character shows as U+FFFD).
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// The token that was chosen.
    public var chosen: Candidate
    /// The most likely tokens, most likely first; as many as the request asked for.
    public var top: [Candidate]

    public init(chosen: Candidate, top: [Candidate]) {
        self.chosen = chosen
        self.top = top
    }
}
