import Crypto

/// A SHA-256 hash in an RFC 9162 Merkle tree: a leaf hash, an interior node hash or a root.
/// Always exactly 32 bytes, held inline; the hashing rules of RFC 9162 §2.1.1 live here.
public struct MerkleHash: Hashable, Sendable {
    /// The length of every hash, in bytes.
    public static let byteCount = 32

    // The 32 bytes as four words loaded in native byte order, so storing them back at the same
    // offsets reproduces the bytes exactly; only equality and hashing look at the words.
    private let w0: UInt64
    private let w1: UInt64
    private let w2: UInt64
    private let w3: UInt64

    /// Reads a hash from its 32 bytes; any other length is a `MerkleError.invalidHashLength`.
    public init<Bytes: Collection<UInt8>>(bytes: Bytes) throws(MerkleError) {
        guard bytes.count == Self.byteCount else { throw .invalidHashLength(bytes.count) }
        let array = Array(bytes)
        self = array.withUnsafeBytes { MerkleHash(exactly: $0) }
    }

    /// Reads a hash from 64 hexadecimal digits (either case); `nil` for anything else.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 2 * Self.byteCount else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.byteCount)
        for pair in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = Self.nibble(utf8[pair]), let low = Self.nibble(utf8[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self = bytes.withUnsafeBytes { MerkleHash(exactly: $0) }
    }

    /// `buffer` must hold exactly 32 bytes.
    private init(exactly buffer: UnsafeRawBufferPointer) {
        w0 = buffer.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        w1 = buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        w2 = buffer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        w3 = buffer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

    private init(_ digest: SHA256.Digest) {
        self = digest.withUnsafeBytes { MerkleHash(exactly: $0) }
    }

    /// Calls `body` with the 32 bytes of the hash.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &buffer) { raw in
            raw.storeBytes(of: w0, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: w1, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: w2, toByteOffset: 16, as: UInt64.self)
            raw.storeBytes(of: w3, toByteOffset: 24, as: UInt64.self)
        }
        return try Swift.withUnsafeBytes(of: &buffer) { (raw) throws(Failure) -> Result in try body(raw) }
    }

    /// The 32 bytes of the hash.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// The hash as 64 lowercase hexadecimal digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(2 * Self.byteCount)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

// MARK: - RFC 9162 §2.1.1 hashing

extension MerkleHash {
    /// The hash of the empty tree, `SHA-256("")`.
    public static let emptyTree = MerkleHash(SHA256().finalize())

    /// The hash of a leaf: `SHA-256(0x00 || data)`.
    public static func leafHash<Bytes: Sequence<UInt8>>(of data: Bytes) -> MerkleHash {
        var sha = SHA256()
        sha.update(data: [UInt8(0x00)])
        let wasContiguous: Void? = data.withContiguousStorageIfAvailable { buffer in
            sha.update(bufferPointer: UnsafeRawBufferPointer(buffer))
        }
        if wasContiguous == nil {
            sha.update(data: Array(data))
        }
        return MerkleHash(sha.finalize())
    }

    /// The hash of an interior node: `SHA-256(0x01 || left || right)`.
    public static func nodeHash(left: MerkleHash, right: MerkleHash) -> MerkleHash {
        var sha = SHA256()
        sha.update(data: [UInt8(0x01)])
        left.withUnsafeBytes { sha.update(bufferPointer: $0) }
        right.withUnsafeBytes { sha.update(bufferPointer: $0) }
        return MerkleHash(sha.finalize())
    }
}

extension MerkleHash: CustomStringConvertible {
    public var description: String { hex }
}
