/// Something a party must do: a duty attached to a permission (owed when the permission is
/// exercised) or an obligation of the whole policy. Haven reports duties in the decision; it
/// does not perform or verify them here.
///
/// Duty actions are ODRL 2.2's `attribute`, `compensate`, `delete` and `inform`, without
/// refinements (an amount to pay, a party to inform): the subset refuses what it could not
/// state exactly. `assignee` and `target` are given only on obligations; a permission's duty
/// falls on the permission's assignee, for its target.
public struct LicenceDuty: Sendable, Equatable {
    /// The ODRL duty actions of the subset.
    public enum Action: String, Sendable, CaseIterable, CustomStringConvertible {
        case attribute
        case compensate
        case delete
        case inform

        init(parsing term: String, at path: JSONPath) throws(PolicyError) {
            let name = term.hasPrefix(LicenceAction.odrlNamespace) ? String(term.dropFirst(LicenceAction.odrlNamespace.count)) : term
            guard let action = Action(rawValue: name) else {
                throw .unsupportedTerm(term, path: path.description, supported: Action.allCases.map(\.rawValue))
            }
            self = action
        }

        public var description: String { rawValue }
    }

    public var uid: String?
    public var action: Action
    /// Obligations only: who must perform it (absent: every party the policy is about).
    public var assignee: LicenceParty?
    /// Obligations only: the content it concerns (absent: any).
    public var target: LicenceTarget?

    public init(uid: String? = nil, action: Action, assignee: LicenceParty? = nil, target: LicenceTarget? = nil) {
        self.uid = uid
        self.action = action
        self.assignee = assignee
        self.target = target
    }
}
