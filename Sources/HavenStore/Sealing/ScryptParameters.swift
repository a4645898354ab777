/// The cost of scrypt, the memory-hard function that turns a passphrase into the key that
/// unwraps a home's data key: N = 2^`log2n` rounds, block size `r`, parallelism `p`. It needs
/// 128·N·r·p bytes of memory (128 MiB for the default).
public struct ScryptParameters: Sendable, Equatable, Codable {
    public let log2n: Int
    public let r: Int
    public let p: Int

    /// N = 2^17, r = 8, p = 1: 128 MiB and a fraction of a second on a current CPU, which makes
    /// every guess at a stolen keyring as costly.
    public static let standard = ScryptParameters(log2n: 17, r: 8, p: 1)

    /// The range a keyring may ask for: low enough for tests (2^10), high enough for a careful
    /// owner (2^22), bounded so a damaged file cannot ask for unbounded memory.
    public static let allowedLog2N = 10...22

    public init(log2n: Int, r: Int, p: Int) {
        self.log2n = log2n
        self.r = r
        self.p = p
    }

    /// Bytes of memory scrypt needs with these parameters.
    public var memory: Int { (128 << log2n) * r * p }

    /// Why these parameters cannot be used, or `nil` when they can.
    public var problem: String? {
        if !Self.allowedLog2N.contains(log2n) {
            return "scrypt's log2n must be from \(Self.allowedLog2N.lowerBound) to \(Self.allowedLog2N.upperBound), not \(log2n)"
        }
        if !(1...32).contains(r) { return "scrypt's r must be from 1 to 32, not \(r)" }
        if !(1...16).contains(p) { return "scrypt's p must be from 1 to 16, not \(p)" }
        if memory > 2 << 30 { return "scrypt with log2n \(log2n), r \(r), p \(p) would need more than 2 GiB of memory" }
        return nil
    }
}
