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
