import HavenIdentity

/// One thing a principal asks to do: use `right` on `resource` (a normalised data path or a
/// model resource), and, when the request uses content, what it does in licence terms (`use`),
/// which a grant or capability that carries a licence decides.
public struct AccessRequest: Sendable, Equatable {
    public let principal: Principal
    public let right: Right
    public let resource: String
    public let use: LicenceUse?

    public init(principal: Principal, right: Right, resource: String, use: LicenceUse? = nil) {
        self.principal = principal
        self.right = right
        self.resource = resource
        self.use = use
    }
}
