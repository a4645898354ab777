import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HavenHome {
    /// Replaces `haven.toml` atomically: the new text is written beside it (with its mode),
    /// synced, renamed over it, and the directory synced.
    public func replaceConfigurationFile(with text: String) throws(HomeError) {
        var info = stat()
        let mode = stat(configurationFile, &info) == 0 ? mode_t(info.st_mode & 0o777) : 0o600
        let temporary = configurationFile + ".new"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw .unreadable(path: temporary, reason: String(cString: strerror(errno))) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                close(descriptor)
                throw .unreadable(path: temporary, reason: String(cString: strerror(errno)))
            }
            written += result
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, configurationFile) == 0 else {
            unlink(temporary)
            throw .unreadable(path: configurationFile, reason: String(cString: strerror(errno)))
        }
        let directory = open(path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
