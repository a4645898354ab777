/// Why witnessing work could not be done: the witness's own inputs (a clock reading it cannot
/// sign), a fetched checkpoint or tile that cannot be used, or a witness policy file that does not
/// follow c2sp.org/tlog-policy. A client's bad add-checkpoint request is not an error: it is a
/// `WitnessOutcome.refused` with the status the spec gives it.
public enum WitnessError: Error, Equatable, Sendable {
    // MARK: Cosigning

    /// The witness was asked to cosign at a timestamp tlog-witness forbids (0) or that
    /// tlog-cosignature cannot encode (above 2^63 - 1).
    case invalidTimestamp(UInt64)
    /// Building or signing the cosignature failed.
    case cosigningFailed(NoteError)

    // MARK: Fetched checkpoints and tiles

    /// The fetched checkpoint is not a signed note holding a checkpoint.
    case malformedNote(NoteError)
    /// The fetched checkpoint is not signed by the log's key.
    case untrustedNote(origin: String, NoteError)
    /// The fetched checkpoint is for another log than the one being checked.
    case originMismatch(expected: String, found: String)
    /// A size-0 checkpoint whose root is not the empty tree's hash.
    case invalidEmptyCheckpoint(origin: String)
    /// A tile needed for the check was not supplied (or was supplied narrower than needed).
    case tileMissing(TileCoordinate)
    /// A supplied tile is malformed (its length does not match its width).
    case invalidTile(MerkleError)
    /// The supplied tiles hash to another root than the checkpoint states.
    case tilesDoNotMatchRoot(treeSize: UInt64, expected: MerkleHash, computed: MerkleHash)

    // MARK: Collecting cosignatures

    /// A key given as a witness key is not a cosigner key (vkey type 0x04).
    case notACosignerKey(name: String)
    /// A cosignature from a trusted witness key does not verify over the checkpoint.
    case invalidCosignature(name: String, keyID: NoteKeyID)
    /// A witness's response holds no cosignature from its key.
    case noCosignature(name: String, keyID: NoteKeyID)
    /// A response or assembled note is not a valid set of signature lines.
    case invalidSignatures(NoteError)

    // MARK: Witness policy (c2sp.org/tlog-policy)

    /// Line `line` breaks the policy syntax (character set, field count, a reserved name).
    case policySyntax(line: Int, reason: String)
    /// Line `line` starts with a keyword other than `log`, `witness`, `group` or `quorum`.
    case policyUnknownKeyword(line: Int, keyword: String)
    /// Line `line` holds a vkey that does not parse.
    case policyInvalidKey(line: Int, NoteError)
    /// Line `line` holds a key of a type its role cannot use.
    case policyWrongKeyType(line: Int, role: String, found: NoteSignatureType)
    /// Line `line` defines a witness or group name that is already defined (or `none`).
    case policyDuplicateName(line: Int, name: String)
    /// Line `line` repeats the public key of the log or witness on line `firstLine`.
    case policyDuplicateKey(line: Int, firstLine: Int)
    /// Line `line` refers to a name that no earlier line defines.
    case policyUndefinedName(line: Int, name: String)
    /// Line `line` lists the same group member twice.
    case policyDuplicateMember(line: Int, name: String)
    /// Line `line` has a group threshold that is not `all`, `any` or a decimal 1...members.
    case policyInvalidThreshold(line: Int, text: String, memberCount: Int)
    /// The policy has no `quorum` line.
    case policyMissingQuorum
    /// Line `line` is a second `quorum` line; the first is on line `firstLine`.
    case policyDuplicateQuorum(line: Int, firstLine: Int)
}

extension WitnessError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidTimestamp(let timestamp):
            "cannot cosign at timestamp \(timestamp): a cosignature timestamp is 1...2^63-1 seconds since the epoch; check the witness clock"
        case .cosigningFailed(let error):
            "cosigning failed: \(error)"
        case .malformedNote(let error):
            "the fetched checkpoint is not a signed checkpoint note: \(error)"
        case .untrustedNote(let origin, let error):
            "the fetched checkpoint is not signed by the key configured for \(origin): \(error)"
        case .originMismatch(let expected, let found):
            "the fetched checkpoint is for the log \"\(found)\", not \"\(expected)\"; check the log's URL"
        case .invalidEmptyCheckpoint(let origin):
            "the log \(origin) signed a size-0 checkpoint whose root is not the empty tree's hash"
        case .tileMissing(let tile):
            "\(tile.path) is needed for the consistency check; fetch it and check again"
        case .invalidTile(let error):
            "a fetched tile is unusable: \(error)"
        case .tilesDoNotMatchRoot(let treeSize, let expected, let computed):
            "the fetched tiles give root \(computed) for size \(treeSize), not the checkpoint's \(expected); the log serves tiles that do not match its checkpoint"
        case .notACosignerKey(let name):
            "the key \(name) is not a cosigner key; witness keys are vkeys of type 0x04 (cosignature/v1)"
        case .invalidCosignature(let name, let keyID):
            "the cosignature by \(name)+\(keyID) does not verify over the checkpoint; the witness answered for another checkpoint or the response was altered"
        case .noCosignature(let name, let keyID):
            "the witness response holds no cosignature by \(name)+\(keyID); check the witness key in the policy"
        case .invalidSignatures(let error):
            "the signature lines are invalid: \(error)"
        case .policySyntax(let line, let reason):
            "policy line \(line): \(reason)"
        case .policyUnknownKeyword(let line, let keyword):
            "policy line \(line): unknown keyword \"\(keyword)\"; lines start with log, witness, group or quorum"
        case .policyInvalidKey(let line, let error):
            "policy line \(line): the vkey is invalid: \(error)"
        case .policyWrongKeyType(let line, let role, let found):
            "policy line \(line): a \(role) key cannot be of type 0x\(String(found.rawValue, radix: 16)); "
                + (role == "log" ? "log keys are Ed25519 note keys (type 0x01)" : "witness keys are cosignature/v1 keys (type 0x04)")
        case .policyDuplicateName(let line, let name):
            "policy line \(line): the name \"\(name)\" is already defined (witnesses and groups share one namespace, and none is reserved)"
        case .policyDuplicateKey(let line, let firstLine):
            "policy line \(line): the same public key is already listed on line \(firstLine); list each log and witness once"
        case .policyUndefinedName(let line, let name):
            "policy line \(line): \"\(name)\" is not defined on an earlier line; define witnesses and groups before using them"
        case .policyDuplicateMember(let line, let name):
            "policy line \(line): \"\(name)\" is listed twice in the group; each member counts once"
        case .policyInvalidThreshold(let line, let text, let memberCount):
            "policy line \(line): the threshold \"\(text)\" must be all, any or a decimal from 1 to \(memberCount) (the member count)"
        case .policyMissingQuorum:
            "the policy has no quorum line; add \"quorum <name>\" or \"quorum none\""
        case .policyDuplicateQuorum(let line, let firstLine):
            "policy line \(line): a second quorum line (the first is line \(firstLine)); a policy has exactly one"
        }
    }
}
