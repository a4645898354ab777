/// A LoRA adapter to run on top of a base model: its GGUF file and the scale it applies at
/// (llama.cpp multiplies the adapter's `alpha / rank` by it; 1 is the adapter as trained).
public struct AdapterSpec: Sendable, Hashable {
    public var path: String
    public var scale: Float

    public init(path: String, scale: Float = 1) {
        self.path = path
        self.scale = scale
    }

    /// Scales from 0 (the base model) to 4 are accepted.
    public static func validate(scale: Double) throws(AdapterError) {
        guard scale.isFinite, (0...4).contains(scale) else { throw .invalidScale(scale) }
    }
}
