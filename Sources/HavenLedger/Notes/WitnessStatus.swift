/// The HTTP status codes a tlog-witness add-checkpoint answer can carry (c2sp.org/tlog-witness),
/// each with what the spec makes it mean, so the witness and its clients agree on them.
public enum WitnessStatus: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// 200: all checks passed; the witness persisted the checkpoint and the body is one or more
    /// cosignature lines (`NoteSignature.parseLines`).
    case success = 200
    /// 400: the request is malformed, or its old size is larger than the checkpoint's size.
    case badRequest = 400
    /// 403: no signature from a key trusted for the origin, or a trusted key's signature fails.
    case forbidden = 403
    /// 404: the checkpoint's origin is not a log this witness knows.
    case notFound = 404
    /// 409: the old size is not the size of the latest checkpoint the witness cosigned for the
    /// origin (0 if none); the body is that size and a newline, as `text/x.tlog.size`.
    case conflict = 409
    /// 422: a size-0 checkpoint without the empty tree's root hash, a non-empty proof with old
    /// size 0, a consistency proof that does not verify, or the same size with another root hash.
    case unprocessableEntity = 422

    /// The content type of a 409 Conflict body.
    public static let conflictContentType = "text/x.tlog.size"

    /// The status code.
    public var code: Int { rawValue }

    /// The HTTP reason phrase (the spec writes "200 Success").
    public var reasonPhrase: String {
        switch self {
        case .success: "Success"
        case .badRequest: "Bad Request"
        case .forbidden: "Forbidden"
        case .notFound: "Not Found"
        case .conflict: "Conflict"
        case .unprocessableEntity: "Unprocessable Entity"
        }
    }

    /// What the status tells the client, from the spec.
    public var meaning: String {
        switch self {
        case .success: "the checkpoint was cosigned; the body holds the cosignature lines"
        case .badRequest: "the request is malformed, or its old size exceeds the checkpoint size"
        case .forbidden: "the checkpoint carries no valid signature from a key trusted for its origin"
        case .notFound: "the witness does not know the checkpoint's origin"
        case .conflict: "the old size is not the latest size this witness cosigned; the body gives that size"
        case .unprocessableEntity: "the checkpoint is not consistent with the old size, its proof or the empty tree"
        }
    }

    public var description: String { "\(code) \(reasonPhrase)" }

    /// The body of a 409 Conflict answer: the latest cosigned tree size and a newline.
    public static func conflictBody(latestSize: UInt64) -> String {
        "\(latestSize)\n"
    }

    /// Reads a 409 Conflict body back into the witness's latest cosigned tree size.
    public static func parseConflictBody(_ body: some Collection<UInt8>) throws(NoteError) -> UInt64 {
        let bytes = Array(body)
        guard bytes.last == NoteSyntax.newline else { throw .missingNewline(after: "tree size") }
        return try NoteSyntax.decimal(String(decoding: bytes.dropLast(), as: UTF8.self), field: "latest tree size")
    }
}
