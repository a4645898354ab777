import Foundation

/// What the trainer reports in its job directory's `progress.jsonl`, one JSON object a line:
/// `started`, `step` (step, steps, loss, seconds_per_step), `checkpoint`, `converting`, `done`,
/// `cancelled`, `error` (message). Lines that are not whole JSON objects (a line being
/// written) are skipped.
struct TrainerProgress: Sendable, Equatable {
    var step = 0
    var steps: Int?
    var loss: Double?
    var secondsPerStep: Double?
    var done = false
    var cancelled = false
    var error: String?

    /// Folds `text` (complete lines of the file) into the progress so far.
    mutating func read(_ text: String) {
        for line in text.split(separator: "\n") {
            guard let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let event = object["event"] as? String
            else { continue }
            switch event {
            case "started":
                steps = (object["steps"] as? NSNumber)?.intValue ?? steps
                step = (object["resumed_from"] as? NSNumber)?.intValue ?? step
            case "step":
                step = (object["step"] as? NSNumber)?.intValue ?? step
                steps = (object["steps"] as? NSNumber)?.intValue ?? steps
                loss = (object["loss"] as? NSNumber)?.doubleValue ?? loss
                secondsPerStep = (object["seconds_per_step"] as? NSNumber)?.doubleValue ?? secondsPerStep
            case "done": done = true
            case "cancelled": cancelled = true
            case "error": error = object["message"] as? String ?? "the trainer failed"
            default: continue
            }
        }
    }
}
