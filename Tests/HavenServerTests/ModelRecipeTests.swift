import Foundation
import HavenInference
import Testing

@testable import HavenServer

/// Modelfiles and `/api/create` bodies as recipes, and a made model's defaults applied to requests.
@Suite struct ModelRecipeTests {
    @Test func aModelfileSetsSourceSystemAndParameters() throws {
        let recipe = try ModelRecipe(
            modelfile: """
                # my assistant
                FROM smollm2
                SYSTEM \"\"\"You are terse.
                Answer in one line.\"\"\"
                PARAMETER temperature 0.2
                PARAMETER top_k 20
                PARAMETER stop "<|im_end|>"
                parameter stop END
                PARAMETER num_ctx 1024
                """)
        #expect(recipe.source == .model("smollm2"))
        #expect(recipe.system == "You are terse.\nAnswer in one line.")
        #expect(recipe.parameters.temperature == 0.2)
        #expect(recipe.parameters.topK == 20)
        #expect(recipe.parameters.stop == ["<|im_end|>", "END"])
        #expect(recipe.parameters.numCtx == 1024)
    }

    @Test func fromAnAbsolutePathIsAFileAndARelativeOneIsRefused() throws {
        #expect(try ModelRecipe(modelfile: "FROM /models/x.gguf").source == .file("/models/x.gguf"))
        #expect(throws: ModelRecipeError.sourceNotFound("./x.gguf")) { try ModelRecipe(modelfile: "FROM ./x.gguf") }
        #expect(throws: ModelRecipeError.sourceNotFound("x.gguf")) { try ModelRecipe(modelfile: "FROM x.gguf") }
    }

    @Test(arguments: ["TEMPLATE", "MESSAGE", "LICENSE", "REQUIRES"])
    func otherCommandsAreRefusedByName(command: String) {
        #expect(throws: ModelRecipeError.unsupportedCommand(command)) {
            try ModelRecipe(modelfile: "FROM smollm2\n\(command) something")
        }
        #expect(ModelRecipeError.unsupportedCommand(command).description.contains("FROM, ADAPTER, SYSTEM and PARAMETER"))
    }

    @Test func anAdapterIsAnAbsolutePathAppliedOnce() throws {
        let recipe = try ModelRecipe(modelfile: "FROM smollm2\nADAPTER /adapters/mine.gguf\nSYSTEM Be brief.")
        #expect(recipe.source == .model("smollm2"))
        #expect(recipe.adapter == "/adapters/mine.gguf")
        #expect(recipe.system == "Be brief.")
        #expect(throws: ModelRecipeError.self) { try ModelRecipe(modelfile: "FROM smollm2\nADAPTER ./mine.gguf") }
        #expect(throws: ModelRecipeError.self) {
            try ModelRecipe(modelfile: "FROM smollm2\nADAPTER /a.gguf\nADAPTER /b.gguf")
        }
        #expect(
            ModelRecipe.modelfile(from: "smollm2", adapter: "/m/a.gguf", system: nil, parameters: ModelParameters())
                == "FROM smollm2\nADAPTER /m/a.gguf\n")
    }

    @Test func unknownParametersAndBadValuesAreRefused() {
        #expect(throws: ModelRecipeError.unknownParameter("mirostat")) {
            try ModelRecipe(modelfile: "FROM smollm2\nPARAMETER mirostat 1")
        }
        #expect(ModelRecipeError.unknownParameter("mirostat").description.contains("temperature"))
        #expect(throws: ModelRecipeError.invalidParameterValue(name: "temperature", value: "hot")) {
            try ModelRecipe(modelfile: "FROM smollm2\nPARAMETER temperature hot")
        }
        #expect(throws: ModelRecipeError.missingSource) { try ModelRecipe(modelfile: "SYSTEM hi") }
        #expect(throws: ModelRecipeError.malformed(line: 2, reason: "a value opened with \"\"\" is never closed")) {
            try ModelRecipe(modelfile: "FROM smollm2\nSYSTEM \"\"\"open\nstill open")
        }
    }

    @Test func parametersFromJSONTakeNumbersAndStopLists() throws {
        let parameters = try ModelParameters(json: [
            "temperature": .number(0.5), "seed": .number(7), "num_predict": .number(64),
            "stop": .array([.string("a"), .string("b")]),
        ])
        #expect(parameters.temperature == 0.5 && parameters.seed == 7 && parameters.numPredict == 64)
        #expect(parameters.stop == ["a", "b"])
        #expect(throws: ModelRecipeError.unknownParameter("num_gpu")) { try ModelParameters(json: ["num_gpu": .number(1)]) }
        #expect(throws: ModelRecipeError.invalidParameterValue(name: "top_k", value: "2.5")) {
            try ModelParameters(json: ["top_k": .number(2.5)])
        }
    }

    @Test func parametersAreValidatedAsRequestsWouldBe() {
        var parameters = ModelParameters()
        parameters.temperature = 3
        #expect(throws: ModelRecipeError.self) { try parameters.validate() }
        parameters.temperature = 1
        #expect(throws: Never.self) { try parameters.validate() }
    }

    @Test func aRequestsOwnValuesWinOverTheModels() {
        var model = ModelParameters()
        model.temperature = 0.1
        model.topK = 5
        var request = ModelParameters()
        request.temperature = 0.9
        let merged = request.filling(from: model)
        #expect(merged.temperature == 0.9 && merged.topK == 5)
    }

    @Test func theJSONBodyOverridesTheModelfileAndRefusesWhatItCannotDo() throws {
        let body = try JSONDecoder().decode(
            OllamaCreateRequest.self,
            from: Data(#"{"model": "mine", "modelfile": "FROM base\nSYSTEM old\nPARAMETER top_k 3", "system": "new", "parameters": {"temperature": 0.3}}"#.utf8))
        let recipe = try body.recipe()
        #expect(recipe.source == .model("base") && recipe.system == "new")
        #expect(recipe.parameters.temperature == 0.3 && recipe.parameters.topK == 3)

        let modern = try JSONDecoder().decode(OllamaCreateRequest.self, from: Data(#"{"model": "m", "from": "base"}"#.utf8))
        #expect(try modern.recipe() == ModelRecipe(source: .model("base")))

        let templated = try JSONDecoder().decode(
            OllamaCreateRequest.self, from: Data(#"{"model": "m", "from": "base", "template": "{{ .Prompt }}"}"#.utf8))
        #expect(throws: ModelRecipeError.unsupportedField("template")) { try templated.recipe() }
        let nothing = try JSONDecoder().decode(OllamaCreateRequest.self, from: Data(#"{"name": "m"}"#.utf8))
        #expect(nothing.model == "m")
        #expect(throws: ModelRecipeError.missingSource) { try nothing.recipe() }
    }

    @Test func showListsParametersAndRecreatesTheModelfile() throws {
        var parameters = ModelParameters()
        parameters.temperature = 0.2
        parameters.stop = ["x\"y"]
        #expect(parameters.listing.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            == [["stop", "\"x\\\"y\""], ["temperature", "0.2"]])
        let text = ModelRecipe.modelfile(from: "base", system: "Be brief.", parameters: parameters)
        let again = try ModelRecipe(modelfile: text)
        #expect(again == ModelRecipe(source: .model("base"), system: "Be brief.", parameters: parameters))
    }

    @Test func aProfileFillsAnOpenAIRequestWithoutOverridingIt() throws {
        var parameters = ModelParameters()
        parameters.temperature = 0.1
        parameters.numPredict = 32
        parameters.stop = ["END"]
        let profile = ModelProfile(model: "mine", base: "base", system: "Be brief.", parameters: parameters, createdAt: Date())
        let body = try JSONDecoder().decode(
            JSONValue.self, from: Data(#"{"model": "mine", "temperature": 0.9, "messages": [{"role": "user", "content": "hi"}]}"#.utf8))
        let applied = profile.applied(toOpenAIRequest: body)
        #expect(applied["temperature"] == .number(0.9))
        #expect(applied["max_tokens"] == .number(32))
        #expect(applied["stop"] == .array([.string("END")]))
        guard case .array(let messages)? = applied["messages"] else {
            Issue.record("messages missing")
            return
        }
        #expect(messages.map { $0["role"]?.stringValue } == ["system", "user"])
        #expect(messages[0]["content"] == .string("Be brief."))

        let withSystem = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(#"{"model": "mine", "max_completion_tokens": 5, "messages": [{"role": "system", "content": "Mine."}]}"#.utf8))
        let kept = profile.applied(toOpenAIRequest: withSystem)
        #expect(kept["messages"] == withSystem["messages"])
        #expect(kept["max_tokens"] == nil)
    }

    @Test func aProfileFillsAResponsesRequestWhereThatAPIHasAPlace() throws {
        var parameters = ModelParameters()
        parameters.temperature = 0.1
        parameters.numPredict = 16
        parameters.topK = 3
        let profile = ModelProfile(model: "mine", base: "base", system: "Be brief.", parameters: parameters, createdAt: Date())
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"model": "mine", "input": "hi", "temperature": 1}"#.utf8))
        let applied = profile.applied(toResponsesRequest: body)
        #expect(applied["instructions"] == .string("Be brief."))
        #expect(applied["temperature"] == .number(1) && applied["max_output_tokens"] == .number(16))
        #expect(applied["top_k"] == nil)
    }
}
