import Foundation
import Hummingbird

/// Body of `POST /haven/session`: sign in with an API token or a login link's code.
public struct SignInRequest: Codable, Sendable {
    public let token: String?
    public let code: String?

    public init(token: String? = nil, code: String? = nil) {
        self.token = token
        self.code = code
    }
}

/// Body of `GET /haven/sessions`.
public struct SessionList: Codable, Sendable, ResponseEncodable {
    public struct Entry: Codable, Sendable {
        public let session: WebSession
        /// Whether this is the session the listing was asked through.
        public let current: Bool

        public init(from decoder: any Decoder) throws {
            session = try WebSession(from: decoder)
            current = try decoder.container(keyedBy: CodingKeys.self).decode(Bool.self, forKey: .current)
        }

        init(session: WebSession, current: Bool) {
            self.session = session
            self.current = current
        }

        public func encode(to encoder: any Encoder) throws {
            try session.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(current, forKey: .current)
        }

        enum CodingKeys: String, CodingKey {
            case current
        }
    }

    public let sessions: [Entry]
}

/// Body of `POST /haven/login-links`: a one-time link that signs a browser in as the caller.
public struct LoginLinkResponse: Codable, Sendable, ResponseEncodable {
    /// The link on this server's own address (its public URL, else the address the request used).
    public let url: String
    /// The code alone, for a client that builds the link on the address it knows.
    public let code: String
    public let expiresAt: Date

    public init(url: String, code: String, expiresAt: Date) {
        self.url = url
        self.code = code
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case url, code
        case expiresAt = "expires_at"
    }
}
