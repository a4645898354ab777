import CLlama

/// A llama.cpp sampler chain built from ``SamplingParameters``: penalties, then top-k, top-p,
/// min-p, temperature and a seeded draw (or greedy at temperature 0).
final class LlamaSampler: @unchecked Sendable {
    // Used only by the engine that owns the generation it belongs to.
    private let chain: UnsafeMutablePointer<llama_sampler>

    init(parameters: SamplingParameters, vocabularySize: Int32) {
        chain = llama_sampler_chain_init(llama_sampler_chain_default_params())
        if parameters.repeatPenalty != 1 || parameters.frequencyPenalty != 0 || parameters.presencePenalty != 0 {
            llama_sampler_chain_add(
                chain,
                llama_sampler_init_penalties(
                    vocabularySize, Int32(parameters.penaltyWindow), Float(parameters.repeatPenalty),
                    Float(parameters.frequencyPenalty), Float(parameters.presencePenalty)))
        }
        if parameters.temperature <= 0 {
            llama_sampler_chain_add(chain, llama_sampler_init_greedy())
            return
        }
        if parameters.topK > 0 { llama_sampler_chain_add(chain, llama_sampler_init_top_k(Int32(parameters.topK))) }
        if parameters.topP < 1 { llama_sampler_chain_add(chain, llama_sampler_init_top_p(Float(parameters.topP), 1)) }
        if parameters.minP > 0 { llama_sampler_chain_add(chain, llama_sampler_init_min_p(Float(parameters.minP), 1)) }
        llama_sampler_chain_add(chain, llama_sampler_init_temp(Float(parameters.temperature)))
        llama_sampler_chain_add(chain, llama_sampler_init_dist(parameters.seed ?? UInt32.random(in: 0...UInt32.max)))
    }

    deinit {
        llama_sampler_free(chain)
    }

    /// Draws the next token from the logits at `batchIndex` and records it for the penalties.
    func sample(from context: LlamaContext, batchIndex: Int) -> Int32 {
        let token = llama_sampler_sample(chain, context.pointer, Int32(batchIndex))
        llama_sampler_accept(chain, token)
        return token
    }
}
