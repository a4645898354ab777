import NIOCore

/// The network address a request came from, as failed authentications are counted and
/// throttled by it: an IPv4 address, or an IPv6 address's /64 prefix.
///
/// An IPv6 host is usually given a whole /64 and may pick any address in it, so counting
/// addresses one by one would let it start afresh with every request; its /64 is what it cannot
/// change. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) counts as its IPv4 address.
/// A connection without an IP address (a test channel, a Unix socket) is `unknown`.
public struct ClientAddress: Hashable, Sendable, CustomStringConvertible {
    public let description: String

    /// Requests whose peer address is not known all count as this one client.
    public static let unknown = ClientAddress(description: "unknown")

    init(description: String) {
        self.description = description
    }

    /// The client behind a connection's remote address.
    public init(_ address: SocketAddress?) {
        switch address {
        case .v4(let v4)?:
            self.init(description: Self.dotted(withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }))
        case .v6(let v6)?:
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            self.init(ipv6: bytes)
        default:
            self = .unknown
        }
    }

    /// An IPv6 address's 16 bytes, network order.
    init(ipv6 bytes: [UInt8]) {
        precondition(bytes.count == 16, "an IPv6 address has 16 bytes")
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            self.init(description: Self.dotted(Array(bytes[12...])))
        } else if bytes[0..<15].allSatisfy({ $0 == 0 }) {
            // `::1` and `::`: one host, not a network.
            self.init(description: bytes[15] == 1 ? "::1" : "::")
        } else {
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            self.init(description: groups.joined(separator: ":") + "::/64")
        }
    }

    private static func dotted(_ bytes: [UInt8]) -> String {
        bytes.map(String.init).joined(separator: ".")
    }
}
