import Foundation
import HavenAccess
import HavenIdentity
import Hummingbird

/// Body of `POST /haven/grants`.
public struct CreateGrantRequest: Codable, Sendable {
    /// `app:NAME`, `peer:did:key:…`, or `peer:NAME` for a peer known by that name.
    public let to: String
    public let rights: [Right]
    /// A data path or directory prefix, for rights on data.
    public let path: String?
    /// One model, for `infer`; with neither `path` nor `model`, `infer` covers every model.
    public let model: String?
    public let notBefore: Date?
    public let expiresAt: Date?
    public let purpose: String?
    /// A licence the grant carries: an ODRL policy document (JSON-LD text) in Haven's subset.
    public let policy: String?

    public init(
        to: String, rights: [Right], path: String? = nil, model: String? = nil, notBefore: Date? = nil,
        expiresAt: Date?, purpose: String?, policy: String? = nil
    ) {
        self.to = to
        self.rights = rights
        self.path = path
        self.model = model
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.purpose = purpose
        self.policy = policy
    }

    enum CodingKeys: String, CodingKey {
        case to, rights, path, model, purpose, policy
        case notBefore = "not_before"
        case expiresAt = "expires_at"
    }
}

/// Body of `GET /haven/grants`.
public struct GrantList: Codable, Sendable, ResponseEncodable {
    public let grants: [Grant]
}

extension Grant: ResponseEncodable {}
