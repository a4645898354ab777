import Foundation
import HavenMarket

/// The per-seed results as CSV, one row per strategy per seed, payoffs in micro-credits per
/// participant per period.
enum PayoffCSV {
    static let header = "role,strategy,seed,payoff_per_period_micro_credits"

    static func render(_ reports: [SimulationReport]) -> String {
        var lines = [header]
        for report in reports {
            for payoff in report.providers + report.consumers {
                lines.append(
                    "\(payoff.role.rawValue),\(quoted(payoff.strategy)),\(report.seed),"
                        + String(format: "%.3f", payoff.payoffPerPeriod)
                )
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a field that holds a comma or a quote, as RFC 4180 says.
    private static func quoted(_ field: String) -> String {
        guard field.contains(",") || field.contains("\"") else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
