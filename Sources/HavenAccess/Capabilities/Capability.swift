/// One right on one resource, as a capability token carries it (`{"with": "/photos/trip/",
/// "can": "read"}` in the token's `att`).
public struct Capability: Hashable, Sendable, Codable {
    /// A data path or path prefix, as in ``Grant/resource``.
    public let resource: String
    public let right: Right

    public init(resource: String, right: Right) {
        self.resource = resource
        self.right = right
    }

    /// Whether holding `self` includes `other`: the same right on a resource `self` covers.
    /// A delegated token may only carry capabilities its proof includes.
    public func includes(_ other: Capability) -> Bool {
        right == other.right && ResourcePattern.covers(resource, other.resource)
    }

    enum CodingKeys: String, CodingKey {
        case resource = "with"
        case right = "can"
    }
}
