/// A party named in a licence or a request: a DID (`did:key:z6Mk…`; any method that follows
/// the DID Core syntax), compared exactly as written.
///
/// The ledger binds parties to `did:key` identities when it signs and checks records; the
/// policy layer only needs to know that two parties are the same one.
public struct LicenceParty: Hashable, Sendable, CustomStringConvertible {
    /// The DID as written.
    public let did: String

    /// Parses a DID: `did:` + a lower-case method name + `:` + a method-specific id.
    public init(_ did: String) throws(PolicyError) {
        try self.init(parsing: did, at: .root)
    }

    init(parsing did: String, at path: JSONPath) throws(PolicyError) {
        guard did.utf8.count <= 2048 else {
            throw .invalidValue(path: path.description, reason: "a DID is at most 2048 bytes")
        }
        guard did.hasPrefix("did:") else {
            throw .invalidValue(path: path.description, reason: "'\(did)' is not a DID; parties are DIDs such as did:key:z6Mk…")
        }
        let rest = did.utf8.dropFirst(4)
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else {
            throw .invalidValue(path: path.description, reason: "'\(did)' has no method-specific id after its method name")
        }
        let method = rest[rest.startIndex..<colon]
        let identifier = rest[rest.index(after: colon)...]
        let methodIsValid = !method.isEmpty
            && method.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || Self.isDigit($0) }
        guard methodIsValid else {
            throw .invalidValue(
                path: path.description, reason: "'\(did)' has an invalid DID method name (lower-case letters and digits only)"
            )
        }
        guard Self.isMethodSpecificID(Array(identifier)) else {
            throw .invalidValue(path: path.description, reason: "'\(did)' has an invalid method-specific id")
        }
        self.did = did
    }

    /// A DID this module made itself and knows to be well formed.
    init(validDID did: String) {
        self.did = did
    }

    public var description: String { did }

    /// DID Core: `*( *idchar ":" ) 1*idchar`, idchar = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded.
    private static func isMethodSpecificID(_ bytes: [UInt8]) -> Bool {
        guard let last = bytes.last, last != UInt8(ascii: ":") else { return false }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else { return false }
                index += 3
                continue
            }
            let allowed = isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
            guard allowed else { return false }
            index += 1
        }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
