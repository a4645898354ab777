/// Why market parameters, a derivation or a settlement were refused: an input outside its
/// domain, or an amount that does not fit in 64 bits.
public enum MarketParametersError: Error, Equatable, Sendable {
    /// An input is outside what the market accepts; the text names it.
    case invalid(String)
    /// An amount does not fit in an `Int64` of micro-credits; the text names it.
    case arithmeticOverflow(String)
}

extension MarketParametersError: CustomStringConvertible {
    /// One line a person can act on.
    public var description: String {
        switch self {
        case .invalid(let reason): reason
        case .arithmeticOverflow(let what): "\(what) does not fit in 64 bits of micro-credits"
        }
    }
}

extension MarketParametersError {
    /// The same failure, from the contract arithmetic the parameters share.
    init(_ error: ContractError) {
        if case .arithmeticOverflow(let what) = error {
            self = .arithmeticOverflow(what)
        } else {
            self = .invalid(error.description)
        }
    }
}
