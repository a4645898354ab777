import Foundation
import HavenFuzzing

/// The normal build of `haven-fuzz`: replays files through a target, lists the targets, or
/// writes the generated seeds. Every failure is one line on standard error and a non-zero exit.
enum ReplayCommand {
    static let usage = """
        usage: haven-fuzz TARGET FILE|DIR...   replay each file (each file of a directory) through TARGET
               haven-fuzz --explain TARGET FILE|DIR...   the same, printing each refusal of a parser
               haven-fuzz --list               the targets and what each checks
               haven-fuzz --seeds DIR          write the generated seed inputs into DIR/<target>/
               haven-fuzz --mutate [...]       fuzz every target for a few seconds, unguided (--mutate --help)
        """

    static func run(_ arguments: [String]) -> Int32 {
        switch arguments.first {
        case "--list":
            for target in FuzzTarget.all {
                print(target.name.padding(toLength: 18, withPad: " ", startingAt: 0) + target.summary)
            }
            return 0
        case "--seeds":
            guard arguments.count == 2 else { return fail(usage) }
            do {
                let count = try SeedWriter.write(into: URL(fileURLWithPath: arguments[1]))
                print("wrote \(count) seeds into \(arguments[1])")
                return 0
            } catch {
                return fail("haven-fuzz: \(error)")
            }
        case "--mutate":
            if arguments.dropFirst().contains(where: { $0 == "-h" || $0 == "--help" }) {
                print(MutateCommand.usage)
                return 0
            }
            return MutateCommand.run(Array(arguments.dropFirst()))
        case "-h", "--help":
            print(usage)
            return 0
        case "--explain" where arguments.count >= 3:
            return FuzzTarget.$refusalObserver.withValue({ printError("  refused: \($0.prefix(300))") }) {
                replay(Array(arguments.dropFirst()))
            }
        case _? where arguments.count >= 2:
            return replay(arguments)
        default:
            return fail(usage)
        }
    }

    /// Runs every file named after the target's name through it, saying which input it is on before each, so that a
    /// parser that traps is seen next to its input.
    private static func replay(_ arguments: [String]) -> Int32 {
        let name = arguments[0]
        guard let target = FuzzTarget.named(name) else {
            return fail("haven-fuzz: no target '\(name)'; the targets are \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
        }
        var files: [URL] = []
        for path in arguments.dropFirst() {
            let url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                return fail("haven-fuzz: '\(path)' does not exist")
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().filter { !$0.hasPrefix(".") }.map { url.appendingPathComponent($0) }
            } else {
                files.append(url)
            }
        }
        var findings = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                return fail("haven-fuzz: cannot read '\(file.path)'")
            }
            printError("\(target.name) \(file.path)")
            do {
                try target.run(Array(data))
            } catch {
                printError("haven-fuzz: \(file.path): \(error)")
                findings += 1
            }
        }
        print("\(target.name): \(files.count) inputs, \(findings) findings")
        return findings == 0 ? 0 : 1
    }

    private static func fail(_ message: String) -> Int32 {
        printError(message)
        return 2
    }
}
