/// Why a vision model (a text model with a multimodal projector) cannot be installed or cannot
/// describe an image.
public enum VisionError: Error, Equatable, Sendable {
    /// The file is not a multimodal projector (`general.architecture` is not `clip`).
    case notAProjector(path: String, reason: String)
    /// The projector encodes audio only.
    case noVisionEncoder(path: String)
    /// The projector's output width is not the text model's embedding width.
    case widthMismatch(projector: Int, model: Int)
    /// The projector wraps images in special tokens the model's vocabulary does not have (a
    /// projector made for another text model).
    case foreignTokens(path: String)
    /// libmtmd refused the projector with this model (see the server log for its reason).
    case loadFailed(path: String)
    /// The image's bytes are not a picture libmtmd decodes (JPEG, PNG, GIF, BMP).
    case unreadableImage
    /// The image's preprocessing, encoding or decoding into the model failed.
    case evaluationFailed(String)
}

extension VisionError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notAProjector(let path, let reason):
            "\(path) is not a multimodal projector (\(reason)); give the mmproj GGUF that belongs to the vision model"
        case .noVisionEncoder(let path): "\(path) has no vision encoder (an audio-only projector cannot describe photos)"
        case .widthMismatch(let projector, let model):
            "the projector's output width (\(projector)) is not the model's embedding width (\(model)); "
                + "it belongs to another model: give the mmproj file published with this model"
        case .foreignTokens(let path):
            "\(path) wraps images in tokens this model's vocabulary does not have; it belongs to another model: "
                + "give the mmproj file published with this model"
        case .loadFailed(let path):
            "llama.cpp's multimodal library could not load \(path) with this model; the server log says why"
        case .unreadableImage: "the image could not be decoded (JPEG, PNG, GIF and BMP are read)"
        case .evaluationFailed(let reason): "the vision model failed on the image: \(reason)"
        }
    }
}
