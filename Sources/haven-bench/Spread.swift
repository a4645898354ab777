/// The minimum, median and maximum of repeated measurements.
struct Spread {
    let min: Double
    let median: Double
    let max: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        min = sorted.first ?? .nan
        median = sorted.isEmpty ? .nan : sorted[sorted.count / 2]
        max = sorted.last ?? .nan
    }

    /// "median (min–max)" with each value formatted by `format`.
    func format(_ format: String) -> String {
        String(format: format, median) + " (" + String(format: format, min) + "-" + String(format: format, max) + ")"
    }
}
