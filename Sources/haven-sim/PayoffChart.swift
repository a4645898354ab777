import Foundation
import HavenMarket

/// A hand-written SVG bar chart: one horizontal bar per strategy at its mean payoff per
/// period, a whisker from the lowest to the highest single-seed value, providers above
/// consumers, honest strategies in green and the others in red.
struct PayoffChart {
    let summaries: [PayoffSummary]
    let runs: Int
    let parameters: MarketParameters
    let periods: Int

    private let width = 960.0
    private let labelWidth = 250.0
    private let rightMargin = 40.0
    private let top = 92.0
    private let rowHeight = 34.0
    private let groupGap = 36.0

    func render() -> String {
        let groups = StrategyPayoff.Role.allCases.map { role in (role, summaries.filter { $0.role == role }) }
        let rows = Double(summaries.count)
        let plotHeight = rows * rowHeight + Double(groups.count) * groupGap
        let height = top + plotHeight + 70

        let low = min(0, summaries.map(\.minimum).min() ?? 0)
        let high = max(0, summaries.map(\.maximum).max() ?? 0)
        let ticks = Self.ticks(from: low, to: high)
        let domainLow = ticks.first ?? low
        let domainHigh = ticks.last ?? high
        let plotLeft = labelWidth
        let plotRight = width - rightMargin
        func x(_ value: Double) -> Double {
            plotLeft + (value - domainLow) / (domainHigh - domainLow) * (plotRight - plotLeft)
        }

        var svg: [String] = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(f(width))" height="\#(f(height))" "#
                + #"viewBox="0 0 \#(f(width)) \#(f(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            text(x: 20, y: 30, "Datamall: payoff per participant per period by strategy", size: 18, weight: "bold"),
            text(
                x: 20, y: 52,
                "Bars: mean over \(runs) seeds (\(periods) periods each); whiskers: lowest–highest seed. Micro-credits.",
                size: 12, fill: "#444"
            ),
            text(
                x: 20, y: 70,
                "Collateral \(parameters.collateralPerMille)‰ of term value, \(parameters.challengesPerPeriod) challenges/period, "
                    + "hold-back \(parameters.holdBackPerMille)‰, dispute bond \(parameters.disputeBondPerMille)‰, "
                    + "term \(parameters.minimumTermPeriods) periods.",
                size: 12, fill: "#444"
            ),
        ]

        for tick in ticks {
            let tx = x(tick)
            svg.append(line(x1: tx, y1: top, x2: tx, y2: top + plotHeight, stroke: "#e3e3e3"))
            svg.append(text(x: tx, y: top + plotHeight + 18, Self.label(tick), size: 11, fill: "#444", anchor: "middle"))
        }
        svg.append(line(x1: x(0), y1: top, x2: x(0), y2: top + plotHeight, stroke: "#222", width: 1.5))
        svg.append(
            text(
                x: (plotLeft + plotRight) / 2, y: top + plotHeight + 42,
                "payoff per participant per period (micro-credits)", size: 12, anchor: "middle"
            )
        )

        var y = top
        for (role, members) in groups {
            y += groupGap
            svg.append(text(x: 20, y: y - 10, role == .provider ? "Providers" : "Consumers", size: 14, weight: "bold"))
            for summary in members {
                let barTop = y + 6
                let barHeight = rowHeight - 12
                let middle = y + rowHeight / 2
                let from = x(min(0, summary.mean))
                let to = x(max(0, summary.mean))
                let honest = summary.strategy == "honest"
                svg.append(text(x: labelWidth - 12, y: middle + 4, summary.strategy, anchor: "end"))
                svg.append(
                    #"<rect x="\#(f(from))" y="\#(f(barTop))" width="\#(f(max(to - from, 0.5)))" "#
                        + #"height="\#(f(barHeight))" fill="\#(honest ? "#4c9a5b" : "#c8553d")" fill-opacity="0.85"/>"#
                )
                let lowX = x(summary.minimum)
                let highX = x(summary.maximum)
                svg.append(line(x1: lowX, y1: middle, x2: highX, y2: middle, stroke: "#222", width: 1.2))
                svg.append(line(x1: lowX, y1: middle - 6, x2: lowX, y2: middle + 6, stroke: "#222", width: 1.2))
                svg.append(line(x1: highX, y1: middle - 6, x2: highX, y2: middle + 6, stroke: "#222", width: 1.2))
                let labelX = summary.mean >= 0 ? max(highX, to) + 6 : min(lowX, from) - 6
                svg.append(
                    text(
                        x: labelX, y: middle - 8, Self.label(summary.mean), size: 11, fill: "#222",
                        anchor: summary.mean >= 0 ? "start" : "end"
                    )
                )
                y += rowHeight
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// Round tick values covering `low...high`, steps of 1, 2 or 5 times a power of ten.
    static func ticks(from low: Double, to high: Double) -> [Double] {
        let span = max(high - low, 1)
        let rough = span / 6
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        let first = floor(low / step) * step
        let last = ceil(high / step) * step
        return stride(from: first, through: last + step / 2, by: step).map { $0 }
    }

    static func label(_ value: Double) -> String {
        abs(value) >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1) -> String {
        #"<line x1="\#(f(x1))" y1="\#(f(y1))" x2="\#(f(x2))" y2="\#(f(y2))" stroke="\#(stroke)" stroke-width="\#(f(width))"/>"#
    }

    private func text(
        x: Double, y: Double, _ content: String, size: Int = 13, fill: String = "#111", weight: String = "normal",
        anchor: String = "start"
    ) -> String {
        #"<text x="\#(f(x))" y="\#(f(y))" font-size="\#(size)" fill="\#(fill)" font-weight="\#(weight)" "#
            + #"text-anchor="\#(anchor)">\#(Self.escaped(content))</text>"#
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "'", with: "&apos;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
