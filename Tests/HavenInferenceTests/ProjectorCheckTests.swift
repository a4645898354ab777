import Testing

@testable import HavenInference

/// The checks a multimodal projector passes before libmtmd loads it with a model.
@Suite struct ProjectorCheckTests {
    func projector(
        architecture: String? = "clip", vision: Bool = true, type: String? = "idefics3", width: Int? = 576
    ) -> ProjectorCheck.Metadata {
        .init(architecture: architecture, hasVisionEncoder: vision, projectorType: type, projectionWidth: width)
    }

    @Test func aProjectorForTheModelsWidthPasses() throws {
        let summary = try ProjectorCheck.check(projector: projector(), path: "/p.gguf", modelWidth: 576)
        #expect(summary == .init(projectorType: "idefics3", projectionWidth: 576))
    }

    @Test func aProjectorThatStatesNoWidthIsLeftToLibmtmd() throws {
        let summary = try ProjectorCheck.check(projector: projector(type: "mlp", width: nil), path: "/p.gguf", modelWidth: 576)
        #expect(summary.projectorType == "mlp")
    }

    @Test func aTextModelIsNotAProjector() {
        #expect(throws: VisionError.notAProjector(path: "/m.gguf", reason: "its architecture is 'llama', not 'clip'")) {
            try ProjectorCheck.check(projector: projector(architecture: "llama"), path: "/m.gguf", modelWidth: 576)
        }
        #expect(throws: VisionError.notAProjector(path: "/m.gguf", reason: "it names no architecture")) {
            try ProjectorCheck.check(projector: projector(architecture: nil), path: "/m.gguf", modelWidth: 576)
        }
    }

    @Test func anAudioOnlyOrUntypedProjectorIsRefused() {
        #expect(throws: VisionError.noVisionEncoder(path: "/a.gguf")) {
            try ProjectorCheck.check(projector: projector(vision: false), path: "/a.gguf", modelWidth: 576)
        }
        #expect(throws: VisionError.notAProjector(path: "/a.gguf", reason: "it names no clip.projector_type")) {
            try ProjectorCheck.check(projector: projector(type: ""), path: "/a.gguf", modelWidth: 576)
        }
    }

    @Test func aProjectorForAnotherModelsWidthIsRefusedNamingBoth() {
        #expect(throws: VisionError.widthMismatch(projector: 960, model: 576)) {
            try ProjectorCheck.check(projector: projector(width: 960), path: "/p.gguf", modelWidth: 576)
        }
        #expect(VisionError.widthMismatch(projector: 960, model: 576).description.contains("(960)"))
    }
}
