import Foundation
import HavenAccess
import HavenIdentity
import HavenInference
import HavenKnowledge
import HavenStore

/// The built-in tools over the owner's data. Every call is decided for the caller — its
/// principal's grants (or capability), narrowed to the agent's scopes — and recorded in the
/// audit log, allowed or not, before anything is read or written.
///
/// When an agent acts, reading content (`search`, `read`) needs `ai`; otherwise (an MCP
/// client using its own token) `read`. Listing needs `list`; `write_note` needs `write`, or
/// `append` for a new note.
public struct DataToolBox: ToolBox {
    let store: DataStore
    let search: PermittedSearch
    let audit: AuditLog
    /// Called after `write_note` stores a version, so the indexer picks it up.
    let onWrite: @Sendable (DataPath) async -> Void
    /// Reaches other Havens for `ask_peer` and `send_message`; `nil` where there is none.
    let peers: (any PeerMessenger)?
    /// The largest text `read` returns.
    static let readLimit = 32 << 10

    public init(
        store: DataStore, search: PermittedSearch, audit: AuditLog, peers: (any PeerMessenger)? = nil,
        onWrite: @escaping @Sendable (DataPath) async -> Void
    ) {
        self.store = store
        self.search = search
        self.audit = audit
        self.peers = peers
        self.onWrite = onWrite
    }

    public var definitions: [ToolDefinition] { BuiltInTools.all }

    public func call(_ name: String, arguments: JSONValue, for caller: ToolCaller) async throws -> ToolResult {
        switch name {
        case "search": return try await searchTool(arguments, caller)
        case "read": return try await readTool(arguments, caller)
        case "list": return try listTool(arguments, caller)
        case "write_note": return try await writeNoteTool(arguments, caller)
        case "remember": return try rememberTool(arguments, caller)
        case "recall": return try recallTool(arguments, caller)
        case "ask_peer", "send_message": return try await peerTool(name, arguments, caller)
        default: return .error("there is no tool '\(name)'")
        }
    }

    // MARK: Tools

    /// `ask_peer` and `send_message`: only an agent acting for the owner speaks for this server.
    private func peerTool(_ name: String, _ arguments: JSONValue, _ caller: ToolCaller) async throws -> ToolResult {
        let peer = arguments["peer"]?.stringValue ?? ""
        func record(_ allowed: Bool, _ reason: String) throws {
            try audit.record(
                principal: caller.principal.description, action: "exchange.\(name)", resource: "peer:\(peer.prefix(64))",
                allowed: allowed, reason: reason + agentSuffix(caller))
        }
        guard caller.principal == .owner, caller.capability == nil else {
            try record(false, "only the owner's own agents may speak to other Havens")
            return .error("\(name) is only for the owner's own agents")
        }
        guard let peers else {
            try record(false, "this server has no exchange")
            return .error("this server cannot reach other Havens")
        }
        guard !peer.isEmpty else {
            try record(false, "no peer named")
            return .error("\(name) needs a peer name")
        }
        do {
            if name == "ask_peer" {
                guard let question = arguments["question"]?.stringValue, !question.isEmpty else {
                    try record(false, "no question")
                    return .error("ask_peer needs a question")
                }
                let agent = arguments["agent"]?.stringValue ?? "assistant"
                let answer = try await peers.ask(peer: peer, agent: agent, question: question)
                try record(true, "asked \(peer)'s \(agent)")
                return ToolResult(text: answer, content: .object(["peer": .string(peer), "answer": .string(answer)], order: ["peer", "answer"]))
            }
            guard let text = arguments["text"]?.stringValue, !text.isEmpty else {
                try record(false, "no text")
                return .error("send_message needs a text")
            }
            let stored = try await peers.send(peer: peer, subject: arguments["subject"]?.stringValue, text: text)
            try record(true, "message delivered to \(stored)")
            return ToolResult(text: "Delivered to \(peer).", content: .object(["peer": .string(peer), "path": .string(stored)], order: ["peer", "path"]))
        } catch {
            try record(false, "\(error)")
            return .error("\(name) failed: \(error)")
        }
    }

    private func searchTool(_ arguments: JSONValue, _ caller: ToolCaller) async throws -> ToolResult {
        let right: Right = caller.agent == nil ? .read : .ai
        guard let query = arguments["query"]?.stringValue, !query.isEmpty else {
            return try refuse(right, "", for: caller, tool: "search", because: "search needs a query")
        }
        let k = arguments["k"]?.intValue.map { min(max($0, 1), 20) } ?? 5
        let hits = try await search.search(
            query, k: k, principal: caller.principal, capability: caller.capability, scopes: caller.scopes,
            agent: caller.agent)
        guard !hits.isEmpty else {
            // Nothing was returned, so nothing was read; the call itself is still on record.
            try audit.record(
                principal: caller.principal.description, action: right.rawValue, resource: caller.scopes?.joined(separator: ",") ?? "/",
                allowed: true, reason: "tool search\(agentSuffix(caller)) for \"\(query.prefix(100))\" returned no passages")
            return ToolResult(text: "No passages found for \"\(query)\".", content: .array([]))
        }
        let text = hits.enumerated().map { index, hit in
            "[\(index + 1)] \(hit.path) (version \(hit.version)):\n\(hit.text)"
        }.joined(separator: "\n\n")
        let content = JSONValue.array(hits.map { hit in
            .object(
                ["path": .string(hit.path.string), "version": .number(Double(hit.version)),
                 "passage": .number(Double(hit.passage)), "score": .number(hit.score), "text": .string(hit.text)],
                order: ["path", "version", "passage", "score", "text"])
        })
        return ToolResult(text: text, content: content)
    }

    private func readTool(_ arguments: JSONValue, _ caller: ToolCaller) async throws -> ToolResult {
        let right: Right = caller.agent == nil ? .read : .ai
        guard let text = arguments["path"]?.stringValue else {
            return try refuse(right, "", for: caller, tool: "read", because: "read needs a path")
        }
        let path: DataPath
        do {
            path = try DataPath(parsing: text)
        } catch {
            return try refuse(right, text, for: caller, tool: "read", because: error.description)
        }
        guard !path.isDirectory else {
            return try refuse(right, path.string, for: caller, tool: "read", because: "\(path) is a folder; use list")
        }
        let decision = try decide(right, path.string, for: caller, tool: "read")
        guard decision.allowed else { return .error(decision.reason) }
        guard let version = try store.version(of: path, number: arguments["version"]?.intValue), let id = version.id else {
            return .error("nothing is stored at \(path)")
        }
        let bytes = try await store.contents(of: version, range: 0..<min(version.size, Int64(4 * Self.readLimit)))
        let body: String
        if let kind = DocumentKind.detect(mediaType: version.mediaType, name: path.name),
            let extracted = try? await TextExtractor.extract(bytes, kind: kind)
        {
            body = extracted.text
        } else {
            return ToolResult(
                text: "\(path) is a \(version.mediaType ?? "binary") file of \(version.size) bytes; it has no text to read.",
                content: .object(["path": .string(path.string), "id": .string(id.description)], order: ["path", "id"]))
        }
        let clipped = body.count > Self.readLimit ? String(body.prefix(Self.readLimit)) + "\n[… cut at \(Self.readLimit) characters]" : body
        return ToolResult(
            text: clipped,
            content: .object(
                ["path": .string(path.string), "version": .number(Double(version.version)),
                 "media_type": .string(version.mediaType ?? ""), "text": .string(clipped)],
                order: ["path", "version", "media_type", "text"]))
    }

    private func listTool(_ arguments: JSONValue, _ caller: ToolCaller) throws -> ToolResult {
        let text = arguments["path"]?.stringValue ?? "/"
        let directory: DataPath
        do {
            directory = try DataPath(parsing: text.hasSuffix("/") ? text : text + "/")
        } catch {
            return try refuse(.list, text, for: caller, tool: "list", because: error.description)
        }
        let decision = try decide(.list, directory.string, for: caller, tool: "list")
        guard decision.allowed else { return .error(decision.reason) }
        let entries = try store.list(directory)
        let lines = entries.map { entry in
            entry.kind == .directory ? "\(entry.path)" : "\(entry.path) (\(entry.size ?? 0) bytes, version \(entry.version ?? 0))"
        }
        let described: [JSONValue] = entries.map { entry in
            .object(
                ["name": .string(entry.name), "path": .string(entry.path.string), "type": .string(entry.kind.rawValue),
                 "size": entry.size.map { .number(Double($0)) } ?? .null,
                 "media_type": entry.mediaType.map(JSONValue.string) ?? .null],
                order: ["name", "path", "type", "size", "media_type"])
        }
        return ToolResult(
            text: lines.isEmpty ? "\(directory) is empty." : lines.joined(separator: "\n"),
            content: .object(
                ["path": .string(directory.string), "entries": .array(described)], order: ["path", "entries"]))
    }

    private func writeNoteTool(_ arguments: JSONValue, _ caller: ToolCaller) async throws -> ToolResult {
        guard let name = arguments["name"]?.stringValue, let text = arguments["text"]?.stringValue else {
            return try refuse(.write, "/notes/", for: caller, tool: "write_note", because: "write_note needs a name and a text")
        }
        let path: DataPath
        do {
            path = try DataPath(parsing: "/notes/" + name)
        } catch {
            return try refuse(.write, "/notes/" + name, for: caller, tool: "write_note", because: error.description)
        }
        guard path.parent?.string == "/notes/" else {
            return try refuse(
                .write, path.string, for: caller, tool: "write_note", because: "a note's name is a file name, without '/'")
        }
        let exists = try store.version(of: path) != nil
        var decision = try decide(.write, path.string, for: caller, tool: "write_note", record: false)
        var precondition = WritePrecondition.none
        if !decision.allowed, !exists {
            let append = try decide(.append, path.string, for: caller, tool: "write_note", record: false)
            if append.allowed {
                decision = append
                precondition = .absent
            }
        }
        try record(decision, right: precondition == .absent ? .append : .write, path.string, for: caller, tool: "write_note")
        guard decision.allowed else { return .error(decision.reason) }
        let media = name.hasSuffix(".md") ? "text/markdown; charset=utf-8" : "text/plain; charset=utf-8"
        let version = try await store.put(
            Array(text.utf8), at: path, mediaType: media, precondition: precondition,
            author: caller.principal.description + (caller.agent.map { " via agent:\($0)" } ?? ""))
        await onWrite(path)
        return ToolResult(
            text: "Saved \(path) (version \(version.version)).",
            content: .object(
                ["path": .string(path.string), "version": .number(Double(version.version))], order: ["path", "version"]))
    }

    private func rememberTool(_ arguments: JSONValue, _ caller: ToolCaller) throws -> ToolResult {
        guard let key = arguments["key"]?.stringValue, !key.isEmpty, let value = arguments["value"]?.stringValue else {
            return .error("remember needs a key and a value")
        }
        try audit.record(
            principal: caller.principal.description, action: Right.write.rawValue, resource: "memory:" + key, allowed: true,
            reason: "tool remember\(agentSuffix(caller)): a principal's own memory")
        try store.catalog.remember(value, key: key, for: caller.principal.description, at: Date())
        return ToolResult(text: "Remembered \(key).")
    }

    private func recallTool(_ arguments: JSONValue, _ caller: ToolCaller) throws -> ToolResult {
        let key = arguments["key"]?.stringValue
        try audit.record(
            principal: caller.principal.description, action: Right.read.rawValue, resource: "memory:" + (key ?? "*"),
            allowed: true, reason: "tool recall\(agentSuffix(caller)): a principal's own memory")
        let facts = try store.catalog.recall(key: key, for: caller.principal.description)
        guard !facts.isEmpty else { return ToolResult(text: key.map { "Nothing is remembered under \($0)." } ?? "Nothing is remembered yet.") }
        return ToolResult(text: facts.map { "\($0.key): \($0.value)" }.joined(separator: "\n"))
    }

    // MARK: Decisions

    /// Decides `right` on `resource` for the caller, narrowed to the agent's scopes, and (unless
    /// told not to) records the decision.
    private func decide(
        _ right: Right, _ resource: String, for caller: ToolCaller, tool: String, record shouldRecord: Bool = true
    ) throws -> AccessDecision {
        let request = AccessRequest(principal: caller.principal, right: right, resource: resource)
        let decision: AccessDecision
        if let scopes = caller.scopes, !scopes.contains(where: { ResourcePattern.covers($0, resource) }) {
            decision = .deny(
                "\(resource) is outside the scopes of agent \(caller.agent ?? "?") (\(scopes.joined(separator: ", ")))")
        } else if let capability = caller.capability {
            decision = AccessPolicy.decide(request, capability: capability)
        } else {
            decision = AccessPolicy.decide(
                request, grants: caller.principal == .owner ? [] : try store.catalog.grants(for: caller.principal), at: Date())
        }
        if shouldRecord { try record(decision, right: right, resource, for: caller, tool: tool) }
        return decision
    }

    /// Refuses a call whose arguments could not be used, and records the refusal.
    private func refuse(
        _ right: Right, _ resource: String, for caller: ToolCaller, tool: String, because reason: String
    ) throws -> ToolResult {
        try record(.deny(reason), right: right, String(resource.prefix(1024)), for: caller, tool: tool)
        return .error(reason)
    }

    private func record(_ decision: AccessDecision, right: Right, _ resource: String, for caller: ToolCaller, tool: String) throws {
        try audit.record(
            principal: caller.principal.description, action: right.rawValue, resource: resource, allowed: decision.allowed,
            reason: "tool \(tool)\(agentSuffix(caller)): \(decision.reason)", basis: decision.basis)
    }

    private func agentSuffix(_ caller: ToolCaller) -> String {
        caller.agent.map { " by agent \($0)" } ?? ""
    }
}
