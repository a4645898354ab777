import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock on a home (`flock` on `haven.lock`): `haven serve` holds it shared while it
/// runs, and what must have the home to itself (`haven encrypt`) holds it exclusively. The
/// kernel releases it when the process ends, however it ends, so no stale lock is left behind.
///
/// A class only to close the descriptor when the last reference goes.
public final class HomeLock: Sendable {
    private let descriptor: Int32

    /// How the home is held.
    public enum Mode: Sendable {
        /// Others may hold it shared too (more than one server on a home is allowed, as before).
        case shared
        /// No one else may hold it at all.
        case exclusive
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock of `home` without waiting.
    ///
    /// - Throws: ``HomeError/inUse(path:)`` when a server holds it and `mode` is exclusive,
    ///   ``HomeError/beingEncrypted(path:)`` when `haven encrypt` holds it.
    public static func acquire(_ home: HavenHome, _ mode: Mode) throws(HomeError) -> HomeLock {
        let descriptor = open(home.lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .unreadable(path: home.lockFile, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, (mode == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw mode == .exclusive ? .inUse(path: home.path) : .beingEncrypted(path: home.path) }
            throw .unreadable(path: home.lockFile, reason: String(cString: strerror(code)))
        }
        return HomeLock(descriptor: descriptor)
    }

    deinit {
        close(descriptor)
    }
}
