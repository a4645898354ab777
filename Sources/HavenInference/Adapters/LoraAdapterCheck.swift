/// Checks a LoRA adapter's GGUF against the base model it is meant for, before llama.cpp
/// loads it: the same rules llama.cpp applies (`general.type = adapter`, `adapter.type = lora`,
/// the same architecture, every `X.lora_a`/`X.lora_b` pair complete, `X` a tensor of the base,
/// and the shapes `A: [n_in, r]`, `B: [r, n_out]` against the base's `[n_in, n_out]`), each
/// refused with a message that says which tensor and why.
public enum LoraAdapterCheck {
    /// What an adapter that passed holds: its rank(s), alpha and the base tensors it changes.
    public struct Summary: Sendable, Equatable {
        public var architecture: String
        public var alpha: Float?
        public var ranks: Set<Int64>
        public var tensors: [String]
    }

    public static func check(adapter: GGUFTensorTable, base: GGUFTensorTable) throws(AdapterError) -> Summary {
        guard adapter.strings["general.type"] == "adapter" else {
            throw .notAnAdapter(reason: "its general.type is \(adapter.strings["general.type"].map { "'\($0)'" } ?? "missing"), not 'adapter' (is it a model?)")
        }
        guard adapter.strings["adapter.type"] == "lora" else {
            throw .notAnAdapter(reason: "its adapter.type is \(adapter.strings["adapter.type"].map { "'\($0)'" } ?? "missing"), not 'lora'")
        }
        let architecture = adapter.strings["general.architecture"] ?? "?"
        let baseArchitecture = base.strings["general.architecture"] ?? "?"
        guard architecture == baseArchitecture else {
            throw .architectureMismatch(adapter: architecture, base: baseArchitecture)
        }
        var pairs: [String: (a: [Int64]?, b: [Int64]?)] = [:]
        for (name, shape) in adapter.shapes {
            if name.hasSuffix(".lora_a") {
                pairs[String(name.dropLast(7)), default: (nil, nil)].a = shape
            } else if name.hasSuffix(".lora_b") {
                pairs[String(name.dropLast(7)), default: (nil, nil)].b = shape
            } else if name.hasSuffix("_norm.weight") {
                continue  // llama.cpp skips norm vectors in adapters
            } else {
                throw .unexpectedTensor(name)
            }
        }
        guard !pairs.isEmpty else { throw .notAnAdapter(reason: "it holds no lora_a/lora_b tensors") }
        var ranks: Set<Int64> = []
        for (name, pair) in pairs.sorted(by: { $0.key < $1.key }) {
            guard let a = pair.a, let b = pair.b else { throw .incompletePair(name) }
            guard let target = base.shapes[name] else { throw .tensorNotInBase(name) }
            guard a.count == 2, b.count == 2, target.count == 2 else {
                throw .shapeMismatch(tensor: name, reason: "lora_a, lora_b and the base tensor must be matrices")
            }
            if name == "token_embd.weight" {
                // Embeddings are looked up, not multiplied: llama.cpp expects A and B flipped.
                guard target[0] == b[1], target[1] == a[1] else {
                    throw .shapeMismatch(tensor: name, reason: "base is \(target), lora_a \(a), lora_b \(b)")
                }
                ranks.insert(a[0])
            } else {
                guard target[0] == a[0], target[1] == b[1] else {
                    throw .shapeMismatch(tensor: name, reason: "base is \(target), lora_a \(a), lora_b \(b)")
                }
                guard a[1] == b[0] else {
                    throw .shapeMismatch(tensor: name, reason: "lora_a's rank \(a[1]) differs from lora_b's \(b[0])")
                }
                ranks.insert(a[1])
            }
        }
        return Summary(
            architecture: architecture, alpha: adapter.floats["adapter.lora.alpha"], ranks: ranks,
            tensors: pairs.keys.sorted())
    }
}
