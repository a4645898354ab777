import CLlama

#if canImport(Glibc)
import Glibc
#endif

/// A llama.cpp sampler chain built from ``SamplingParameters``: penalties, then top-k, top-p,
/// min-p, temperature and a seeded draw (or greedy at temperature 0).
final class LlamaSampler: @unchecked Sendable {
    // Used only by the engine that owns the generation it belongs to.
    private let chain: UnsafeMutablePointer<llama_sampler>

    init(parameters: SamplingParameters, model: LlamaModel) throws(InferenceError) {
        chain = llama_sampler_chain_init(llama_sampler_chain_default_params())
        let vocabularySize = model.vocabularySize
        if let grammar = parameters.grammar {
            // First, over the whole vocabulary: later stages must only ever see allowed tokens.
            // On a throw `deinit` still runs (every stored property is set), and frees the chain.
            let constraint: UnsafeMutablePointer<llama_sampler>?
            if parameters.grammarTriggers.isEmpty {
                constraint = llama_sampler_init_grammar(model.vocab, grammar, "root")
            } else {
                let patterns = parameters.grammarTriggers.map { strdup($0) }
                defer { patterns.forEach { free($0) } }
                var pointers = patterns.map { UnsafePointer<CChar>($0) }
                constraint = llama_sampler_init_grammar_lazy_patterns(
                    model.vocab, grammar, "root", &pointers, pointers.count, nil, 0)
            }
            guard let constraint else {
                throw .invalidParameter("the output grammar could not be compiled")
            }
            llama_sampler_chain_add(chain, constraint)
        }
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

    /// Draws the next token from the logits at `batchIndex`. `llama_sampler_sample` also
    /// accepts it into the chain (grammar state, penalty history); it must not be accepted twice.
    func sample(from context: LlamaContext, batchIndex: Int) -> Int32 {
        llama_sampler_sample(chain, context.pointer, Int32(batchIndex))
    }
}
