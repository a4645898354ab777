import Testing

@testable import HavenInference

/// The checks an adapter passes before llama.cpp sees it, on tensor tables made here.
@Suite struct LoraAdapterCheckTests {
    let base = GGUFTensorTable(
        strings: ["general.architecture": "llama"],
        shapes: ["blk.0.attn_q.weight": [576, 576], "blk.0.attn_v.weight": [576, 192], "token_embd.weight": [576, 49152]])

    func adapter(
        _ shapes: [String: [Int64]], architecture: String = "llama", type: String? = "adapter", adapterType: String? = "lora"
    ) -> GGUFTensorTable {
        var strings = ["general.architecture": architecture]
        strings["general.type"] = type
        strings["adapter.type"] = adapterType
        return GGUFTensorTable(strings: strings, floats: ["adapter.lora.alpha": 16], shapes: shapes)
    }

    @Test func aWellFormedAdapterPassesWithItsRankAndTargets() throws {
        let summary = try LoraAdapterCheck.check(
            adapter: adapter([
                "blk.0.attn_q.weight.lora_a": [576, 8], "blk.0.attn_q.weight.lora_b": [8, 576],
                "blk.0.attn_v.weight.lora_a": [576, 8], "blk.0.attn_v.weight.lora_b": [8, 192],
            ]), base: base)
        #expect(summary.ranks == [8])
        #expect(summary.alpha == 16)
        #expect(summary.tensors == ["blk.0.attn_q.weight", "blk.0.attn_v.weight"])
    }

    @Test func aModelIsNotAnAdapter() {
        #expect(throws: AdapterError.self) {
            try LoraAdapterCheck.check(adapter: adapter(["blk.0.attn_q.weight": [576, 576]], type: "model"), base: base)
        }
        #expect(throws: AdapterError.self) {
            try LoraAdapterCheck.check(
                adapter: adapter(["blk.0.attn_q.weight.lora_a": [576, 8]], adapterType: "control_vector"), base: base)
        }
    }

    @Test func anotherArchitectureIsRefusedByName() {
        #expect(throws: AdapterError.architectureMismatch(adapter: "qwen2", base: "llama")) {
            try LoraAdapterCheck.check(
                adapter: adapter(
                    ["blk.0.attn_q.weight.lora_a": [576, 8], "blk.0.attn_q.weight.lora_b": [8, 576]], architecture: "qwen2"),
                base: base)
        }
    }

    @Test func wrongShapesMissingHalvesAndUnknownTensorsAreRefused() {
        #expect(throws: AdapterError.self) {
            try LoraAdapterCheck.check(
                adapter: adapter(["blk.0.attn_q.weight.lora_a": [512, 8], "blk.0.attn_q.weight.lora_b": [8, 576]]), base: base)
        }
        #expect(throws: AdapterError.self) {
            try LoraAdapterCheck.check(
                adapter: adapter(["blk.0.attn_q.weight.lora_a": [576, 8], "blk.0.attn_q.weight.lora_b": [4, 576]]), base: base)
        }
        #expect(throws: AdapterError.incompletePair("blk.0.attn_q.weight")) {
            try LoraAdapterCheck.check(adapter: adapter(["blk.0.attn_q.weight.lora_a": [576, 8]]), base: base)
        }
        #expect(throws: AdapterError.tensorNotInBase("blk.9.attn_q.weight")) {
            try LoraAdapterCheck.check(
                adapter: adapter(["blk.9.attn_q.weight.lora_a": [576, 8], "blk.9.attn_q.weight.lora_b": [8, 576]]), base: base)
        }
        #expect(throws: AdapterError.unexpectedTensor("blk.0.attn_q.weight")) {
            try LoraAdapterCheck.check(adapter: adapter(["blk.0.attn_q.weight": [576, 576]]), base: base)
        }
    }

    @Test func tokenEmbeddingsTakeTheirHalvesFlipped() throws {
        let summary = try LoraAdapterCheck.check(
            adapter: adapter(["token_embd.weight.lora_a": [8, 49152], "token_embd.weight.lora_b": [8, 576]]), base: base)
        #expect(summary.ranks == [8])
    }

    @Test func scalesOutsideZeroToFourAreRefused() throws {
        try AdapterSpec.validate(scale: 0)
        try AdapterSpec.validate(scale: 1.5)
        #expect(throws: AdapterError.invalidScale(-1)) { try AdapterSpec.validate(scale: -1) }
        #expect(throws: AdapterError.self) { try AdapterSpec.validate(scale: .nan) }
        #expect(throws: AdapterError.self) { try AdapterSpec.validate(scale: 5) }
    }
}
