import HavenIdentity

/// One thing a principal asks to do: use `right` on `resource` (a normalised data path or a
/// model resource).
public struct AccessRequest: Sendable, Equatable {
    public let principal: Principal
    public let right: Right
    public let resource: String

    public init(principal: Principal, right: Right, resource: String) {
        self.principal = principal
        self.right = right
        self.resource = resource
    }
}
