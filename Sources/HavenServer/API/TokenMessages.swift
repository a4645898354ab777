import HavenIdentity
import Hummingbird

/// Body of `POST /haven/tokens`.
public struct CreateTokenRequest: Codable, Sendable {
    public let name: String
    public init(name: String) { self.name = name }
}

/// Answer to `POST /haven/tokens`: the only time the token's secret is shown.
public struct CreatedTokenResponse: Codable, Sendable, ResponseEncodable {
    public let token: String
    public let info: TokenInfo
}

/// Body of `GET /haven/tokens`.
public struct TokenListResponse: Codable, Sendable, ResponseEncodable {
    public let tokens: [TokenInfo]
}

extension TokenInfo: ResponseEncodable {}
