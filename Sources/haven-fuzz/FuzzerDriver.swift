#if HAVEN_FUZZ
import Foundation
import HavenFuzzing

/// The libFuzzer side of `haven-fuzz`: picks the target named by `HAVEN_FUZZ_TARGET` and hands
/// the command line to libFuzzer's driver with ``fuzzOneInput(_:_:)`` as the test function.
///
/// libFuzzer's own `main` is linked in too, but SwiftPM points the executable's entry at this
/// module's `@main`, so the process starts here and calls `LLVMFuzzerRunDriver` itself.
enum FuzzerDriver {
    static func run() -> Int32 {
        guard let name = ProcessInfo.processInfo.environment["HAVEN_FUZZ_TARGET"], fuzzedTarget != nil else {
            printError("haven-fuzz: set HAVEN_FUZZ_TARGET to one of: \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
            return 2
        }
        printError("haven-fuzz: fuzzing \(name)")
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        return runFuzzerDriver(&argc, &argv, fuzzOneInput)
    }
}

/// The target under fuzzing, read once from `HAVEN_FUZZ_TARGET`.
let fuzzedTarget: FuzzTarget? = ProcessInfo.processInfo.environment["HAVEN_FUZZ_TARGET"].flatMap(FuzzTarget.named)

/// libFuzzer's test function: one input through the target. A finding traps, so libFuzzer
/// keeps the input as a crash, as it does for a parser that traps by itself.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let target = fuzzedTarget else { return -1 }
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try target.run(input)
    } catch {
        fatalError("haven-fuzz \(target.name): \(error)")
    }
    return 0
}

/// libFuzzer's entry for programs with their own `main` (compiler-rt `FuzzerInterface.h`).
@_extern(c, "LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
