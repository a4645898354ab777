import Crypto
import Foundation

/// One decision on data, as the audit log keeps it: who asked to do what on which resource,
/// whether it was allowed and why. Each entry holds the hash of the one before it, so editing
/// or removing an entry breaks the chain from there on.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// Position in the log, from 1 with no gaps.
    public let sequence: Int64
    /// When the decision was made, to the millisecond (the precision the hash covers).
    public let time: Date
    public let principal: String
    /// The right asked for (`read`, `write`, …).
    public let action: String
    public let resource: String
    public let allowed: Bool
    public let reason: String
    /// The grant or capability token that allowed it, if any.
    public let basis: String?
    /// Hex SHA-256 of the previous entry; 64 zeros for the first.
    public let previousHash: String
    /// Hex SHA-256 of this entry's fields and `previousHash`.
    public let hash: String

    /// The hash before the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// Makes the entry that follows `previousHash`, computing its hash.
    public init(
        sequence: Int64, time: Date, principal: String, action: String, resource: String, allowed: Bool, reason: String,
        basis: String?, previousHash: String
    ) {
        let milliseconds = Self.milliseconds(time)
        self.init(
            stored: sequence, milliseconds: milliseconds, principal: principal, action: action, resource: resource,
            allowed: allowed, reason: reason, basis: basis, previousHash: previousHash,
            hash: Self.hash(
                sequence: sequence, milliseconds: milliseconds, principal: principal, action: action,
                resource: resource, allowed: allowed, reason: reason, basis: basis, previousHash: previousHash))
    }

    /// An entry as stored, hash included, for verification.
    init(stored sequence: Int64, milliseconds: Int64, principal: String, action: String, resource: String, allowed: Bool,
         reason: String, basis: String?, previousHash: String, hash: String) {
        self.sequence = sequence
        self.time = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        self.principal = principal
        self.action = action
        self.resource = resource
        self.allowed = allowed
        self.reason = reason
        self.basis = basis
        self.previousHash = previousHash
        self.hash = hash
    }

    /// Whether `hash` is what this entry's fields give.
    public var isIntact: Bool {
        hash == Self.hash(
            sequence: sequence, milliseconds: Self.milliseconds(time), principal: principal, action: action,
            resource: resource, allowed: allowed, reason: reason, basis: basis, previousHash: previousHash)
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// SHA-256 over every field, each length-prefixed so no two entries encode alike.
    static func hash(
        sequence: Int64, milliseconds: Int64, principal: String, action: String, resource: String, allowed: Bool,
        reason: String, basis: String?, previousHash: String
    ) -> String {
        var hasher = SHA256()
        func field(_ text: String) {
            withUnsafeBytes(of: UInt64(text.utf8.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: Array(text.utf8))
        }
        field("haven-audit-v1")
        field(String(sequence))
        field(String(milliseconds))
        field(principal)
        field(action)
        field(resource)
        field(allowed ? "allow" : "deny")
        field(reason)
        field(basis ?? "")
        field(previousHash)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    enum CodingKeys: String, CodingKey {
        case sequence, time, principal, action, resource, allowed, reason, basis, hash
        case previousHash = "previous_hash"
    }

    /// Absent values are written as `null`, so every key is always there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(time, forKey: .time)
        try container.encode(principal, forKey: .principal)
        try container.encode(action, forKey: .action)
        try container.encode(resource, forKey: .resource)
        try container.encode(allowed, forKey: .allowed)
        try container.encode(reason, forKey: .reason)
        try container.encode(basis, forKey: .basis)
        try container.encode(previousHash, forKey: .previousHash)
        try container.encode(hash, forKey: .hash)
    }
}
