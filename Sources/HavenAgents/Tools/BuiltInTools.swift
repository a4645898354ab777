import HavenInference

/// The definitions of Haven's built-in tools, shared by every ``ToolBox``, the agents' loop and
/// the MCP server, so a tool is described the same way wherever it is offered.
///
/// The schemas use only the keywords `JSONSchemaGrammar` can enforce (plus `description` and
/// `default`, which it ignores), so each one also works as a tool-call grammar for small models.
/// Bounds the grammar cannot express (`k` from 1 to 20) are stated in the description and
/// checked by the tool.
///
/// What the tools give back, besides the text for the model: `list` and `read` return structured
/// content that the MCP server's resources are built from (see ``list`` and ``read``).
public enum BuiltInTools {
    /// `search {query, k?}`: passages from the data the caller may read, best first.
    public static let search = ToolDefinition(
        name: "search",
        description: "Search the owner's data for passages relevant to a query, best first. "
            + "Only data the caller may read is searched.",
        parameters: objectSchema(
            properties: [
                ("query", object([
                    ("type", .string("string")),
                    ("description", .string("What to look for, in words.")),
                ])),
                ("k", object([
                    ("type", .string("integer")),
                    ("description", .string("How many passages to return, from 1 to 20.")),
                    ("default", .number(5)),
                ])),
            ],
            required: ["query"]))

    /// `read {path, version?}`: a file's text.
    ///
    /// Structured content: `{"path", "version", "media_type", "text"}` (the file's text, also in
    /// the result's text), which `resources/read` serves.
    public static let read = ToolDefinition(
        name: "read",
        description: "Read a file's text by its path, such as /notes/idea.md; the current version "
            + "unless a version number is given.",
        parameters: objectSchema(
            properties: [
                ("path", object([
                    ("type", .string("string")),
                    ("description", .string("The file's path, starting with '/'.")),
                ])),
                ("version", object([
                    ("type", .string("integer")),
                    ("description", .string("A version number from the file's history; the current one if left out.")),
                ])),
            ],
            required: ["path"]))

    /// `list {path?}`: a directory's entries.
    ///
    /// Structured content: `{"path", "entries": [{"name", "path", "type": "file" | "directory",
    /// "media_type", "size", …}]}`, the shape of a `/data` directory listing, which
    /// `resources/list` walks.
    public static let list = ToolDefinition(
        name: "list",
        description: "List the files and directories in a directory of the owner's data.",
        parameters: objectSchema(
            properties: [
                ("path", object([
                    ("type", .string("string")),
                    ("description", .string("The directory's path, starting with '/'.")),
                    ("default", .string("/")),
                ]))
            ],
            required: []))

    /// `write_note {name, text}`: saves a short text note under a file name.
    public static let writeNote = ToolDefinition(
        name: "write_note",
        description: "Save a short text note under a file name such as idea.md.",
        parameters: objectSchema(
            properties: [
                ("name", object([
                    ("type", .string("string")),
                    ("description", .string("A file name such as idea.md, without a directory.")),
                    ("minLength", .number(1)),
                ])),
                ("text", object([
                    ("type", .string("string")),
                    ("description", .string("The note's text.")),
                ])),
            ],
            required: ["name", "text"]))

    /// `remember {key, value}`: a fact kept in an agent's memory.
    public static let remember = ToolDefinition(
        name: "remember",
        description: "Remember a fact under a short key, replacing what was kept under that key.",
        parameters: objectSchema(
            properties: [
                ("key", object([
                    ("type", .string("string")),
                    ("description", .string("A short name for the fact.")),
                    ("minLength", .number(1)),
                ])),
                ("value", object([
                    ("type", .string("string")),
                    ("description", .string("The fact.")),
                ])),
            ],
            required: ["key", "value"]))

    /// `recall {key?}`: one remembered fact, or all of them.
    public static let recall = ToolDefinition(
        name: "recall",
        description: "Recall a remembered fact by its key, or every remembered fact when no key is given.",
        parameters: objectSchema(
            properties: [
                ("key", object([
                    ("type", .string("string")),
                    ("description", .string("The fact's key; leave out to recall everything.")),
                ]))
            ],
            required: []))

    /// `ask_peer {peer, question, agent?}`: asks a contact's Haven assistant (only for the owner).
    public static let askPeer = ToolDefinition(
        name: "ask_peer",
        description: "Ask a contact's Haven (a peer, by name) a question; its assistant answers from what "
            + "that contact shared with you. Only for the owner's own agents.",
        parameters: objectSchema(
            properties: [
                ("peer", object([
                    ("type", .string("string")),
                    ("description", .string("The peer's name, as in 'haven peer list'.")),
                    ("minLength", .number(1)),
                ])),
                ("question", object([
                    ("type", .string("string")),
                    ("description", .string("The question, in words.")),
                    ("minLength", .number(1)),
                ])),
                ("agent", object([
                    ("type", .string("string")),
                    ("description", .string("The peer's agent to ask.")),
                    ("default", .string("assistant")),
                ])),
            ],
            required: ["peer", "question"]))

    /// `send_message {peer, text, subject?}`: a message to a contact's inbox (only for the owner).
    public static let sendMessage = ToolDefinition(
        name: "send_message",
        description: "Send a short message to a contact's Haven inbox (a peer, by name). Only for the owner's own agents.",
        parameters: objectSchema(
            properties: [
                ("peer", object([
                    ("type", .string("string")),
                    ("description", .string("The peer's name, as in 'haven peer list'.")),
                    ("minLength", .number(1)),
                ])),
                ("text", object([
                    ("type", .string("string")),
                    ("description", .string("The message.")),
                    ("minLength", .number(1)),
                ])),
                ("subject", object([
                    ("type", .string("string")),
                    ("description", .string("A subject line.")),
                ])),
            ],
            required: ["peer", "text"]))

    /// Every built-in tool, in the order they are offered.
    public static let all: [ToolDefinition] = [search, read, list, writeNote, remember, recall, askPeer, sendMessage]

    private static func objectSchema(properties: [(String, JSONValue)], required: [String]) -> JSONValue {
        object([
            ("type", .string("object")),
            ("properties", object(properties)),
            ("required", .array(required.map(JSONValue.string))),
            ("additionalProperties", .bool(false)),
        ])
    }

    /// A JSON object that keeps its keys in the order given.
    private static func object(_ pairs: [(String, JSONValue)]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: pairs), order: pairs.map(\.0))
    }
}
