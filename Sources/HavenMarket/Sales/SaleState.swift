/// Where a sale or purchase stands. Both sides keep the same states.
public enum SaleState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Paid and licensed; the content is not yet delivered and verified.
    case pending
    /// The buyer holds the content and checked it against the listing's content id (or, for
    /// compute-to-data, holds the licence to ask).
    case delivered
    /// Not delivered by the deadline: the price went back to the buyer and the licence ended.
    case refunded
}
