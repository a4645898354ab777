import Foundation
import HavenMarket

/// The human-readable summary `haven-sim` prints: the parameters in force, then one row per
/// strategy with its mean, lowest and highest payoff per period.
enum PayoffTable {
    static func render(
        parameters: MarketParameters, economics: MarketEconomics, summaries: [PayoffSummary], runs: Int
    ) -> String {
        var lines = [
            "price \(economics.pricePerGiBPerPeriod) µcr/GiB/period, cost \(economics.storageCostPerGiBPerPeriod), "
                + "value \(economics.valuePerGiBPerPeriod)",
            "period \(parameters.periodSeconds) s, term \(parameters.minimumTermPeriods) periods, "
                + "collateral \(parameters.collateralPerMille)‰, challenges \(parameters.challengesPerPeriod)/period, "
                + "hold-back \(parameters.holdBackPerMille)‰, dispute bond \(parameters.disputeBondPerMille)‰",
            "payoff per participant per period, µcr, over \(runs) seed(s):",
            pad("role", 10) + pad("strategy", 26) + padLeft("mean", 12) + padLeft("min", 12) + padLeft("max", 12),
        ]
        for summary in summaries {
            lines.append(
                pad(summary.role.rawValue, 10) + pad(summary.strategy, 26)
                    + padLeft(format(summary.mean), 12) + padLeft(format(summary.minimum), 12)
                    + padLeft(format(summary.maximum), 12)
            )
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
