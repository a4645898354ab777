/// The ODRL 2.2 operators of the subset. Which ones a left operand accepts is listed in
/// ``LicenceConstraint``; any other pairing is refused when the licence is created.
public enum ConstraintOperator: String, Sendable, CaseIterable, CustomStringConvertible {
    case eq
    case neq
    case lt
    case lteq
    case gt
    case gteq
    case isA
    case isAnyOf
    case isNoneOf
    case isPartOf

    init(parsing term: String, at path: JSONPath, allowed: [ConstraintOperator]) throws(PolicyError) {
        let name = term.hasPrefix(LicenceAction.odrlNamespace) ? String(term.dropFirst(LicenceAction.odrlNamespace.count)) : term
        guard let op = ConstraintOperator(rawValue: name), allowed.contains(op) else {
            throw .unsupportedTerm(term, path: path.description, supported: allowed.map(\.rawValue))
        }
        self = op
    }

    /// Whether the right operand is a list (`isAnyOf`, `isNoneOf`, `isPartOf`) rather than one value.
    var takesList: Bool {
        self == .isAnyOf || self == .isNoneOf || self == .isPartOf
    }

    public var description: String { rawValue }
}
