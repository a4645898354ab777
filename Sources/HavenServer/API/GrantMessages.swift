import Foundation
import HavenAccess
import HavenIdentity
import Hummingbird

/// Body of `POST /haven/grants`.
public struct CreateGrantRequest: Codable, Sendable {
    public let to: Principal
    public let rights: [Right]
    /// One model; absent means every model.
    public let model: String?
    public let expiresAt: Date?
    public let purpose: String?

    public init(to: Principal, rights: [Right], model: String?, expiresAt: Date?, purpose: String?) {
        self.to = to
        self.rights = rights
        self.model = model
        self.expiresAt = expiresAt
        self.purpose = purpose
    }

    enum CodingKeys: String, CodingKey {
        case to, rights, model, purpose
        case expiresAt = "expires_at"
    }
}

/// Body of `GET /haven/grants`.
public struct GrantList: Codable, Sendable, ResponseEncodable {
    public let grants: [Grant]
}

extension Grant: ResponseEncodable {}
