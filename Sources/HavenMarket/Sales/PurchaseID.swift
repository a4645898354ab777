/// The name a buyer gives one purchase: 32 lower-case hex digits (128 random bits). The seller
/// keys the sale by it, so presenting the same order again is the same purchase, never a
/// second charge.
public struct PurchaseID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let value: String

    /// Parses an id; `nil` unless it is exactly 32 lower-case hex digits.
    public init?(_ text: String) {
        guard text.utf8.count == 32, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            return nil
        }
        value = text
    }

    /// A fresh random id.
    public static func random() -> PurchaseID {
        var generator = SystemRandomNumberGenerator()
        let text = (0..<16).map { _ in
            let byte = generator.next() as UInt8
            return String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
        return PurchaseID(text)!
    }

    public var description: String { value }

    public static func < (lhs: PurchaseID, rhs: PurchaseID) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = PurchaseID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a purchase id is 32 hex digits"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
