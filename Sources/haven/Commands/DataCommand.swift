import ArgumentParser
import Foundation
import HavenServer
import HavenStore

/// `haven data`: store, read, list, delete and look back through files on the server.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Store, read, list and delete files.",
        discussion: "Paths start with '/': /notes/todo.txt is a file, /notes/ a directory.",
        subcommands: [Put.self, Get.self, List.self, Remove.self, Log.self]
    )

    static func parsePath(_ text: String, directory: Bool? = nil) throws -> DataPath {
        let path: DataPath
        do {
            path = try DataPath(parsing: text)
        } catch {
            throw ValidationError(error.description)
        }
        if directory == false, path.isDirectory { throw ValidationError(DataPathError.expectedFile.description) }
        return path
    }

    /// `haven data put FILE PATH`
    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a local file at a path (a new version if the path exists).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The local file, or '-' for standard input.") var file: String
        @Argument(help: "Where to store it, e.g. /notes/todo.txt. A directory path keeps the file's name.")
        var path: String
        @Option(help: "Media type (default: guessed from the file name).") var type: String?

        func run() async throws {
            var target = try DataCommand.parsePath(path)
            if file == "-" {
                guard !target.isDirectory else { throw ValidationError("with '-' (standard input), name the file: PATH must not end in '/'") }
                let meter = ProgressMeter(total: nil, label: "uploading")
                let version = try await client.makeClient().upload(
                    .standardInput, size: nil, to: target, mediaType: type ?? MediaType.guess(for: target.string),
                    progress: { meter.update($0) })
                meter.finish()
                report(version)
                return
            }
            if target.isDirectory {
                target = try DataCommand.parsePath(target.string + (file as NSString).lastPathComponent)
            }
            guard FileManager.default.isReadableFile(atPath: file) else { throw DataTransferError.cannotRead(file) }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
            let meter = ProgressMeter(total: size, label: "uploading")
            let version = try await client.makeClient().upload(
                file: file, to: target, mediaType: type ?? MediaType.guess(for: file), progress: { meter.update($0) })
            meter.finish()
            report(version)
        }

        private func report(_ version: FileVersion) {
            StandardError.write("Stored \(version.path) version \(version.version) (\(version.size) bytes).")
            print(version.id.map(\.description) ?? "")
        }
    }

    /// `haven data get PATH [FILE]`
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read a file: to FILE, or to standard output.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The path to read.") var path: String
        @Argument(help: "Local file to write (default: standard output).") var file: String?
        @Option(help: "Read this version instead of the current one.") var version: Int?

        func run() async throws {
            let source = try DataCommand.parsePath(path, directory: false)
            let client = try client.makeClient()
            guard let file else {
                _ = try await client.download(source, version: version, to: .standardOutput, progress: { _, _ in })
                return
            }
            let partial = file + ".haven-partial"
            guard FileManager.default.createFile(atPath: partial, contents: nil), let handle = FileHandle(forWritingAtPath: partial)
            else { throw DataTransferError.cannotWrite(file) }
            let meter = ProgressMeter(total: nil, label: "downloading")
            do {
                let written = try await client.download(source, version: version, to: handle, progress: { meter.update($0, total: $1) })
                try handle.close()
                meter.finish()
                _ = try? FileManager.default.removeItem(atPath: file)
                try FileManager.default.moveItem(atPath: partial, toPath: file)
                StandardError.write("Wrote \(written) bytes to \(file).")
            } catch {
                try? handle.close()
                try? FileManager.default.removeItem(atPath: partial)
                throw error
            }
        }
    }

    /// `haven data ls [PATH]`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List a directory.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Directory (default: /).") var path: String = "/"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let directory = try DataCommand.parsePath(path).asDirectory
            let client = try client.makeClient()
            let url = "/data" + HavenClient.encode(directory)
            if json {
                print(String(decoding: try await client.getRaw(url), as: UTF8.self))
                return
            }
            let listing: DirectoryListing = try await client.get(url)
            let rows = listing.entries.map { entry in
                switch entry.kind {
                case .directory: [entry.name + "/", "-", "-", "-"]
                case .file:
                    [entry.name, entry.size.map(String.init) ?? "", entry.version.map { "v\($0)" } ?? "",
                     entry.modifiedAt.map(TokenCommand.List.format) ?? ""]
                }
            }
            if !rows.isEmpty {
                print(TokenCommand.List.table(header: ["NAME", "SIZE", "VERSION", "MODIFIED"], rows: rows))
            }
        }
    }

    /// `haven data rm PATH`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Delete a file (its history stays until 'haven gc --keep-versions').")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The file to delete.") var path: String

        func run() async throws {
            let target = try DataCommand.parsePath(path, directory: false)
            let version: FileVersion = try await client.makeClient().delete("/data" + HavenClient.encode(target))
            StandardError.write("Deleted \(version.path) (version \(version.version) records the deletion).")
        }
    }

    /// `haven data log PATH`
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the versions of a file.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The file.") var path: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let target = try DataCommand.parsePath(path, directory: false)
            let client = try client.makeClient()
            let url = "/data" + HavenClient.encode(target) + "?versions"
            if json {
                print(String(decoding: try await client.getRaw(url), as: UTF8.self))
                return
            }
            let listing: VersionListing = try await client.get(url)
            let rows = listing.versions.map { version in
                ["v\(version.version)", TokenCommand.List.format(version.createdAt), version.author,
                 version.isDeletion ? "deleted" : "\(version.size)", version.id?.description ?? "-"]
            }
            print(TokenCommand.List.table(header: ["VERSION", "TIME", "BY", "SIZE", "ID"], rows: rows))
        }
    }
}
