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

    public init() {}
}
