/// What a request does with licensed content, in a licence's terms: the ODRL action, the
/// content it acts on (its content id), the purpose the caller stated, the recipient when
/// distributing, and whether this request is one use to count.
///
/// A request that reads a file's bytes (`GET /data/…`, an exchange manifest fetch) is one
/// counted use; the requests that go with it (the chunks of that file) check every other term
/// of the licence but are not counted again.
public struct LicenceUse: Sendable, Equatable {
    public let action: LicenceAction
    public let target: LicenceTarget
    public let purpose: DPVPurpose?
    public let recipient: LicenceParty?
    public let counted: Bool

    public init(
        action: LicenceAction, target: LicenceTarget, purpose: DPVPurpose?, recipient: LicenceParty? = nil,
        counted: Bool = true
    ) {
        self.action = action
        self.target = target
        self.purpose = purpose
        self.recipient = recipient
        self.counted = counted
    }
}
