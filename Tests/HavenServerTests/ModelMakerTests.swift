import Foundation
import HavenInference
import HavenStore
import HavenTestSupport
import Testing

@testable import HavenServer

/// Models made from installed ones: kept in the catalog, sharing the base's file, never
/// overwriting a model with weights of its own, and keeping their base from being deleted.
@Suite final class ModelMakerTests {
    let catalog: Catalog
    let directory: TemporaryDirectory
    let maker: ModelMaker

    init() throws {
        catalog = try Catalog.inMemory()
        directory = try TemporaryDirectory()
        maker = ModelMaker(installer: ModelInstaller(directory: directory.path, catalog: catalog))
        try catalog.registerModel(
            ModelRecord(name: "base", file: "base.gguf", sizeBytes: 10, addedAt: Date(), architecture: "llama", sizeLabel: "135M"))
        FileManager.default.createFile(atPath: directory.path + "/base.gguf", contents: Data("weights".utf8))
    }

    deinit { directory.remove() }

    func recipe(from source: String, system: String? = nil, temperature: Double? = nil) -> ModelRecipe {
        var parameters = ModelParameters()
        parameters.temperature = temperature
        return ModelRecipe(source: .model(source), system: system, parameters: parameters)
    }

    @Test func aModelMadeFromAnotherSharesItsFileAndKeepsItsProfile() throws {
        let made = try maker.create(name: "mine", recipe: recipe(from: "base", system: "Be brief.", temperature: 0.2))
        #expect(made.file == "base.gguf" && made.architecture == "llama")
        #expect(try catalog.models().map(\.name) == ["base", "mine"])
        let profile = try #require(try catalog.modelProfile(of: "mine"))
        #expect(profile.base == "base" && profile.system == "Be brief." && profile.parameters.temperature == 0.2)
    }

    @Test func aModelMadeFromAMadeModelInheritsAndRunsOnTheSameBase() throws {
        _ = try maker.create(name: "mine", recipe: recipe(from: "base", system: "Be brief.", temperature: 0.2))
        var parameters = ModelParameters()
        parameters.topK = 3
        _ = try maker.create(name: "mine2", recipe: ModelRecipe(source: .model("mine"), parameters: parameters))
        let profile = try #require(try catalog.modelProfile(of: "mine2"))
        #expect(profile.base == "base" && profile.system == "Be brief.")
        #expect(profile.parameters.temperature == 0.2 && profile.parameters.topK == 3)
    }

    @Test func makingAgainReplacesAMadeModelButNeverOneWithItsOwnWeights() throws {
        _ = try maker.create(name: "mine", recipe: recipe(from: "base", system: "One."))
        _ = try maker.create(name: "mine", recipe: recipe(from: "base", system: "Two."))
        #expect(try catalog.modelProfile(of: "mine")?.system == "Two.")
        #expect(throws: ModelRecipeError.nameTaken("base")) {
            try maker.create(name: "base", recipe: recipe(from: "mine"))
        }
        #expect(try catalog.modelProfile(of: "base") == nil)
    }

    @Test func unknownSourcesAndBadNamesChangeNothing() throws {
        #expect(throws: ModelRecipeError.sourceNotFound("ghost")) { try maker.create(name: "mine", recipe: recipe(from: "ghost")) }
        #expect(throws: InferenceError.self) { try maker.create(name: "Mine", recipe: recipe(from: "base")) }
        #expect(throws: ModelRecipeError.self) { try maker.create(name: "hot", recipe: recipe(from: "base", temperature: 9)) }
        #expect(try catalog.models().map(\.name) == ["base"])
        #expect(try catalog.hasModelProfiles() == false)
    }

    @Test func aBaseIsKeptWhileModelsAreMadeFromItAndItsFileOutlivesTheMadeOnes() throws {
        _ = try maker.create(name: "mine", recipe: recipe(from: "base", system: "Be brief."))
        #expect(throws: ModelRecipeError.baseInUse(model: "base", derived: ["mine"])) { try maker.installer.remove(named: "base") }
        #expect(try catalog.model(named: "base") != nil)

        _ = try maker.installer.remove(named: "mine")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/base.gguf"))
        #expect(try catalog.modelProfile(of: "mine") == nil)
        _ = try maker.installer.remove(named: "base")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/base.gguf"))
    }

    @Test func aCopyOfAMadeModelIsAnotherMadeModel() throws {
        _ = try maker.create(name: "mine", recipe: recipe(from: "base", system: "Be brief."))
        _ = try maker.copy(from: "mine", to: "mine-copy")
        #expect(try catalog.modelProfile(of: "mine-copy")?.system == "Be brief.")
        #expect(try catalog.modelProfile(of: "mine-copy")?.base == "base")
        #expect(throws: RegistryError.modelNotFound("ghost")) { try maker.copy(from: "ghost", to: "x") }
    }
}
