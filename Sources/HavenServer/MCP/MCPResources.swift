import HavenAgents
import HavenInference
import MCP

/// The owner's files as MCP resources, found and read through the ToolBox's `list` and `read`
/// tools, so every access is decided and audited in the one place the tools are.
///
/// It relies on the structured content those tools return (see `BuiltInTools.list` and
/// `BuiltInTools.read`): a listing's `entries` with `path`, `type`, `media_type` and `size`; a
/// file's `text` and `media_type`.
struct MCPResources: Sendable {
    let toolBox: any ToolBox
    /// The most resources one listing returns.
    let limit: Int
    /// The most directories one listing visits, so a tree of empty directories ends the walk too.
    let directoryLimit: Int

    init(toolBox: any ToolBox, limit: Int = 500, directoryLimit: Int = 500) {
        self.toolBox = toolBox
        self.limit = limit
        self.directoryLimit = directoryLimit
    }

    /// The files `caller` may list, breadth first from `/`, at most ``limit`` of them. A
    /// directory the `list` tool refuses is left out, not reported: the caller simply sees less.
    func list(for caller: ToolCaller) async throws -> [Resource] {
        var resources: [Resource] = []
        var directories = ["/"]
        var next = 0
        while next < directories.count, next < directoryLimit, resources.count < limit {
            let directory = directories[next]
            next += 1
            let result = try await toolBox.call("list", arguments: Self.arguments(path: directory), for: caller)
            guard !result.isError, case .array(let entries)? = result.content?["entries"] else { continue }
            for entry in entries {
                guard let path = entry["path"]?.stringValue else { continue }
                switch entry["type"]?.stringValue {
                case "directory":
                    directories.append(path)
                case "file" where resources.count < limit:
                    resources.append(
                        Resource(
                            name: path, uri: HavenResourceURI(path: path).description,
                            mimeType: entry["media_type"]?.stringValue, size: entry["size"]?.intValue))
                default:
                    continue
                }
            }
        }
        return resources
    }

    /// A file's current text, through the `read` tool.
    ///
    /// - Throws: `MCPError` -32002 (resource not found) with the tool's reason when it refuses,
    ///   whatever the ToolBox throws when the server itself fails.
    func read(_ uri: HavenResourceURI, for caller: ToolCaller) async throws -> Resource.Content {
        let result = try await toolBox.call("read", arguments: Self.arguments(path: uri.path), for: caller)
        guard !result.isError else {
            throw MCPError.serverError(code: Self.resourceNotFound, message: result.text)
        }
        return .text(
            result.content?["text"]?.stringValue ?? result.text, uri: uri.description,
            mimeType: result.content?["media_type"]?.stringValue)
    }

    /// MCP's error code for a resource that cannot be read.
    static let resourceNotFound = -32002

    private static func arguments(path: String) -> JSONValue {
        .object(["path": .string(path)], order: ["path"])
    }
}
