/// An HTTP request as the signature layer sees it: method, the absolute target URI and the
/// header fields.
///
/// The HTTP layer builds one from what it received; the target URI is the one the request was
/// addressed to (scheme, authority, path and query), so a server behind a proxy must rebuild it
/// from its own public address, not from what the proxy forwarded.
public struct SignableRequest: Sendable {
    /// The method, upper case (`GET`).
    public var method: String
    /// The absolute target URI, e.g. `https://alice.example:8420/exchange/v1/tree/photos/?a=1`.
    public var targetURI: String
    /// The header fields as received, names in any case, in order.
    public var fields: [(name: String, value: String)]

    /// Makes a request from its parts.
    public init(method: String, targetURI: String, fields: [(name: String, value: String)]) {
        self.method = method
        self.targetURI = targetURI
        self.fields = fields
    }

    /// The value of a field, looked up case-insensitively, with each line's leading and trailing
    /// whitespace removed and several lines joined with ", " (RFC 9110 §5.3, RFC 9421 §2.1);
    /// `nil` when the request does not carry it.
    public func field(_ name: String) -> String? {
        let values = fields.lazy
            .filter { $0.name.lowercased() == name.lowercased() }
            .map { Self.trimmed($0.value) }
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// The request with one more field.
    public func adding(_ fields: [(name: String, value: String)]) -> SignableRequest {
        SignableRequest(method: method, targetURI: targetURI, fields: self.fields + fields)
    }

    /// Removes optional whitespace (SP, HTAB) around a field line's value.
    private static func trimmed(_ value: String) -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = value.firstIndex(where: { !isWhitespace($0) }),
            let last = value.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(value[first...last])
    }
}
