import Foundation

/// Where the training stack is: the Python of the optional training environment (PyTorch and
/// PEFT, which `scripts/setup training` installs into the cache) and Haven's trainer script.
/// Found from the environment the scripts set (`HAVEN_TRAINING_PYTHON`, `HAVEN_TRAINER_SCRIPT`,
/// `HAVEN_LLAMA_PYTHON`); `nil` when training is not installed.
public struct Trainer: Sendable, Equatable {
    public var python: String
    public var script: String
    /// The pinned llama.cpp's Python tools (gguf-py, convert_lora_to_gguf.py).
    public var llamaPython: String?

    public init(python: String, script: String, llamaPython: String?) {
        self.python = python
        self.script = script
        self.llamaPython = llamaPython
    }

    /// The trainer the environment names, if its files are there.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Trainer? {
        guard let python = environment["HAVEN_TRAINING_PYTHON"], let script = environment["HAVEN_TRAINER_SCRIPT"],
            FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script)
        else { return nil }
        return Trainer(python: python, script: script, llamaPython: environment["HAVEN_LLAMA_PYTHON"])
    }

    /// What a job says when training is not installed.
    static let notInstalled =
        "training needs PyTorch and PEFT, which are not installed on this server: run 'scripts/setup training' "
        + "(about 3 GB, once) and restart 'haven serve' (make run and make test-training set it up)"
}
