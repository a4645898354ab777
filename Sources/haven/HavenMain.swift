import ArgumentParser

/// The process entry point. It parses and runs by hand, as `AsyncParsableCommand.main()` does,
/// so that every failure, a mistyped flag included, ends as one line on stderr and a non-zero
/// exit, never a stack trace or a screen of usage text.
@main
enum HavenMain {
    static func main() async {
        do {
            var command = try await Haven.asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            ErrorReporter.exit(with: error)
        }
    }
}
