import Foundation
import NIOCore

/// The JSON error shape every Haven error response has, decoded strictly so a test fails if a
/// field is missing.
public struct ErrorBody: Decodable, Sendable {
    public struct Detail: Decodable, Sendable {
        public let message: String
        public let type: String
        public let code: String
    }
    public let error: Detail

    public init(_ buffer: ByteBuffer) throws {
        self = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: buffer))
    }
}

extension ByteBuffer {
    /// The body decoded as the server's JSON (ISO 8601 dates).
    public func json<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(buffer: self))
    }
}
