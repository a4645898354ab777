import Foundation

/// The interactive prompt of `haven chat`: `>>> ` on a terminal, one line per turn, empty lines
/// ignored, `/bye` or end of input to stop.
struct ConsolePrompt {
    /// Said once on a terminal before the first prompt.
    let greeting: String

    /// The next thing the person typed, or `nil` when they are done.
    func next() -> String? {
        while true {
            if interactive { Output.write(">>> ") }
            guard let line = readLine() else { return nil }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            return text == "/bye" ? nil : text
        }
    }

    /// Greets, when standard input is a terminal.
    func start() {
        if interactive { StandardError.write(greeting) }
    }

    private var interactive: Bool { isatty(STDIN_FILENO) != 0 }
}
