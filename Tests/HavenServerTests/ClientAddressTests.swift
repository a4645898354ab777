import NIOCore
import Testing

@testable import HavenServer

/// Failures are counted per IPv4 address and per IPv6 /64, whatever the port.
@Suite struct ClientAddressTests {
    @Test(arguments: [
        ("127.0.0.2", "127.0.0.2"),
        ("192.0.2.44", "192.0.2.44"),
        ("::1", "::1"),
        ("::ffff:192.0.2.9", "192.0.2.9"),
        ("2001:db8:aa:bb:1:2:3:4", "2001:db8:aa:bb::/64"),
        ("2001:db8:aa:bb:ffff:ffff:ffff:ffff", "2001:db8:aa:bb::/64"),
    ])
    func anAddressCountsAsItsClient(ip: String, expected: String) throws {
        #expect(ClientAddress(try SocketAddress(ipAddress: ip, port: 40_000)).description == expected)
    }

    @Test func twoPortsOfOneHostAreOneClientAndTwoHostsAreTwo() throws {
        let first = ClientAddress(try SocketAddress(ipAddress: "192.0.2.1", port: 1))
        #expect(first == ClientAddress(try SocketAddress(ipAddress: "192.0.2.1", port: 2)))
        #expect(first != ClientAddress(try SocketAddress(ipAddress: "192.0.2.2", port: 1)))
        #expect(
            ClientAddress(try SocketAddress(ipAddress: "2001:db8::1", port: 1))
                != ClientAddress(try SocketAddress(ipAddress: "2001:db8:0:1::1", port: 1)))
    }

    @Test func aConnectionWithoutAnIPAddressIsUnknown() throws {
        #expect(ClientAddress(nil) == .unknown)
        #expect(ClientAddress(try SocketAddress(unixDomainSocketPath: "/tmp/haven.sock")) == .unknown)
    }
}
