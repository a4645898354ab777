/// Checks, before anything is installed, that a GGUF is a multimodal projector that fits a text
/// model: what llama.cpp's `convert_hf_to_gguf.py --mmproj` writes (`general.architecture` =
/// `clip`, `clip.has_vision_encoder`, `clip.projector_type`) with an output width, where it
/// states one, equal to the model's embedding width. libmtmd checks the width again, from the
/// tensors, when it loads the pair.
public enum ProjectorCheck {
    /// What the check learnt about a projector that passed.
    public struct Summary: Sendable, Equatable {
        /// `clip.projector_type`, e.g. `idefics3` (SmolVLM), `mlp` (LLaVA), `gemma3`.
        public var projectorType: String
        /// `clip.vision.projection_dim`, if the file states it.
        public var projectionWidth: Int?
    }

    /// What a projector file says about itself (read by ``GGUFFile``).
    public struct Metadata: Sendable, Equatable {
        public var architecture: String?
        public var hasVisionEncoder: Bool
        public var projectorType: String?
        public var projectionWidth: Int?

        public init(architecture: String?, hasVisionEncoder: Bool, projectorType: String?, projectionWidth: Int?) {
            self.architecture = architecture
            self.hasVisionEncoder = hasVisionEncoder
            self.projectorType = projectorType
            self.projectionWidth = projectionWidth
        }

        public init(_ file: GGUFFile) {
            self.init(
                architecture: file.architecture, hasVisionEncoder: file.hasVisionEncoder, projectorType: file.projectorType,
                projectionWidth: file.projectionWidth)
        }
    }

    /// - Parameters:
    ///   - projector: what the projector file says about itself.
    ///   - modelWidth: the text model's embedding width (`llama.embedding_length`).
    public static func check(projector: Metadata, path: String, modelWidth: Int?) throws(VisionError) -> Summary {
        guard projector.architecture == "clip" else {
            throw .notAProjector(
                path: path,
                reason: projector.architecture.map { "its architecture is '\($0)', not 'clip'" }
                    ?? "it names no architecture")
        }
        guard projector.hasVisionEncoder else { throw .noVisionEncoder(path: path) }
        guard let type = projector.projectorType, !type.isEmpty else {
            throw .notAProjector(path: path, reason: "it names no clip.projector_type")
        }
        if let width = projector.projectionWidth, let modelWidth, width != modelWidth {
            throw .widthMismatch(projector: width, model: modelWidth)
        }
        return Summary(projectorType: type, projectionWidth: projector.projectionWidth)
    }
}
