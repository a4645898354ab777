import Foundation

/// Durations written for people, as Ollama's `keep_alive` and `haven grant --expires` take them:
/// `30s`, `5m`, `12h`, `7d`, `2w`, a bare number of seconds, or a negative number for "forever".
public enum DurationText {
    public enum Value: Equatable, Sendable {
        case duration(Duration)
        case forever
    }

    public static func parse(_ text: String) -> Value? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) {
            return seconds < 0 ? .forever : .duration(.milliseconds(Int64(seconds * 1000)))
        }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        guard let unit = trimmed.last, let factor = units[unit], let value = Double(trimmed.dropLast()) else { return nil }
        return value < 0 ? .forever : .duration(.milliseconds(Int64(value * factor * 1000)))
    }
}
