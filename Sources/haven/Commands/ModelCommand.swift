import ArgumentParser
import Foundation
import HavenServer

/// `haven model`: the models installed in this Haven.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "List, inspect, add and remove models.",
        subcommands: [List.self, Show.self, Add.self, AddAdapter.self, AddUpstream.self, Remove.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List installed models.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let client = try client.makeClient()
            if json {
                print(String(decoding: try await client.getRaw("/haven/models"), as: UTF8.self))
                return
            }
            let list: ModelInfoList = try await client.get("/haven/models")
            let rows = list.models.map { model in
                if let adapter = model.adapter {
                    return [model.name, model.architecture ?? "?", model.sizeLabel ?? "?", ByteFormatter.format(adapter.sizeBytes),
                            "adapter on \(adapter.base) ×\(adapter.scale)" + (model.loaded ? ", loaded" : "")]
                }
                if let upstreams = model.upstreams {
                    return [model.name, "-", "-", "-", "upstream " + upstreams.joined(separator: ", ")]
                }
                return [model.name, model.architecture ?? "?", model.sizeLabel ?? "?", ByteFormatter.format(model.sizeBytes),
                        model.loaded ? "loaded" : ""]
            }
            print(TokenCommand.List.table(header: ["NAME", "ARCH", "PARAMS", "SIZE", "STATE"], rows: rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one model as JSON.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Model name.") var name: String

        func run() async throws {
            print(String(decoding: try await client.makeClient().getRaw("/haven/models/\(name)"), as: UTF8.self))
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install a GGUF file (validated first; a damaged file is refused and nothing is installed).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The .gguf file.") var file: String
        @Option(help: "Name in the APIs (default: from the file name).") var name: String?
        @Option(
            help: ArgumentHelp(
                "A vision model's multimodal projector (the mmproj .gguf published with it): the model can then describe photos.",
                valueName: "file"))
        var mmproj: String?

        func run() async throws {
            let path = URL(fileURLWithPath: file).standardizedFileURL.path
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ValidationError("cannot read \(path)")
            }
            let projector = mmproj.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            if let projector, !FileManager.default.isReadableFile(atPath: projector) {
                throw ValidationError("cannot read \(projector)")
            }
            let info: ModelInfo = try await client.makeClient()
                .post("/haven/models", body: AddModelRequest(path: path, name: name, mmproj: projector))
            let vision = info.projector.map { " with its \($0.projectorType) projector: it can describe photos" } ?? ""
            StandardError.write("Installed \(info.name) (\(ByteFormatter.format(info.sizeBytes)))\(vision).")
            print(info.name)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove an installed model.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Model name.") var name: String

        func run() async throws {
            let info: ModelInfo = try await client.makeClient().delete("/haven/models/\(name)")
            StandardError.write("Removed \(info.name).")
        }
    }
}

/// Sizes for people: `93.8 MiB`.
enum ByteFormatter {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
