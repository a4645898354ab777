import Foundation
import HavenFuzzing
import HavenInference
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `haven-fuzz --mutate`: every target (or those named) fed mutated seeds for a few seconds in
/// the normal build, with no sanitizer and no coverage feedback — the bounded fuzzing that
/// `make test`, and so CI, runs on every change. `make fuzz` is the thorough, coverage-guided
/// run under libFuzzer and ASan.
///
/// A broken invariant, a trap, a crash or an input that runs longer than `--timeout` is kept
/// in `Fuzz/Crashes/<target>/` and ends the command non-zero, naming the file and the seed that
/// finds it again.
enum MutateCommand {
    static let usage = """
        usage: haven-fuzz --mutate [--seconds N] [--runs N] [--seed N] [--timeout N] [--fuzz DIR] [TARGET...]
          Feeds each target (all by default) mutated inputs from Fuzz/Corpus/<target>/ and
          Fuzz/Regressions/<target>/ for N seconds (default 3) or N runs (default unbounded);
          findings go to Fuzz/Crashes/<target>/. --fuzz names the Fuzz folder (default ./Fuzz).
        """

    struct Options {
        var seconds = 3.0
        var runs = Int.max
        var seed = UInt64.random(in: .min ... .max)
        var timeout = 10.0
        var fuzzDirectory = "Fuzz"
        var targets: [FuzzTarget] = FuzzTarget.all
    }

    static func run(_ arguments: [String]) -> Int32 {
        let options: Options
        do {
            options = try parse(arguments)
        } catch {
            printError("haven-fuzz: \(error.message)\n\(usage)")
            return 2
        }
        CrashRecorder.install(timeout: options.timeout)
        // ggml reports each damaged GGUF file it is fed: thousands of lines a second.
        LlamaRuntime.silence()
        printError("haven-fuzz: mutating \(options.targets.count) targets, \(options.seconds) s each, seed \(options.seed)")
        var findings = 0
        for target in options.targets {
            let seeds = inputs(in: options.fuzzDirectory + "/Corpus/" + target.name)
                + inputs(in: options.fuzzDirectory + "/Regressions/" + target.name)
            let crashes = options.fuzzDirectory + "/Crashes/" + target.name
            let targetSeed = options.seed ^ fnv1a(target.name)
            CrashRecorder.arm(
                path: crashes + "/mutate-seed-\(options.seed)",
                message: "haven-fuzz: \(target.name) crashed (seed \(options.seed)); the input is in "
                    + "\(crashes)/mutate-seed-\(options.seed); replay it with 'haven-fuzz \(target.name) FILE'\n")
            printError("haven-fuzz: \(target.name)")
            var mutator = Mutator(seed: targetSeed)
            let started = ContinuousClock.now
            let outcome = MutationRun.run(
                target, seeds: seeds, mutator: &mutator, maximumRuns: options.runs,
                until: started + .milliseconds(Int(options.seconds * 1000)), willRun: CrashRecorder.willRun)
            CrashRecorder.disarm()
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if let finding = outcome.finding {
                findings += 1
                let path = crashes + "/mutate-" + String(fnv1a(finding.input), radix: 16)
                do {
                    try FileManager.default.createDirectory(atPath: crashes, withIntermediateDirectories: true)
                    try Data(finding.input).write(to: URL(fileURLWithPath: path))
                    printError("haven-fuzz: \(target.name): \(finding.message); the input is in \(path) (seed \(options.seed))")
                } catch {
                    printError("haven-fuzz: \(target.name): \(finding.message); the input could not be kept: \(error)")
                }
            } else {
                print("\(target.name): \(outcome.executions) inputs in \(String(format: "%.1f", seconds)) s from \(seeds.count) seeds, no findings")
            }
        }
        return findings == 0 ? 0 : 1
    }

    /// A command-line mistake, said in one line.
    struct UsageError: Error {
        let message: String
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var names: [String] = []
        var rest = arguments[...]
        func value(_ flag: String) throws(UsageError) -> String {
            guard let next = rest.popFirst() else { throw UsageError(message: "\(flag) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--seconds":
                guard let seconds = Double(try value(argument)), seconds > 0, seconds <= 86_400 else {
                    throw UsageError(message: "--seconds takes a number above 0, at most 86400")
                }
                options.seconds = seconds
            case "--runs":
                guard let runs = Int(try value(argument)), runs > 0 else { throw UsageError(message: "--runs takes a whole number above 0") }
                options.runs = runs
            case "--seed":
                guard let seed = UInt64(try value(argument)) else { throw UsageError(message: "--seed takes a whole number from 0 to 2^64-1") }
                options.seed = seed
            case "--timeout":
                guard let timeout = Double(try value(argument)), timeout >= 1 else {
                    throw UsageError(message: "--timeout takes a number of seconds, at least 1")
                }
                options.timeout = timeout
            case "--fuzz":
                options.fuzzDirectory = try value(argument)
            default:
                guard FuzzTarget.named(argument) != nil else {
                    throw UsageError(
                        message: "no target '\(argument)'; the targets are \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
                }
                names.append(argument)
            }
        }
        if !names.isEmpty { options.targets = names.compactMap(FuzzTarget.named) }
        guard FileManager.default.fileExists(atPath: options.fuzzDirectory + "/Corpus") else {
            throw UsageError(message: "\(options.fuzzDirectory)/Corpus does not exist; run from the repository's root or give --fuzz DIR")
        }
        return options
    }

    /// The files of `directory`, sorted; none when it does not exist.
    static func inputs(in directory: String) -> [[UInt8]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().compactMap { FileManager.default.contents(atPath: directory + "/" + $0) }
            .map { [UInt8]($0) }
    }

    /// FNV-1a, 64 bits: names each target's stream of random choices and each kept input.
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    static func fnv1a(_ text: String) -> UInt64 {
        fnv1a(text.utf8)
    }
}

/// Keeps the input being fed where a signal handler can write it out: a parser that traps
/// (Swift's runtime checks end in SIGILL or SIGTRAP) or crashes leaves its input behind, as
/// libFuzzer would. A watchdog thread does the same for an input that runs past the timeout.
///
/// Everything the handler touches is set up before it can run and written with the
/// async-signal-safe `open`, `write` and `close` only.
enum CrashRecorder {
    nonisolated(unsafe) private static var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var path: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var message: UnsafeMutablePointer<CChar>?
    /// When the input being fed started, in nanoseconds of the monotonic clock; 0 between inputs.
    private static let startedAt = Atomic<UInt64>(0)

    static func install(timeout: Double) {
        for number in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            _ = signal(number, handleSignal)
        }
        let limit = UInt64(timeout * 1e9)
        Thread.detachNewThread {
            while true {
                usleep(250_000)
                let started = startedAt.load(ordering: .acquiring)
                if started != 0, now() &- started > limit {
                    writeInput(hung: true)
                    _exit(1)
                }
            }
        }
    }

    /// Names where the next target's crashing input goes, and what to print then.
    static func arm(path newPath: String, message newMessage: String) {
        let directory = (newPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        free(path)
        free(message)
        path = strdup(newPath)
        message = strdup(newMessage)
    }

    static func disarm() {
        startedAt.store(0, ordering: .releasing)
        // The Crashes folders arm made are removed again while empty; one with findings stays.
        guard let path else { return }
        let directory = (String(cString: path) as NSString).deletingLastPathComponent
        for folder in [directory, (directory as NSString).deletingLastPathComponent] {
            guard (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true else { return }
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// Keeps `input` (the mutator's inputs are at most 64 KiB) and starts its clock.
    static func willRun(_ input: [UInt8]) {
        let count = min(input.count, buffer.count)
        input.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer.baseAddress!), byteCount: count) }
        length = count
        startedAt.store(now(), ordering: .releasing)
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    fileprivate static func writeInput(hung: Bool) {
        guard let path else { return }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if descriptor >= 0 {
            _ = write(descriptor, buffer.baseAddress, length)
            close(descriptor)
        }
        if hung {
            let text = "haven-fuzz: an input ran past the timeout\n"
            _ = text.withCString { write(2, $0, strlen($0)) }
        }
        if let message { _ = write(2, message, strlen(message)) }
    }
}

/// The handler for traps and crashes: the input out, then the signal's default action.
private func handleSignal(_ number: Int32) {
    CrashRecorder.writeInput(hung: false)
    _ = signal(number, SIG_DFL)
    raise(number)
}
