/// A condition on a licence rule: one of the four left operands of the subset, or a logical
/// `and`/`or` of constraints (nested at most ``LicencePolicy/maximumLogicalNesting`` deep).
/// A rule's constraint list must hold as a whole (an implicit `and`).
///
/// | left operand | operators | right operand |
/// |---|---|---|
/// | `dateTime` | `eq` `neq` `lt` `lteq` `gt` `gteq` | one `xsd:dateTime` with a time zone |
/// | `purpose` | `eq` `isA` `neq` (one value), `isAnyOf` `isNoneOf` (a list) | DPV purposes |
/// | `count` | `lteq` `lt` | a non-negative integer: uses of the permission, this one included |
/// | `recipient` | `eq` `neq` (one value), `isAnyOf` `isNoneOf` `isPartOf` (a list) | DIDs |
///
/// Purposes follow the DPV hierarchy: `eq`, `isA` and `isAnyOf` hold for a stated purpose that
/// is the named purpose or narrower (`dpv:AcademicResearch` satisfies `eq` and `isA`
/// `dpv:ResearchAndDevelopment`); `neq` and `isNoneOf` are their exact negations. `count` is
/// allowed only directly in a permission's constraint list, where the permission's use counter
/// is meaningful.
public indirect enum LicenceConstraint: Sendable, Equatable {
    case dateTime(ConstraintOperator, PolicyTime)
    case purpose(ConstraintOperator, [DPVPurpose])
    case count(ConstraintOperator, Int)
    case recipient(ConstraintOperator, [LicenceParty])
    case and([LicenceConstraint])
    case or([LicenceConstraint])

    public static let dateTimeOperators: [ConstraintOperator] = [.eq, .neq, .lt, .lteq, .gt, .gteq]
    public static let purposeOperators: [ConstraintOperator] = [.eq, .neq, .isA, .isAnyOf, .isNoneOf]
    public static let countOperators: [ConstraintOperator] = [.lteq, .lt]
    public static let recipientOperators: [ConstraintOperator] = [.eq, .neq, .isAnyOf, .isNoneOf, .isPartOf]

    /// The supported left operands, as written in policies.
    public static let leftOperands = ["dateTime", "purpose", "count", "recipient"]

    /// Whether a `count` constraint sits directly in this list: the permission's uses are counted.
    static func counts(_ constraints: [LicenceConstraint]) -> Bool {
        constraints.contains { if case .count = $0 { true } else { false } }
    }

    /// Checks what the enum's shape cannot: operator per left operand, one value or a list, and
    /// where `count` may stand. `countAllowed` is true only for a permission's own list.
    func validate(at path: JSONPath, countAllowed: Bool, nesting: Int) throws(PolicyError) {
        switch self {
        case .dateTime(let op, let time):
            try Self.check(op, Self.dateTimeOperators, at: path)
            guard time >= PolicyTime.earliest, time <= PolicyTime.latest else {
                throw .invalidValue(path: path.appending("rightOperand").description, reason: "a date-time lies in the years 0001 to 9999")
            }
        case .purpose(let op, let values):
            try Self.check(op, Self.purposeOperators, at: path)
            try Self.checkCardinality(op, values.count, at: path)
        case .count(let op, let limit):
            guard countAllowed else {
                throw .unsupportedTerm("count", path: path.appending("leftOperand").description,
                                       supported: ["count directly in a permission's constraint list"])
            }
            try Self.check(op, Self.countOperators, at: path)
            guard limit >= 0 else {
                throw .invalidValue(path: path.appending("rightOperand").description, reason: "a count limit is a non-negative integer")
            }
        case .recipient(let op, let values):
            try Self.check(op, Self.recipientOperators, at: path)
            try Self.checkCardinality(op, values.count, at: path)
        case .and(let parts), .or(let parts):
            let name = if case .and = self { "and" } else { "or" }
            guard nesting < LicencePolicy.maximumLogicalNesting else {
                throw .tooDeep(path: path.description, limit: LicencePolicy.maximumLogicalNesting)
            }
            guard !parts.isEmpty else {
                throw .invalidValue(path: path.appending(name).description, reason: "a logical constraint needs at least one constraint")
            }
            for (index, part) in parts.enumerated() {
                try part.validate(at: path.appending(name).appending(index), countAllowed: false, nesting: nesting + 1)
            }
        }
    }

    private static func check(_ op: ConstraintOperator, _ allowed: [ConstraintOperator], at path: JSONPath) throws(PolicyError) {
        guard allowed.contains(op) else {
            throw .unsupportedTerm(op.rawValue, path: path.appending("operator").description, supported: allowed.map(\.rawValue))
        }
    }

    private static func checkCardinality(_ op: ConstraintOperator, _ count: Int, at path: JSONPath) throws(PolicyError) {
        if op.takesList {
            guard count >= 1 else {
                throw .invalidValue(path: path.appending("rightOperand").description, reason: "\(op) needs a list of at least one value")
            }
        } else {
            guard count == 1 else {
                throw .invalidValue(path: path.appending("rightOperand").description, reason: "\(op) compares with exactly one value")
            }
        }
    }
}
