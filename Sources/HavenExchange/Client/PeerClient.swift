import AsyncHTTPClient
import Foundation
import HavenStore
import NIOCore
import NIOHTTP1

/// Sends signed requests to one peer's `/exchange/` endpoints: every request carries an
/// RFC 9421 signature by this server's key (``RequestSigner``) and, when given, the capability
/// token that lets this server fetch what it asks for.
public struct PeerClient: Sendable {
    public let http: HTTPClient
    public let signer: RequestSigner
    /// The peer's public URL, without a trailing slash.
    public let baseURL: String
    /// A capability token the peer issued to this server, sent as `Authorization: Bearer`.
    public let capability: String?
    /// The purpose this server states for what it fetches (a DPV term, `Haven-Purpose`), which
    /// a licence on the content may require.
    public let purpose: String?

    /// The most bytes a JSON answer may have.
    public static let maximumJSONResponse = 16 << 20

    public init(http: HTTPClient, signer: RequestSigner, baseURL: String, capability: String? = nil, purpose: String? = nil) {
        self.http = http
        self.signer = signer
        self.baseURL = baseURL
        self.capability = capability
        self.purpose = purpose
    }

    /// The same client with another capability.
    public func with(capability: String?) -> PeerClient {
        PeerClient(http: http, signer: signer, baseURL: baseURL, capability: capability, purpose: purpose)
    }

    /// The same client stating `purpose` on every request.
    public func with(purpose: String?) -> PeerClient {
        PeerClient(http: http, signer: signer, baseURL: baseURL, capability: capability, purpose: purpose)
    }

    /// A signed request, its whole answer read (at most ``maximumJSONResponse`` bytes).
    public func send(
        _ method: HTTPMethod, _ target: String, body: [UInt8]? = nil, contentType: String = "application/json",
        timeout: TimeAmount = .seconds(60)
    ) async throws(ExchangeError) -> PeerResponse {
        let response = try await execute(method, target, body: body, contentType: contentType, timeout: timeout)
        do {
            let buffer = try await response.body.collect(upTo: Self.maximumJSONResponse)
            return PeerResponse(status: Int(response.status.code), body: Array(buffer: buffer))
        } catch {
            throw .peerUnreachable(baseURL, reason: "\(error)")
        }
    }

    /// A signed request whose answer is streamed; the caller reads `body`.
    public func execute(
        _ method: HTTPMethod, _ target: String, body: [UInt8]? = nil, contentType: String = "application/json",
        timeout: TimeAmount = .seconds(60)
    ) async throws(ExchangeError) -> HTTPClientResponse {
        let url = baseURL + target
        var request = HTTPClientRequest(url: url)
        request.method = method
        let fields: [(name: String, value: String)]
        do {
            fields = try signer.sign(method: method.rawValue, targetURI: url, body: body, at: Date())
        } catch {
            throw .signingFailed("\(error)")
        }
        for field in fields { request.headers.add(name: field.name, value: field.value) }
        if let capability { request.headers.add(name: "Authorization", value: "Bearer \(capability)") }
        if let purpose { request.headers.add(name: "Haven-Purpose", value: purpose) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            return try await http.execute(request, timeout: timeout)
        } catch {
            throw .peerUnreachable(baseURL, reason: "\(error)")
        }
    }

    /// Percent-encodes a data path for a URL (every byte but unreserved characters and `/`),
    /// so the target a signature covers is the one the peer receives.
    public static func encodePath(_ path: String) -> String {
        percentEncode(path, keepingSlash: true)
    }

    /// Percent-encodes a query value (every byte but unreserved characters).
    public static func encodeQuery(_ value: String) -> String {
        percentEncode(value, keepingSlash: false)
    }

    private static func percentEncode(_ text: String, keepingSlash: Bool) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }
}

/// A peer's whole answer.
public struct PeerResponse: Sendable {
    public let status: Int
    public let body: [UInt8]

    /// Decodes a 2xx JSON answer; any other status becomes ``ExchangeError/peerRefused(status:message:)``
    /// with the peer's own error message.
    public func decode<T: Decodable>(_ type: T.Type) throws(ExchangeError) -> T {
        guard (200..<300).contains(status) else { throw refusal }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(type, from: Data(body))
        } catch {
            throw .badResponse("the answer is not the expected JSON: \(error)")
        }
    }

    /// The error this answer stands for, with the peer's message when it sent Haven's error shape.
    public var refusal: ExchangeError {
        struct Shape: Decodable {
            struct Inner: Decodable { let message: String; let code: String? }
            let error: Inner
        }
        let shape = try? JSONDecoder().decode(Shape.self, from: Data(body))
        return .peerRefused(status: status, code: shape?.error.code, message: shape?.error.message ?? "HTTP \(status)")
    }
}
