/// Why a simulation could not run.
public enum SimulationError: Error, Equatable, Sendable {
    /// The configuration is inconsistent; the text says what to change.
    case invalidConfiguration(String)
    /// A contract's amounts or settlement failed (an input out of range or an overflow).
    case settlement(MarketParametersError)
}

extension SimulationError: CustomStringConvertible {
    /// One line a person can act on.
    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): reason
        case .settlement(let error): error.description
        }
    }
}
