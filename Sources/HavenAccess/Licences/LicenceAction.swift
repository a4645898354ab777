/// What a licence rule lets (or forbids) a party do with content: the ODRL 2.2 actions Haven
/// enforces, plus AI use from Haven's profile.
///
/// The hierarchy is ODRL's `includedIn` (ODRL 2.2 Vocabulary): `read`, `reproduce`,
/// `distribute`, `derive` and `aggregate` are each `includedIn use`, and none is included in
/// another. `use` is the most general action for non-third-party usage; ODRL's other top
/// action, `transfer` (selling or giving ownership), is not in the subset — ownership moves
/// through ledger records, not licences.
///
/// ODRL has no action for AI use, so Haven's profile defines `haven:ai`
/// (`https://haven.example/ns#ai`): the content may be used by an AI model — retrieved into
/// an agent's context or used to answer, tune or train for the assignee. It is declared
/// `includedIn use`, as ODRL expects of every profile action: a permission to `use` therefore
/// covers AI use, and a prohibition of `use` forbids it. A licensor who permits `use` but not
/// AI adds a prohibition of `haven:ai`.
public enum LicenceAction: String, Sendable, CaseIterable, CustomStringConvertible {
    case use
    case read
    case reproduce
    case distribute
    case derive
    case aggregate
    case ai = "haven:ai"

    /// The namespace of Haven's ODRL profile terms.
    public static let havenNamespace = "https://haven.example/ns#"
    /// The ODRL namespace.
    public static let odrlNamespace = "http://www.w3.org/ns/odrl/2/"

    /// Accepts the compact name (`read`, `haven:ai`) or the full IRI.
    public init(_ term: String) throws(PolicyError) {
        try self.init(parsing: term, at: .root)
    }

    init(parsing term: String, at path: JSONPath) throws(PolicyError) {
        if let action = LicenceAction(rawValue: term) {
            self = action
        } else if let action = LicenceAction.allCases.first(where: { $0.iri == term }) {
            self = action
        } else {
            throw .unsupportedTerm(term, path: path.description, supported: LicenceAction.allCases.map(\.rawValue))
        }
    }

    /// The compact name used in policies: `read`, `haven:ai`.
    public var term: String { rawValue }

    /// The full IRI: `http://www.w3.org/ns/odrl/2/read`, `https://haven.example/ns#ai`.
    public var iri: String {
        self == .ai ? Self.havenNamespace + "ai" : Self.odrlNamespace + rawValue
    }

    /// The action this one is directly `includedIn`, or `nil` for `use`.
    public var includedIn: LicenceAction? {
        self == .use ? nil : .use
    }

    /// Whether doing `self` is doing (a kind of) `other`: `read.isIncluded(in: .use)`.
    public func isIncluded(in other: LicenceAction) -> Bool {
        var current: LicenceAction? = self
        while let action = current {
            if action == other { return true }
            current = action.includedIn
        }
        return false
    }

    public var description: String { rawValue }
}
