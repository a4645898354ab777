import Foundation

/// A one-line progress bar on standard error, shown only when standard error is a terminal
/// and the transfer is large enough to be worth watching.
final class ProgressMeter: @unchecked Sendable {
    /// What is counted: bytes (shown as KiB, MiB…) or items.
    enum Unit { case bytes, items }

    private let lock = NSLock()
    private let unit: Unit
    private var total: Int64?
    private let label: String
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var shown = false
    private let enabled: Bool

    /// Transfers below this size get no bar.
    static let threshold: Int64 = 8 << 20

    init(total: Int64?, label: String, unit: Unit = .bytes) {
        self.total = total
        self.label = label
        self.unit = unit
        self.enabled = isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int64, total newTotal: Int64? = nil) {
        lock.withLock {
            if let newTotal { total = newTotal }
            guard enabled, unit == .items || (total ?? done) >= Self.threshold else { return }
            let now = ContinuousClock.now
            guard now - lastDraw > .milliseconds(100) || done == total else { return }
            lastDraw = now
            shown = true
            let elapsed = max(1e-3, Double((now - start).components.attoseconds) / 1e18 + Double((now - start).components.seconds))
            let rate = Double(done) / elapsed
            var line = "\r\(label) \(show(Double(done)))"
            if let total, total > 0 {
                let fraction = min(1, Double(done) / Double(total))
                let filled = Int(fraction * 30)
                line += " / \(show(Double(total))) [" + String(repeating: "#", count: filled)
                    + String(repeating: " ", count: 30 - filled) + "] \(Int(fraction * 100))%"
            }
            line += "  \(show(rate))/s "
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func finish() {
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }

    private func show(_ value: Double) -> String {
        unit == .bytes ? Self.format(value) : String(Int(value))
    }

    static func format(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f %@", value, units[unit])
    }
}
