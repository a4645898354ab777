import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests, as pure code: the canonical request, the string to
/// sign, the derived key and the `Authorization` header, from a request's parts and a time.
///
/// The path is signed as it is sent (S3 does not normalise or re-encode it); the query is
/// canonicalised from its raw pairs (each name and value percent-encoded, RFC 3986 unreserved
/// characters kept, then sorted); every given header is signed, names lower-cased and values
/// trimmed with inner runs of white space collapsed, as botocore does.
public struct SigV4Signer: Sendable {
    /// One query parameter, unencoded.
    public struct QueryItem: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One header field.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// What is signed of a request.
    public struct Request: Sendable {
        public var method: String
        /// The `Host` header: the endpoint's host, with its port unless it is the scheme's default.
        public var host: String
        /// The path as sent, already percent-encoded (see ``SigV4Signer/encodePath(_:)``).
        public var path: String
        public var query: [QueryItem]
        /// Headers to sign besides `host`, `x-amz-date` and `x-amz-content-sha256`.
        public var headers: [Field]
        /// The hex SHA-256 of the body (``SigV4Signer/payloadHash(_:)``), or ``SigV4Signer/unsignedPayload``.
        public var payloadHash: String

        public init(method: String, host: String, path: String, query: [QueryItem] = [], headers: [Field] = [], payloadHash: String) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// A signed request: the headers to send with it, and the intermediate texts for tests.
    public struct Signature: Sendable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let amzDate: String
        public let authorization: String
        /// `Host`, `X-Amz-Date`, `X-Amz-Content-SHA256` and `Authorization`, to add to the request.
        public let fields: [Field]
    }

    /// The payload hash of a body whose bytes are not signed (TLS protects them).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public let credentials: S3Credentials
    public let region: String
    public let service: String

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The hex SHA-256 of a body, as `x-amz-content-sha256` carries it.
    public static func payloadHash(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Signs `request` as made at `date`.
    public func sign(_ request: Request, at date: Date) -> Signature {
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        var grouped: [String: [String]] = [:]
        for field in request.headers {
            grouped[field.name.lowercased(), default: []].append(Self.canonicalValue(field.value))
        }
        grouped["host"] = [request.host]
        grouped["x-amz-date"] = [amzDate]
        grouped["x-amz-content-sha256"] = [request.payloadHash]
        let names = grouped.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let canonicalHeaders = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            request.method.uppercased(), request.path, Self.canonicalQuery(request.query), canonicalHeaders, signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let signature = Self.hex(
            Self.hmac(signingKey(day: day), Array(stringToSign.utf8)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, amzDate: amzDate, authorization: authorization,
            fields: [
                Field("Host", request.host), Field("X-Amz-Date", amzDate), Field("X-Amz-Content-SHA256", request.payloadHash),
                Field("Authorization", authorization),
            ])
    }

    /// The key of one day, region and service, derived from the secret.
    func signingKey(day: String) -> [UInt8] {
        var key = Self.hmac(Array("AWS4\(credentials.secretAccessKey)".utf8), Array(day.utf8))
        key = Self.hmac(key, Array(region.utf8))
        key = Self.hmac(key, Array(service.utf8))
        return Self.hmac(key, Array("aws4_request".utf8))
    }

    /// The canonical query string: names and values encoded, pairs sorted by name then value.
    public static func canonicalQuery(_ items: [QueryItem]) -> String {
        items.map { (encode($0.name, keepingSlash: false), encode($0.value, keepingSlash: false)) }
            .sorted { left, right in
                left.0 == right.0
                    ? Array(left.1.utf8).lexicographicallyPrecedes(Array(right.1.utf8))
                    : Array(left.0.utf8).lexicographicallyPrecedes(Array(right.0.utf8))
            }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// An object key as a URL path: every byte but RFC 3986 unreserved characters and `/`
    /// percent-encoded, so the path signed is the path sent.
    public static func encodePath(_ path: String) -> String {
        encode(path, keepingSlash: true)
    }

    /// Percent-encodes every byte of `text` but RFC 3986 unreserved characters (and `/` if asked).
    public static func encode(_ text: String, keepingSlash: Bool) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.append(byte)
            case UInt8(ascii: "/") where keepingSlash:
                encoded.append(byte)
            default:
                encoded.append(contentsOf: [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 15)]])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// A header value trimmed, inner runs of white space collapsed to one space.
    static func canonicalValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    static func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes { text.append(contentsOf: [digits[Int(byte >> 4)], digits[Int(byte & 15)]]) }
        return String(decoding: text, as: UTF8.self)
    }
}
