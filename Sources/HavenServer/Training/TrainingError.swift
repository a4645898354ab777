/// Why a training job cannot be started, or why it stopped.
public enum TrainingError: Error, Equatable, Sendable {
    case notInstalled
    case jobNotFound(String)
    /// An unfinished job already makes an adapter of this name.
    case nameBusy(String)
    case noText(paths: [String])
    case tooMuchData(limit: String)
    case invalid(String)
    case trainerFailed(String)
    case cannotWrite(String)
    /// A `describe` job (photos into text) needs a vision model, and none is installed.
    case noVisionModel
}

extension TrainingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notInstalled: Trainer.notInstalled
        case .jobNotFound(let id): "there is no training job '\(id)'; see GET /haven/jobs or 'haven job list'"
        case .nameBusy(let name): "a training job making '\(name)' is still queued or running; cancel it or choose another name"
        case .noText(let paths):
            "nothing to learn from in " + paths.joined(separator: ", ")
                + ": give files of text, Markdown, HTML, mail (.eml) or chat transcripts (.json with messages), at least two passages"
        case .tooMuchData(let limit): "the data is larger than a training job takes (\(limit)); give fewer or smaller paths"
        case .invalid(let reason): reason
        case .trainerFailed(let reason): "training failed: \(reason)"
        case .cannotWrite(let path): "cannot write \(path); is the disk full?"
        case .noVisionModel:
            "describing photos needs a vision model (a SmolVLM-class GGUF with its multimodal projector), and none is "
                + "installed; photos are still searched by their metadata (camera, date, place, description)"
        }
    }
}
