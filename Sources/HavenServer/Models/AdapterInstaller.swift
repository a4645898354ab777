import Foundation
import HavenInference
import HavenStore

/// Installs LoRA adapters as models: checks the adapter's GGUF against its base model's
/// tensors (``LoraAdapterCheck``) before anything is written, links (or copies) it into
/// `models/` as `NAME.lora.gguf`, and records it (``Catalog/registerAdapter(_:system:parameters:)``).
/// A refused adapter, or a taken name, leaves nothing behind.
public struct AdapterInstaller: Sendable {
    public let installer: ModelInstaller
    var catalog: Catalog { installer.catalog }

    public init(installer: ModelInstaller) {
        self.installer = installer
    }

    /// Installs the adapter at `source` on installed model `base` as model `name`.
    public func install(
        from source: String, base: String, name: String, scale: Double = 1, system: String? = nil,
        parameters: ModelParameters = ModelParameters(), training: AdapterTraining? = nil, now: Date = Date()
    ) throws -> ModelAdapter {
        try ModelInstaller.validate(name: name)
        try AdapterSpec.validate(scale: scale)
        guard let baseRecord = try catalog.model(named: base) else { throw RegistryError.modelNotFound(base) }
        guard try catalog.modelProfile(of: base)?.base == nil else { throw ModelRecipeError.adapterBaseNotWeights(base) }
        if try catalog.model(named: name) != nil { throw RegistryError.modelNameTaken(name) }
        let adapterTable = try GGUFTensorTable(path: source)
        let baseTable = try GGUFTensorTable(path: installer.directory + "/" + baseRecord.file)
        let summary = try LoraAdapterCheck.check(adapter: adapterTable, base: baseTable)
        let size = try GGUFFile(path: source).fileSize

        let file = name + ".lora.gguf"
        return try installer.place(source, as: file) {
            let adapter = ModelAdapter(
                model: name, base: base, file: file, scale: scale, sizeBytes: size,
                rank: summary.ranks.count == 1 ? summary.ranks.first.map(Int.init) : nil,
                alpha: summary.alpha.map(Double.init), training: training, createdAt: now)
            try catalog.registerAdapter(adapter, system: system, parameters: parameters)
            return adapter
        }
    }
}
