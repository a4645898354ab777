import ArgumentParser
import Foundation
import HavenLedger
import HavenServer

/// `haven ledger`: this server's append-only log of ledger records.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "This server's ledger: the append-only Merkle log other Havens witness.",
        subcommands: [Key.self, Status.self, Proof.self, Verify.self])

    /// `haven ledger key`: the verifier key, as C2SP signed notes write it.
    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the key that verifies this log's checkpoints (signed-note vkey form).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let description: LedgerDescription = try await client.makeClient().get("/haven/ledger")
            print(description.verifierKey)
        }
    }

    /// `haven ledger status`: origin, size and the latest checkpoint.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the log's origin, size and latest checkpoint.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let description: LedgerDescription = try await client.makeClient().get("/haven/ledger")
            print("origin: \(description.origin)")
            print("entries: \(description.size)")
            if let checkpoint = description.checkpoint { print(checkpoint, terminator: "") }
        }
    }

    /// `haven ledger proof RECORD`: a `.tlog-proof` that the record is in this server's log.
    struct Proof: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a .tlog-proof that a record is in this server's log (verify it with 'haven ledger verify').")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The record's id (as 'haven own mint' printed it).") var record: String

        func run() async throws {
            guard record.allSatisfy({ $0.isLetter || $0.isNumber }) else {
                throw ValidationError("'\(record)' is not a record id")
            }
            let proof = try await client.makeClient().getRaw("/haven/ledger/proof/\(record)")
            FileHandle.standardOutput.write(proof)
        }
    }

    /// `haven ledger verify FILE --log KEY [--policy FILE]`: checks a proof with no server at all.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a .tlog-proof offline: the log's signature, the record's, its inclusion, and witnesses.",
            discussion: """
                With --policy (a C2SP tlog-policy file, as a log serves at /ledger/policy), the \
                checkpoint must also carry cosignatures from a quorum of the witnesses the policy \
                names; the log's key may then come from the policy instead of --log.
                """)
        @Argument(help: "The .tlog-proof file ('-' for standard input).") var file: String
        @Option(help: "The log's verifier key, as 'haven ledger key' prints it.") var log: String?
        @Option(help: "A witness policy file (C2SP tlog-policy) the checkpoint must satisfy.") var policy: String?

        func run() throws {
            let data = try Self.read(file)
            let witnessPolicy = try policy.map { path in
                let text = try Self.read(path)
                do {
                    return try WitnessPolicy(parsing: text)
                } catch {
                    throw ValidationError("--policy: \(path) is not a witness policy: \(error)")
                }
            }
            let key: NoteVerifierKey
            if let log {
                do {
                    key = try NoteVerifierKey(parsing: log)
                } catch {
                    throw ValidationError("--log is not a verifier key: \(error)")
                }
            } else if let only = witnessPolicy?.logs.first, witnessPolicy?.logs.count == 1 {
                key = only.key
            } else {
                throw ValidationError("name the log's key with --log KEY (or give a --policy naming exactly one log)")
            }
            do {
                let proof = try TlogProof(parsing: [UInt8](data))
                let (record, checkpoint) = try RecordProof.verify(proof, logKey: key)
                if let witnessPolicy, !witnessPolicy.isSatisfied(by: proof.note, for: checkpoint) {
                    throw VerificationFailed(
                        reason: "the checkpoint lacks the cosignatures the witness policy requires (or the policy does not name this log)")
                }
                print("verified: record \(record.id) (\(record.statement.kind) by \(record.issuer))")
                print("entry \(proof.index) of \(checkpoint.size) in the log \(checkpoint.origin)")
                if witnessPolicy != nil { print("witnessed: the checkpoint satisfies the witness policy") }
            } catch let failure as VerificationFailed {
                throw failure
            } catch {
                throw VerificationFailed(reason: "\(error)")
            }
        }

        static func read(_ path: String) throws -> Data {
            if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path)")
            }
            return contents
        }
    }
}

/// A proof that does not verify: one line, non-zero exit.
struct VerificationFailed: Error, CustomStringConvertible {
    let reason: String
    var description: String { "the proof does not verify: \(reason)" }
}
