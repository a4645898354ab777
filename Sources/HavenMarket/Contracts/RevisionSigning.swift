/// Which parties have signed a contract revision. Only a fully signed revision binds.
public enum RevisionSigning: Sendable, Hashable {
    /// A proposal no one has signed yet.
    case unsigned
    /// Signed by one party, waiting for the other; not yet binding.
    case halfSigned(by: ContractParty)
    /// Signed by both parties: the revision binds them.
    case fullySigned
}
