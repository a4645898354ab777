import RawStructuredFieldValues

extension Item {
    /// An item without parameters. (Spelt out because the library's deprecated pre-RFC 9651
    /// initializer makes the short form ambiguous.)
    static func bare(_ item: RFC9651BareItem) -> Item {
        Item(bareItem: item, parameters: OrderedMap<String, RFC9651BareItem>())
    }
}
