import Foundation

/// Limits how many messages each unknown sender may leave: a token bucket per sender
/// (`burst` at once, refilled at `perHour`), bounded in how many senders it tracks.
public actor SenderRateLimiter {
    let burst: Double
    let perSecond: Double
    let capacity: Int
    private var buckets: [String: (tokens: Double, updated: Date)] = [:]

    public init(burst: Int = 5, perHour: Int = 20, capacity: Int = 10_000) {
        self.burst = Double(burst)
        self.perSecond = Double(perHour) / 3600
        self.capacity = capacity
    }

    /// Takes one token for `sender`; returns nil if allowed, or the seconds to wait.
    public func admit(_ sender: String, at now: Date = Date()) -> Int? {
        var bucket = buckets[sender] ?? (burst, now)
        bucket.tokens = min(burst, bucket.tokens + now.timeIntervalSince(bucket.updated) * perSecond)
        bucket.updated = now
        guard bucket.tokens >= 1 else {
            buckets[sender] = bucket
            return Int(((1 - bucket.tokens) / perSecond).rounded(.up))
        }
        bucket.tokens -= 1
        if buckets[sender] == nil, buckets.count >= capacity {
            // Forget the fullest buckets first: they are the senders least likely to be limited.
            if let full = buckets.first(where: { $0.value.tokens >= burst - 1 })?.key { buckets[full] = nil } else { return 60 }
        }
        buckets[sender] = bucket
        return nil
    }
}
