/// The witness's answer to one tlog-witness add-checkpoint request: a cosignature and the log
/// state to persist, or a refusal with the spec's status code, the response body and, when the
/// log contradicted itself, the evidence. `auditSentence` says what happened, for the audit log.
public enum WitnessOutcome: Sendable, Hashable {
    /// 200: the checkpoint was cosigned; persist `updated` (atomically with the old-size check)
    /// before answering with `responseBody`.
    case cosigned(Cosignature, updated: WitnessedLog)
    /// Not cosigned: answer with `status` and `body` (the 409 body, `text/x.tlog.size`; nil
    /// otherwise). `evidence` is set when the log signed two inconsistent checkpoints; `reason`
    /// is the detail for logs, not for the client.
    case refused(WitnessStatus, body: String?, evidence: SplitViewEvidence?, reason: String)

    /// The refusal for a request body that does not parse (400 Bad Request), including an old
    /// size larger than the checkpoint's size, which `AddCheckpointRequest` refuses as it parses.
    public static func malformedRequest(_ error: NoteError) -> WitnessOutcome {
        .refused(.badRequest, body: nil, evidence: nil, reason: "the request is malformed: \(error)")
    }

    /// The HTTP status to answer with.
    public var status: WitnessStatus {
        switch self {
        case .cosigned: .success
        case .refused(let status, _, _, _): status
        }
    }

    /// The HTTP response body: the cosignature line for 200, the latest size for 409, else empty.
    public var responseBody: String {
        switch self {
        case .cosigned(let cosignature, _): NoteSignature.serializeLines([cosignature.noteSignature])
        case .refused(_, let body, _, _): body ?? ""
        }
    }

    /// The evidence of a split view, if this answer found one.
    public var evidence: SplitViewEvidence? {
        switch self {
        case .cosigned: nil
        case .refused(_, _, let evidence, _): evidence
        }
    }

    /// One sentence for the audit log.
    public var auditSentence: String {
        switch self {
        case .cosigned(let cosignature, let log):
            let checkpoint = log.latest?.checkpoint
            return "Cosigned \(log.origin) at tree size \(checkpoint?.size ?? 0) "
                + "(root \(NoteSyntax.encodeBase64(checkpoint?.rootHash ?? []))) "
                + "as \(cosignature.name) at \(cosignature.timestamp)."
        case .refused(let status, _, let evidence, let reason):
            return "Refused a checkpoint with \(status): \(reason)"
                + (evidence == nil ? "." : "; split-view evidence was recorded.")
        }
    }
}
