import Foundation
import Testing

@testable import HavenInference

@Suite struct JSONSchemaGrammarTests {
    static func schema(_ json: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    }

    @Test func anObjectWithRequiredAndOptionalProperties() throws {
        let grammar = try JSONSchemaGrammar.grammar(for: Self.schema("""
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
             "tags":{"type":"array","items":{"type":"string"},"maxItems":3}},"required":["name","age"]}
            """))
        #expect(grammar.hasPrefix("root ::= \"{\" space "))
        // Required properties in order, the optional one may follow.
        #expect(grammar.contains(#""\"age\"" space ":" space root-age "," space "\"name\"" space ":" space root-name ("," space "\"tags\"" space ":" space root-tags)?"#))
        #expect(grammar.contains("root-tags ::= \"[\" space (root-tags-item (\",\" space root-tags-item){0,2})? \"]\" space"))
    }

    @Test func enumsConstantsAndUnions() throws {
        let grammar = try JSONSchemaGrammar.grammar(for: Self.schema("""
            {"anyOf":[{"enum":["red","green",3]},{"const":{"a":null}},{"type":["boolean","null"]}]}
            """))
        #expect(grammar.contains(#"("\"red\"" | "\"green\"" | "3") space"#))
        #expect(grammar.contains(#""{\"a\":null}" space"#))
        #expect(grammar.contains("root-2 ::= (root-anyof-2-boolean | root-anyof-2-null)"))
    }

    @Test func recursiveReferencesTerminate() throws {
        let grammar = try JSONSchemaGrammar.grammar(for: Self.schema("""
            {"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{
              "value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["value"]}}}
            """))
        #expect(grammar.contains("root ::= ref-node"))
        #expect(grammar.contains("ref-node-children-item ::= ref-node"))
    }

    @Test(arguments: [
        #"{"type":"string","pattern":"^a+$"}"#,
        #"{"type":"integer","minimum":3}"#,
        #"{"type":"object","properties":{"a":{"type":"string"}},"required":["b"]}"#,
        ##"{"$ref":"#/$defs/missing"}"##,
        #"{"type":"decimal"}"#,
    ])
    func schemasItCannotHonourAreRefused(json: String) throws {
        #expect(throws: InferenceError.self) { try JSONSchemaGrammar.grammar(for: Self.schema(json)) }
    }

    /// Length keywords a client can send that once trapped (`1e30` converting to Int, `Int.min`
    /// minus one) or that no grammar can honour; the inputs the json-schema fuzz target found are
    /// in Fuzz/Regressions/json-schema/. Each is a 400 naming the keyword.
    @Test(arguments: [
        (#"{"type":"string","maxLength":1e30}"#, "'maxLength' at root must be a whole number from 0 to 100000"),
        (#"{"type":"array","minItems":-9223372036854775808,"maxItems":1}"#, "'minItems' at root must be a whole number from 0 to 100000"),
        (#"{"type":"array","maxItems":2.5}"#, "'maxItems' at root must be a whole number from 0 to 100000"),
        (#"{"type":"object","properties":{"a":{"type":"string","minLength":5,"maxLength":2}}}"#, "'minLength' at root-a is above its 'maxLength'"),
    ])
    func lengthKeywordsOutOfRangeAreRefused(json: String, message: String) throws {
        #expect(throws: InferenceError.invalidParameter(message)) { try JSONSchemaGrammar.grammar(for: Self.schema(json)) }
    }

    @Test func lengthKeywordsInRangeAreKept() throws {
        let grammar = try JSONSchemaGrammar.grammar(for: Self.schema(#"{"type":"string","minLength":0,"maxLength":100000}"#))
        #expect(grammar.contains("char{0,100000}"))
        #expect(JSONValue.number(1e30).intValue == nil)
        #expect(JSONValue.number(42).intValue == 42)
    }

    @Test func generatedGrammarsCompileInLlama() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        for grammar in [
            JSONSchemaGrammar.anyObject,
            try JSONSchemaGrammar.grammar(for: Self.schema(#"{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"string","maxLength":5}}}"#)),
        ] {
            var sampling = SamplingParameters()
            sampling.grammar = grammar
            #expect(throws: Never.self) { _ = try LlamaSampler(parameters: sampling, model: engine.model) }
        }
        var broken = SamplingParameters()
        broken.grammar = "root ::= (("
        #expect(throws: InferenceError.self) { _ = try LlamaSampler(parameters: broken, model: engine.model) }
    }

    @Test func constrainedGenerationFollowsTheSchema() async throws {
        let engine = try InferenceEngineTests.makeEngine()
        let schema = try Self.schema("""
            {"type":"object","properties":{"city":{"type":"string","maxLength":20},"population":{"type":"integer"},
             "coastal":{"type":"boolean"}},"required":["city","population","coastal"]}
            """)
        var request = try InferenceEngineTests.greedy(engine, "Describe Paris as JSON.", maxTokens: 80)
        request.sampling.grammar = try JSONSchemaGrammar.grammar(for: schema)
        let (text, summary) = try await InferenceEngineTests.collect(engine.generate(request))
        #expect(summary.finishReason == .stop)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["city", "population", "coastal"])
        #expect(object["city"] is String)
        #expect((object["city"] as? String)?.count ?? 99 <= 20)
        #expect(object["population"] is Int)
        #expect(object["coastal"] is Bool)
    }
}
