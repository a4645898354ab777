import HavenIdentity

extension FuzzTarget {
    /// Compact JWS: the shape checks of `JSONWebSignature.decode`, then signature checks.
    static let jws = FuzzTarget(
        name: "jws",
        summary: "JSONWebSignature.decode; each segment is the only spelling of its bytes; signature check"
    ) { bytes throws(FuzzFinding) in
        let token = text(bytes)
        guard let decoded = attempt({ try JSONWebSignature.decode(token) }) else { return }
        try expect(decoded.signature.count == 64, "a decoded signature has \(decoded.signature.count) bytes")
        // Base64URL is strict so that a token has one spelling: its id (a hash of the text)
        // then names its signature, and a revoked token cannot be re-spelt to look new.
        let segments = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map { text(Array($0)) }
        for (segment, value) in zip(segments, [decoded.header, decoded.payload, decoded.signature]) {
            try expect(Base64URL.encode(value) == segment, "segment '\(segment.prefix(80))' decodes to bytes that encode differently")
        }
        try expect(
            decoded.signingInput == Array((segments[0] + "." + segments[1]).utf8),
            "the signing input is not the first two segments")
        for key in [FuzzFixtures.owner, FuzzFixtures.peer] {
            _ = decoded.isSigned(by: key.did)
        }
    }

    /// API tokens `hvn_<id>_<secret>` as a client presents them.
    static let apiToken = FuzzTarget(
        name: "api-token",
        summary: "APIToken(parsing:); the token writes back as the input in lower case and parses to itself"
    ) { bytes throws(FuzzFinding) in
        let presented = text(bytes)
        guard let token = attempt({ try APIToken(parsing: presented) }) else { return }
        try expect(token.stringValue == presented.lowercased(), "'\(presented)' is written back as '\(token.stringValue)'")
        let again = attempt { try APIToken(parsing: token.stringValue) }
        try expect(again == token, "'\(token.stringValue)' does not parse back to the same token")
        _ = token.matches(secretHash: token.secretHash)
    }

    /// `did:key` identifiers and principals (`owner`, `app:NAME`, `peer:did:key:…`).
    static let did = FuzzTarget(
        name: "did",
        summary: "DID(parsing:) and Principal(parsing:); what is accepted writes back and parses to itself"
    ) { bytes throws(FuzzFinding) in
        let string = text(bytes)
        if let did = attempt({ try DID(parsing: string) }) {
            try expect(did.description == string, "'\(string)' is written back as '\(did.description)'")
            _ = did.publicKey
        }
        if let principal = attempt({ try Principal(parsing: string) }) {
            let again = attempt { try Principal(parsing: principal.description) }
            try expect(again == principal, "'\(principal)' does not parse back to the same principal")
        }
    }
}
