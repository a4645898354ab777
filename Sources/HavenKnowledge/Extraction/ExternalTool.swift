import Foundation

/// A command-line program the extractor runs: the document's bytes on its stdin, its text from
/// its stdout. The run is stopped when it outlasts its time limit or the calling task is cancelled,
/// and a tool that is not installed is reported as such rather than as a failure.
struct ExternalTool: Sendable {
    /// The tool's name as shown in errors (`pdftotext`).
    let name: String
    /// A path, or a name looked up on `PATH`.
    let executable: String
    /// What to do when the tool is missing (`install poppler-utils`).
    let installHint: String

    func run(arguments: [String], input: [UInt8], timeout: Duration) async throws(ExtractionError) -> [UInt8] {
        guard let executableURL = resolvedExecutable() else { throw .toolMissing(name, hint: installHint) }
        let process = Process()
        process.executableURL = executableURL
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        // Launched from a thread with no signals blocked: the child inherits its launcher's mask,
        // and a cooperative-pool thread blocks SIGTERM, which would make the tool unstoppable.
        let launchFailure = await Self.onThread { () -> String? in
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            do {
                try process.run()
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let launchFailure {
            throw .toolFailed(name, status: -1, message: "it could not be started: \(launchFailure)")
        }

        let run = await withTaskCancellationHandler {
            await Self.supervise(process, input: input, stdin: stdin, stdout: stdout, stderr: stderr, timeout: timeout)
        } onCancel: {
            if process.isRunning { process.terminate() }
        }

        if Task.isCancelled { throw .cancelled }
        if run.timedOut { throw .timedOut(name) }
        let message = String(decoding: run.errors, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "\n").prefix(5).joined(separator: "; ")
        if process.terminationReason == .uncaughtSignal {
            throw .toolFailed(name, status: process.terminationStatus,
                              message: "stopped by signal \(process.terminationStatus)" + (message.isEmpty ? "" : "; \(message)"))
        }
        guard process.terminationStatus == 0 else {
            throw .toolFailed(name, status: process.terminationStatus, message: message)
        }
        return run.output
    }

    /// Feeds stdin, drains stdout and stderr and waits for the exit, each on a thread of its own
    /// so that blocking pipe I/O never holds a thread of the cooperative pool.
    private static func supervise(
        _ process: Process, input: [UInt8], stdin: Pipe, stdout: Pipe, stderr: Pipe, timeout: Duration
    ) async -> (output: [UInt8], errors: [UInt8], timedOut: Bool) {
        async let fed: Void = onThread { feed(input, to: stdin.fileHandleForWriting) }
        async let output = onThread { [UInt8](stdout.fileHandleForReading.readDataToEndOfFile()) }
        async let errors = onThread { [UInt8](stderr.fileHandleForReading.readDataToEndOfFile()) }
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return false }
                if process.isRunning { process.terminate() }
                return true
            }
            await onThread { process.waitUntilExit() }
            group.cancelAll()
            return await group.next() ?? false
        }
        await fed
        return await (output, errors, timedOut)
    }

    /// Writes all of `input` and closes the pipe. A tool that exits without reading everything
    /// makes the write fail with EPIPE; SIGPIPE is blocked on this thread (and a pending one
    /// consumed) so that it cannot end the server.
    private static func feed(_ input: [UInt8], to handle: FileHandle) {
        let descriptor = handle.fileDescriptor
        #if canImport(Darwin)
        _ = fcntl(descriptor, F_SETNOSIGPIPE, 1)
        #else
        var brokenPipe = sigset_t()
        sigemptyset(&brokenPipe)
        sigaddset(&brokenPipe, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &brokenPipe, nil)
        defer {
            var now = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&brokenPipe, nil, &now)
        }
        #endif
        input.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    break
                }
                offset += written
            }
        }
        try? handle.close()
    }

    /// Runs blocking work on a new thread and resumes with its result.
    private static func onThread<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    private func resolvedExecutable() -> URL? {
        let candidates: [String]
        if executable.contains("/") {
            candidates = [executable]
        } else {
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            candidates = path.split(separator: ":").map { "\($0)/\(executable)" }
        }
        let files = FileManager.default
        return candidates.first { candidate in
            var isDirectory: ObjCBool = false
            return files.fileExists(atPath: candidate, isDirectory: &isDirectory) && !isDirectory.boolValue
                && files.isExecutableFile(atPath: candidate)
        }.map { URL(fileURLWithPath: $0) }
    }
}
