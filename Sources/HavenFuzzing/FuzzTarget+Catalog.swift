extension FuzzTarget {
    /// Every target, one per parser of untrusted bytes (or per family of formats that share
    /// a syntax), in the order `make fuzz` runs them.
    public static let all: [FuzzTarget] = [
        .jws, .apiToken, .did, .capabilityToken,
        .dataPath, .contentID, .manifest,
        .car, .httpSignature,
        .licence,
        .extractEmail, .extractHTML, .extractJSON, .extractMarkdown, .extractImage,
        .ledgerNotes, .ledgerRecord,
        .market,
        .gguf, .jsonSchema, .toolCalls,
    ]

    /// The target called `name`, or `nil`.
    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
