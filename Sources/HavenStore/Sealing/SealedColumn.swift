/// A catalog column that holds people's content (passage text, conversation messages, what
/// agents remember, the reasons in the audit log): kept as is in a plain home, sealed with
/// the home's data key in an encrypted one (``ColumnSealer``).
///
/// The name (`table.column`) is the seal's associated data, so a value copied into another
/// column does not open there. Each target declares the columns it owns.
public struct SealedColumn: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public var description: String { name }
}
