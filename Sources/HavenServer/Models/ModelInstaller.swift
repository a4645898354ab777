import Foundation
import HavenStore
import HavenInference

/// Puts GGUF models into a home: validates the file, links (or copies) it into `models/`
/// under its name, and records it in the catalog. A file that fails validation, or a name
/// already taken, leaves nothing behind.
public struct ModelInstaller: Sendable {
    /// The home's `models/` directory.
    public let directory: String
    public let catalog: Catalog

    public init(directory: String, catalog: Catalog) {
        self.directory = directory
        self.catalog = catalog
    }

    /// Installs `source` as `name` (default: derived from the file name).
    public func install(from source: String, name: String? = nil, now: Date = Date()) throws -> ModelRecord {
        let gguf = try GGUFFile(path: source)
        let name = try name ?? Self.name(forFile: source)
        try Self.validate(name: name)
        if try catalog.model(named: name) != nil { throw RegistryError.modelNameTaken(name) }
        let file = name + ".gguf"
        return try place(source, as: file) {
            let record = ModelRecord(
                name: name, file: file, sizeBytes: gguf.fileSize, addedAt: now, architecture: gguf.architecture,
                sizeLabel: gguf.sizeLabel)
            try catalog.registerModel(record)
            return record
        }
    }

    /// Installs a vision model: `source` as `name` (default: from the file name) with its
    /// multimodal projector `projector` (llama.cpp's mmproj GGUF), checked first against the
    /// model (``ProjectorCheck``); placed as `NAME.gguf` and `NAME.mmproj.gguf` and recorded
    /// together, or not at all.
    public func install(
        from source: String, name: String? = nil, projector: String, now: Date = Date()
    ) throws -> (model: ModelRecord, projector: ModelProjector) {
        let gguf = try GGUFFile(path: source)
        let projectorFile = try GGUFFile(path: projector)
        let summary = try ProjectorCheck.check(
            projector: .init(projectorFile), path: projector, modelWidth: gguf.embeddingLength)
        let name = try name ?? Self.name(forFile: source)
        try Self.validate(name: name)
        if try catalog.model(named: name) != nil { throw RegistryError.modelNameTaken(name) }
        return try place(source, as: name + ".gguf") {
            try place(projector, as: name + ".mmproj.gguf") {
                let record = ModelRecord(
                    name: name, file: name + ".gguf", sizeBytes: gguf.fileSize, addedAt: now,
                    architecture: gguf.architecture, sizeLabel: gguf.sizeLabel)
                let installed = ModelProjector(
                    model: name, file: name + ".mmproj.gguf", projectorType: summary.projectorType,
                    sizeBytes: projectorFile.fileSize, createdAt: now)
                try catalog.registerModel(record, projector: installed)
                return (record, installed)
            }
        }
    }

    /// Puts `source` into `models/` as `file` (a hard link, which costs nothing and survives the
    /// source's removal; across file systems, a copy), then runs `register`; if that fails, the
    /// file is removed again, so nothing is left behind.
    func place<Result>(_ source: String, as file: String, then register: () throws -> Result) throws -> Result {
        let target = directory + "/" + file
        let partial = target + ".part-" + UUID().uuidString
        if link(source, partial) != 0 {
            try FileManager.default.copyItem(atPath: source, toPath: partial)
        }
        do {
            guard rename(partial, target) == 0 else {
                throw HomeError.unreadable(path: target, reason: String(cString: strerror(errno)))
            }
            return try register()
        } catch {
            unlink(partial)
            unlink(target)
            throw error
        }
    }

    /// Removes an installed model, and its file unless another model (one made from it with
    /// `/api/create`, or the model it was made from) still runs that file. A model others are
    /// made from is not removed (``ModelRecipeError/baseInUse(model:derived:)``).
    public func remove(named name: String) throws -> ModelRecord {
        let adapter = try catalog.modelAdapter(named: name)
        let projector = try catalog.ownModelProjector(named: name)
        let (record, fileInUse) = try catalog.removeModelAndProfile(named: name)
        if !fileInUse { unlink(directory + "/" + record.file) }
        if let adapter { unlink(directory + "/" + adapter.file) }
        if let projector { unlink(directory + "/" + projector.file) }
        return record
    }

    /// `SmolLM2-135M-Instruct.Q4_1.gguf` → `smollm2-135m-instruct-q4_1`.
    static func name(forFile path: String) throws -> String {
        var stem = (path as NSString).lastPathComponent
        if stem.lowercased().hasSuffix(".gguf") { stem = String(stem.dropLast(5)) }
        return stem.lowercased().replacingOccurrences(of: ".", with: "-")
    }

    /// 1 to 64 characters: lower-case letters, digits, `-`, `_`, `.` and `:`.
    static func validate(name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.:")
        guard (1...64).contains(name.count), name.allSatisfy(allowed.contains), name.first != ".", name.first != "-"
        else {
            throw InferenceError.invalidParameter(
                "'\(name)' is not a valid model name: use 1 to 64 lower-case letters, digits, '-', '_', '.' or ':'")
        }
    }
}
