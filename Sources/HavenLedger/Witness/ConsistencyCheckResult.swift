/// What `ConsistencyCheck.check` concluded about a checkpoint the witness fetched from a log.
public enum ConsistencyCheckResult: Sendable, Hashable {
    /// The fetched checkpoint extends the latest one (or is the same tree); persist `updated`.
    /// When it is the same tree, `updated` is the log unchanged.
    case consistent(updated: WitnessedLog)
    /// The log served a smaller checkpoint than the witness already accepted: keep `latest`.
    /// `provenPrefix` is true when the tiles showed the fetched tree is a prefix of the latest
    /// one (a stale copy, not a fork), false when they did not allow the check.
    case rolledBack(fetched: WitnessedCheckpoint, latest: WitnessedLog, provenPrefix: Bool)
    /// The log signed two inconsistent checkpoints; keep the latest state and raise the alarm.
    case splitView(SplitViewEvidence)
}
