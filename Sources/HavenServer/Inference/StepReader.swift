import HavenInference

/// Reads one choice's generation steps into deltas.
protocol StepReader: Sendable {
    mutating func deltas(for step: GenerationStep) -> [ChatDelta]
}

extension ChoiceDeltas: StepReader {}
