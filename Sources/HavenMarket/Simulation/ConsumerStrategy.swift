/// How a simulated consumer uses disputes.
public enum ConsumerStrategy: Sendable, Hashable {
    /// Relies on the regular challenges and never disputes a period that passed them.
    case honest
    /// Disputes every period that passed its challenges, hoping the provider misses the
    /// dispute's answer; loses the bond to the provider each time it answers.
    case falseDisputer

    /// The strategies the documentation's figures compare, honest first.
    public static let standardSet: [ConsumerStrategy] = [.honest, .falseDisputer]

    /// What the strategy is called in tables and files.
    public var name: String {
        switch self {
        case .honest: "honest"
        case .falseDisputer: "false disputer"
        }
    }
}
