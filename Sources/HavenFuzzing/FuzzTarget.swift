/// One parser of untrusted bytes under fuzzing: a name (also the folder of its seeds,
/// `Fuzz/Corpus/<name>/`) and a function that feeds it one input and checks what must hold of
/// the answer.
///
/// HavenFuzzing owns the fuzz targets only: it calls the parsers' public API and never changes
/// what they accept. `haven-fuzz` runs these targets under libFuzzer and replays files through
/// them; `HavenFuzzingTests` replays the committed corpus and regressions in `swift test`.
///
/// ``run(_:)`` returns for every input the parser accepts or refuses with its typed error, and
/// throws a ``FuzzFinding`` when an invariant breaks (a value that does not survive encode then
/// parse, two readings of one input that disagree). A parser that traps takes the process with
/// it, which is how libFuzzer and the replay tests see it.
public struct FuzzTarget: Sendable {
    /// The target's name, lower-case words joined by `-`: `jws`, `car`, `extract-email`.
    public let name: String
    /// What the target feeds and checks, one line.
    public let summary: String
    private let body: @Sendable ([UInt8]) throws(FuzzFinding) -> Void

    /// A target named `name` whose `body` feeds one input to its parser.
    public init(name: String, summary: String, body: @escaping @Sendable ([UInt8]) throws(FuzzFinding) -> Void) {
        self.name = name
        self.summary = summary
        self.body = body
    }

    /// Told each refusal (the parser's error, described) while set: `haven-fuzz --explain`
    /// uses it to show why a seed goes no deeper.
    @TaskLocal public static var refusalObserver: (@Sendable (String) -> Void)?

    /// Feeds `input` to the parser and checks the target's invariants.
    public func run(_ input: [UInt8]) throws(FuzzFinding) {
        try body(input)
    }
}

/// An input that made a fuzz target's invariant fail: what broke, in words.
public struct FuzzFinding: Error, Equatable, Sendable, CustomStringConvertible {
    /// The invariant that broke and the values involved.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Throws a ``FuzzFinding`` with `message` unless `condition` holds.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFinding) {
    guard condition else { throw FuzzFinding(message()) }
}

/// The input as text, as an HTTP layer would hand it over: invalid UTF-8 replaced, not refused.
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// What `parse` returns, or `nil` once the error it threw has been described: a refusal is
/// an answer, not a finding.
func attempt<Value>(_ parse: () throws -> Value) -> Value? {
    do {
        return try parse()
    } catch {
        describe(error)
        return nil
    }
}

/// Renders `error` the way a log line or an HTTP error body would, so that the descriptions
/// built from hostile input are exercised too.
func describe(_ error: some Error) {
    let description = String(describing: error)
    FuzzTarget.refusalObserver?(description)
}
