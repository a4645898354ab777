import RawStructuredFieldValues

/// The metadata of one signature (RFC 9421 §2.3): the ordered covered components and the
/// parameters `created`, `expires`, `nonce`, `alg`, `keyid` and `tag`.
///
/// It serializes as the parameterized inner list that is both the `@signature-params` line of the
/// signature base and the member value in `Signature-Input`. Parameters are written in the order
/// they were parsed in (a signer may choose any order, and the base must reproduce it), then any
/// others in the order of RFC 9421 §2.3.
public struct SignatureParameters: Sendable, Equatable {
    /// A signature parameter this layer understands.
    public enum Name: String, Sendable, CaseIterable {
        case created, expires, nonce, alg, keyid, tag
    }

    /// The covered components, in signing order.
    public var components: [MessageComponent]
    /// Creation time, Unix seconds.
    public var created: Int64?
    /// Expiry time, Unix seconds.
    public var expires: Int64?
    /// A value unique to this signature, against replay.
    public var nonce: String?
    /// The algorithm, from the HTTP Signature Algorithms registry (`ed25519`).
    public var alg: String?
    /// The key identifier (for Haven, the signer's `did:key`).
    public var keyid: String?
    /// An application tag (for Haven, `haven`).
    public var tag: String?
    /// The order the parameters were parsed in; parameters not listed follow in RFC order.
    public var order: [Name]

    /// Makes parameters; those given are serialized in RFC 9421 §2.3 order.
    public init(
        components: [MessageComponent], created: Int64? = nil, expires: Int64? = nil, nonce: String? = nil,
        alg: String? = nil, keyid: String? = nil, tag: String? = nil
    ) {
        self.components = components
        self.created = created
        self.expires = expires
        self.nonce = nonce
        self.alg = alg
        self.keyid = keyid
        self.tag = tag
        self.order = []
    }

    /// The serialized inner list, e.g. `("@method" "@authority");created=1618884473;keyid="k"`.
    public func serialized() throws(SignatureError) -> String {
        var serializer = StructuredFieldValueSerializer()
        do {
            // A one-member list serializes exactly as its inner list.
            let bytes = try serializer.writeListFieldValue([.innerList(innerList)])
            return String(decoding: bytes, as: UTF8.self)
        } catch {
            throw .signingFailed(
                reason: "a signature parameter is not a valid structured-field string (printable ASCII)")
        }
    }

    /// The structured-field form.
    var innerList: InnerList {
        var items = BareInnerList()
        for component in components {
            items.append(Item.bare(.string(component.identifier)))
        }
        var parameters = OrderedMap<String, RFC9651BareItem>()
        for name in order + Name.allCases.filter({ !order.contains($0) }) {
            if let value = value(of: name) {
                parameters[name.rawValue] = value
            }
        }
        return InnerList(bareInnerList: items, parameters: parameters)
    }

    /// Reads the parameters of one `Signature-Input` member.
    init(innerList: InnerList) throws(SignatureError) {
        self.init(components: [])
        for item in innerList.bareInnerList {
            guard case .string(let identifier) = item.rfc9651BareItem else {
                throw .malformedField("Signature-Input", reason: "a covered component is not a quoted string")
            }
            guard item.rfc9651Parameters.isEmpty else {
                let names = item.rfc9651Parameters.map { ";\($0.0)" }.joined()
                throw .unsupportedComponent("\(identifier)\(names)")
            }
            let component = try MessageComponent(identifier: identifier)
            guard !components.contains(component) else {
                throw .malformedField("Signature-Input", reason: "the component '\(identifier)' is covered twice")
            }
            components.append(component)
        }
        for (key, value) in innerList.rfc9651Parameters {
            guard let name = Name(rawValue: key) else {
                throw .malformedField("Signature-Input", reason: "unknown signature parameter '\(key)'")
            }
            switch (name, value) {
            case (.created, .integer(let seconds)): created = seconds
            case (.expires, .integer(let seconds)): expires = seconds
            case (.nonce, .string(let string)): nonce = string
            case (.alg, .string(let string)): alg = string
            case (.keyid, .string(let string)): keyid = string
            case (.tag, .string(let string)): tag = string
            case (.created, _), (.expires, _):
                throw .malformedField("Signature-Input", reason: "'\(key)' must be an integer")
            default:
                throw .malformedField("Signature-Input", reason: "'\(key)' must be a quoted string")
            }
            order.append(name)
        }
    }

    private func value(of name: Name) -> RFC9651BareItem? {
        switch name {
        case .created: created.map { .integer($0) }
        case .expires: expires.map { .integer($0) }
        case .nonce: nonce.map { .string($0) }
        case .alg: alg.map { .string($0) }
        case .keyid: keyid.map { .string($0) }
        case .tag: tag.map { .string($0) }
        }
    }
}
