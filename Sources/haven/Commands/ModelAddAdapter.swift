import ArgumentParser
import Foundation
import HavenServer

extension ModelCommand {
    /// `haven model add-adapter`: installs a LoRA adapter on an installed model as a model of
    /// its own name, through the running server (`POST /haven/models` with a `base`), which
    /// checks it against the base's tensors first.
    struct AddAdapter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-adapter",
            abstract: "Install a LoRA adapter (GGUF) on an installed model, as a model of its own name.",
            discussion: """
                The adapter is checked against the base model (architecture, tensor names and shapes) and refused \
                if it does not fit; nothing is installed then. Others use it only with an 'infer' grant on its \
                own name (models/NAME).
                """)
        @OptionGroup var client: ClientOptions
        @Argument(help: "The adapter's .gguf file (as llama.cpp's convert_lora_to_gguf.py writes it).") var file: String
        @Option(help: "The installed model it was trained on.") var base: String
        @Option(help: "Its name in the APIs.") var name: String
        @Option(help: "How strongly it applies, from 0 (not at all) to 4; 1 is the adapter as trained.") var scale: Double?

        func validate() throws {
            if let scale, !(scale.isFinite && (0...4).contains(scale)) {
                throw ValidationError("--scale must be a number from 0 to 4")
            }
        }

        func run() async throws {
            let path = URL(fileURLWithPath: file).standardizedFileURL.path
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ValidationError("cannot read \(path)")
            }
            let info: ModelInfo = try await client.makeClient()
                .post("/haven/models", body: AddModelRequest(path: path, name: name, base: base, scale: scale))
            StandardError.write("Installed adapter \(info.name) on \(base).")
            print(info.name)
        }
    }
}
