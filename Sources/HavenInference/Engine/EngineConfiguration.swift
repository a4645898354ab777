import Foundation

/// How an engine sizes its context.
public struct EngineConfiguration: Sendable, Equatable {
    /// Sequences decoded together (`--parallel`).
    public var parallel: Int = 4
    /// Context of one request: prompt and answer together, in tokens.
    public var contextPerSequence: Int = 2048
    /// Requests allowed to wait for a sequence; beyond them the answer is 429.
    public var queueLimit: Int = 64
    /// CPU threads for decoding.
    public var threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Layers offloaded to a GPU when the build has one.
    public var gpuLayers: Int = 999
    /// Inputs packed into one embeddings decode: at most this many sequences…
    public var embeddingBatchSequences: Int = 32
    /// …and this many tokens (an input longer than this runs alone). An encoder attends over
    /// the whole batch at once (its mask is tokens × tokens, mostly masked away), so a long
    /// batch costs attention that grows with its square: all-MiniLM-L6-v2 over 256-token
    /// passages indexed 10.4 passages/s in batches of 2048 tokens, 15.1 in batches of 512, 13.2
    /// in 1024 and 14.4 in 256 (`haven-bench knowledge`, 2 cores).
    public var embeddingBatchTokens: Int = 512

    public init() {}
}
