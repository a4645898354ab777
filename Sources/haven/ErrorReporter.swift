import ArgumentParser
import Foundation
import HavenStore
import HavenIdentity
import HavenS3
import HavenServer

/// An error whose description is already a sentence for the person at the terminal.
protocol UserFacingError: Error, CustomStringConvertible {}

extension HomeError: UserFacingError {}
extension ConfigurationError: UserFacingError {}
extension ServerError: UserFacingError {}
extension CatalogError: UserFacingError {}
extension IdentityError: UserFacingError {}
extension S3Error: UserFacingError {}
extension MigrationError: UserFacingError {}

/// Ends the process on an error: one line on stderr, a non-zero exit code.
enum ErrorReporter {
    static func exit(with error: any Error) -> Never {
        // Help, `--version` and completion scripts end parsing with a clean exit: ArgumentParser
        // prints them, formatted, on stdout and exits 0. So does an explicit `ExitCode`.
        if error is CleanExit || error is ExitCode || Haven.exitCode(for: error) == .success {
            Haven.exit(withError: error)
        }
        let message: String
        if let error = error as? any UserFacingError {
            message = error.description
        } else {
            let parserMessage = Haven.message(for: error)
                .split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .joined(separator: " ")
            message = error is ValidationError ? parserMessage : parserMessage + " (see 'haven --help')"
        }
        StandardError.write("haven: \(message)")
        Foundation.exit(Haven.exitCode(for: error).rawValue)
    }
}

/// Messages for people go to stderr, so stdout carries only what scripts capture.
enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
