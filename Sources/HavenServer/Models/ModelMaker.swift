import Foundation
import HavenStore

/// Makes and copies models for Ollama's `/api/create` and `/api/copy`. A model made from an
/// installed one shares that model's file and records a ``ModelProfile`` (its system prompt
/// and defaults, on top of what it was made from); one made from a GGUF path is installed as
/// `haven model add` installs it. Deleting goes through ``ModelInstaller/remove(named:)``.
public struct ModelMaker: Sendable {
    public let installer: ModelInstaller
    var catalog: Catalog { installer.catalog }

    public init(installer: ModelInstaller) {
        self.installer = installer
    }

    /// Makes model `name` from `recipe`. A model of that name made from another model is
    /// replaced, as Ollama's `create` replaces; one with weights of its own is not.
    public func create(name: String, recipe: ModelRecipe, now: Date = Date()) throws -> ModelRecord {
        try ModelInstaller.validate(name: name)
        try recipe.parameters.validate()
        if let adapter = recipe.adapter {
            guard case .model(let base) = recipe.source else { throw ModelRecipeError.adapterNeedsModel }
            guard try catalog.model(named: base) != nil else { throw ModelRecipeError.sourceNotFound(base) }
            let installed = try AdapterInstaller(installer: installer).install(
                from: adapter, base: base, name: name, system: recipe.system, parameters: recipe.parameters, now: now)
            return try catalog.model(named: installed.model)!
        }
        switch recipe.source {
        case .model(let sourceName):
            guard let source = try catalog.model(named: sourceName) else { throw ModelRecipeError.sourceNotFound(sourceName) }
            let inherited = try catalog.modelProfile(of: sourceName)
            let profile = ModelProfile(
                model: name, base: inherited?.base ?? source.name, adapter: inherited?.adapter,
                system: recipe.system ?? inherited?.system,
                parameters: recipe.parameters.filling(from: inherited?.parameters ?? ModelParameters()), createdAt: now)
            var record = source
            record.name = name
            record.addedAt = now
            try catalog.registerDerivedModel(record, profile: profile)
            return record
        case .file(let path):
            let record = try installer.install(from: path, name: name, now: now)
            guard recipe.system != nil || !recipe.parameters.isEmpty else { return record }
            do {
                try catalog.setModelProfile(
                    ModelProfile(model: name, base: nil, system: recipe.system, parameters: recipe.parameters, createdAt: now))
            } catch {
                _ = try? installer.remove(named: name)
                throw error
            }
            return record
        }
    }

    /// Copies model `source` to `destination`, profile and all. A model made from another is
    /// copied as another model made from the same one; a model with a file of its own gets the
    /// file hard-linked under the new name, so the copy outlives the original.
    public func copy(from source: String, to destination: String, now: Date = Date()) throws -> ModelRecord {
        guard let record = try catalog.model(named: source) else { throw RegistryError.modelNotFound(source) }
        let profile = try catalog.modelProfile(of: source)
        if profile?.base != nil {
            return try create(
                name: destination,
                recipe: ModelRecipe(source: .model(source), system: nil, parameters: ModelParameters()), now: now)
        }
        try ModelInstaller.validate(name: destination)
        let copy = try installer.install(from: installer.directory + "/" + record.file, name: destination, now: now)
        if var profile {
            profile.model = destination
            profile.createdAt = now
            do {
                try catalog.setModelProfile(profile)
            } catch {
                _ = try? installer.remove(named: destination)
                throw error
            }
        }
        return copy
    }
}
