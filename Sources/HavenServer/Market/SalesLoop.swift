import Foundation
import ServiceLifecycle

/// Both sides' unfinished data sales, every `interval` until the server shuts down: pending
/// purchases are paid and delivered (retrying what failed), and sales and purchases past their
/// delivery deadline are settled — refunded when nothing was delivered
/// (``DataSales/settleOverdue(now:)``). Apart from the challenge loop, so a seller that does
/// not answer never delays a storage challenge.
struct SalesLoop: Service {
    let sales: DataSales
    var interval: Duration = .seconds(2)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sales.settleOverdue(now: Date())
                try await Task.sleep(for: interval)
            }
        }
    }
}
