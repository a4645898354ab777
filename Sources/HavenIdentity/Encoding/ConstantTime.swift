/// Comparison whose running time depends only on the lengths of its inputs, never on where
/// they differ: used wherever a secret (an API token's hash) is checked.
public enum ConstantTime {
    /// Returns whether `lhs` and `rhs` hold the same bytes, examining every byte.
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) {
            difference |= left ^ right
        }
        return difference == 0
    }
}
