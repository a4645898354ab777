import HavenIdentity

extension LicenceParty {
    /// The party a principal is in licence terms: a peer is its DID; an application with an
    /// API token on this server is `did:haven:app:NAME`, a name only this server gives, so a
    /// rule that names no assignee applies to it and a rule naming a DID never does.
    public init(principal: Principal) {
        switch principal {
        case .peer(let did):
            self = (try? LicenceParty(did.description)) ?? LicenceParty(validDID: "did:haven:unknown")
        case .app(let name):
            self = LicenceParty(validDID: "did:haven:app:" + name)
        case .owner:
            self = LicenceParty(validDID: "did:haven:owner")
        }
    }
}
