/// An identifier whose JSON form is its string form (`did:key:…`, `app:NAME`, a CID): encoding
/// writes `description`, decoding goes through the same parser as any other input.
public protocol StringCodable: Codable, CustomStringConvertible {
    associatedtype ParseError: Error, CustomStringConvertible
    init(parsing string: String) throws(ParseError)
}

extension StringCodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(parsing: string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
