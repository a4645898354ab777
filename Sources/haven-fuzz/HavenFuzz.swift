import Foundation
import HavenFuzzing

/// `haven-fuzz`: Haven's parsers under libFuzzer, and the tool that replays inputs through them.
///
/// Built normally, it replays files:
///
///     haven-fuzz TARGET FILE|DIR...   run each file (each file of a directory) through TARGET
///     haven-fuzz --list               the targets and what each checks
///     haven-fuzz --seeds DIR          write the generated seed inputs into DIR/<target>/
///
/// Built with `-sanitize=fuzzer,address -DHAVEN_FUZZ` (`make fuzz`), it is a libFuzzer binary
/// for the target named by `HAVEN_FUZZ_TARGET`; its arguments are libFuzzer's.
@main
enum HavenFuzz {
    static func main() {
        #if HAVEN_FUZZ
        exit(FuzzerDriver.run())
        #else
        exit(ReplayCommand.run(Array(CommandLine.arguments.dropFirst())))
        #endif
    }
}

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
