import Foundation
import Testing

@testable import HavenServer

/// The dataset a training job learns from and is judged on, the trainer's progress as Haven
/// reads it, and the rule that decides whether an adapter is installed.
@Suite struct TrainingDatasetTests {
    static func render(_ messages: [TrainingDataset.Message]) -> String {
        messages.map { "<\($0.role)>\($0.content)" }.joined()
    }

    @Test func proseIsSplitIntoPassagesAndSomeAreHeldOutTheSameWayEveryTime() throws {
        let paragraphs = (1...200).map { "Paragraph \($0) of the diary, about the garden and the weather on day \($0)." }
        let text = paragraphs.joined(separator: "\n\n")
        let dataset = TrainingDataset.build(documents: [("/notes/diary.md", .prose(text))], render: Self.render)
        #expect(dataset.sources == ["/notes/diary.md"])
        #expect(!dataset.heldOut.isEmpty)
        #expect(dataset.train.count > dataset.heldOut.count * 3)
        // Nothing held out is trained on, and nothing is lost.
        #expect(Set(dataset.train).isDisjoint(with: dataset.heldOut))
        let joined = (dataset.train + dataset.heldOut).joined(separator: "\n\n")
        for paragraph in paragraphs { #expect(joined.contains(paragraph)) }
        let again = TrainingDataset.build(documents: [("/notes/diary.md", .prose(text))], render: Self.render)
        #expect(again == dataset)
    }

    @Test func chatTranscriptsBecomeInstructionPairs() throws {
        let messages: [TrainingDataset.Message] = [
            .init(role: "system", content: "Be brief."), .init(role: "user", content: "Hi"),
            .init(role: "assistant", content: "Hello!"), .init(role: "user", content: "Unanswered"),
        ]
        #expect(TrainingDataset.pairs(messages).map(Self.render) == ["<system>Be brief.<user>Hi<assistant>Hello!"])
    }

    @Test func twoPassagesAlwaysGiveOneOfEach() {
        let text = String(repeating: "a", count: 700) + "\n\n" + String(repeating: "b", count: 700)
        let dataset = TrainingDataset.build(documents: [("/a.txt", .prose(text))], render: Self.render)
        #expect(dataset.train.count == 1)
        #expect(dataset.heldOut.count == 1)
    }

    @Test func transcriptsAreRecognisedOnlyWhenTheyAreTranscripts() {
        let transcript = #"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]}"#
        #expect(TrainingDataReader.transcript(Array(transcript.utf8))?.count == 2)
        #expect(TrainingDataReader.transcript(Array(#"[{"role":"user","content":"Hi"}]"#.utf8))?.count == 1)
        #expect(TrainingDataReader.transcript(Array(#"{"name":"x"}"#.utf8)) == nil)
        #expect(TrainingDataReader.transcript(Array(#"[{"role":"tool","content":"x"}]"#.utf8)) == nil)
    }

    @Test func progressFoldsStepsAndEndsAndSkipsPartialLines() {
        var progress = TrainerProgress()
        progress.read(
            """
            {"event":"started","steps":30,"resumed_from":10}
            {"event":"step","step":11,"steps":30,"loss":2.5,"seconds_per_step":1.7}
            {"event":"step","step":12,"steps":30,"loss":2.25,"seconds_per_step":1.6}
            {"event":"ste
            """)
        #expect(progress.step == 12)
        #expect(progress.steps == 30)
        #expect(progress.loss == 2.25)
        #expect(!progress.done)
        progress.read(#"{"event":"done","adapter":"adapter.gguf"}"#)
        #expect(progress.done)
        progress.read(#"{"event":"error","message":"out of memory"}"#)
        #expect(progress.error == "out of memory")
    }

    @Test func theAdapterIsInstalledOnlyWhenHeldOutImprovesAndControlHolds() {
        typealias Evaluation = AdapterTraining.ScaleEvaluation
        let base = Evaluation(scale: 0, heldOut: 20, control: 10)
        // Best held-out, but control 30% worse: not chosen; the next best is.
        let chosen = TrainingJobs.choose([
            base, Evaluation(scale: 0.5, heldOut: 15, control: 10.5), Evaluation(scale: 1, heldOut: 12, control: 10.9),
            Evaluation(scale: 1.5, heldOut: 9, control: 13),
        ])
        #expect(chosen?.scale == 1)
        // No improvement: nothing is installed.
        #expect(TrainingJobs.choose([base, Evaluation(scale: 1, heldOut: 19.9, control: 10)]) == nil)
        #expect(TrainingJobs.choose([base, Evaluation(scale: 1, heldOut: .nan, control: 10)]) == nil)
    }
}
