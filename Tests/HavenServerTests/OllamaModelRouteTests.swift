import Foundation
import HavenInference
import HavenTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HavenServer

/// `/api/create`, `/api/copy`, `/api/delete`, `/api/pull` and `/api/push`: owner only, kept in
/// the catalog, and refusals that change nothing.
@Suite struct OllamaModelRouteTests {
    let fixture: ServerFixture
    init() throws {
        fixture = try ServerFixture()
        try fixture.catalog.registerModel(
            ModelRecord(name: "base", file: "base.gguf", sizeBytes: 10, addedAt: Date(), architecture: "llama", sizeLabel: "135M"))
    }

    func post(_ client: some TestClientProtocol, _ path: String, _ body: String, token: String? = nil, method: HTTPRequest.Method = .post)
        async throws -> TestResponse
    {
        try await client.execute(uri: path, method: method, headers: .bearer(token ?? fixture.ownerToken), body: ByteBuffer(string: body))
    }

    @Test func theOwnerMakesAModelAnAppCannot() async throws {
        let app = try fixture.makeAppToken(name: "laptop")
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let refused = try await post(client, "/api/create", #"{"model": "mine", "from": "base", "system": "Be brief."}"#, token: app)
            #expect(refused.status == .forbidden)
            #expect(try ErrorBody(refused.body).error.code == "owner_only")
            #expect(try fixture.catalog.model(named: "mine") == nil)

            let made = try await post(
                client, "/api/create", #"{"model": "mine", "from": "base", "system": "Be brief.", "parameters": {"temperature": 0.2}, "stream": false}"#)
            #expect(made.status == .ok)
            #expect(String(buffer: made.body) == #"{"status":"success"}"#)
            #expect(try fixture.catalog.modelProfile(of: "mine")?.system == "Be brief.")

            let tags = try await client.execute(uri: "/api/tags", method: .get, headers: .bearer(fixture.ownerToken))
            let listed = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: tags.body))
            guard case .array(let models)? = listed["models"] else {
                Issue.record("no models")
                return
            }
            #expect(models.map { $0["name"]?.stringValue } == ["base", "mine"])
            #expect(models[1]["details"]?["parent_model"] == .string("base"))
        }
    }

    @Test func aStreamedCreateEndsWithSuccess() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let made = try await post(client, "/api/create", #"{"model": "mine", "modelfile": "FROM base\nPARAMETER top_k 4"}"#)
            #expect(made.status == .ok)
            #expect(made.headers[.contentType] == "application/x-ndjson")
            #expect(String(buffer: made.body).split(separator: "\n").last == #"{"status":"success"}"#)
        }
    }

    @Test(arguments: [
        (#"{"model": "mine", "from": "base", "template": "{{ .Prompt }}"}"#, "'template' is not supported"),
        (#"{"model": "mine", "modelfile": "FROM base\nADAPTER ./lora.gguf"}"#, "ADAPTER takes an absolute path"),
        (#"{"model": "mine", "modelfile": "FROM base\nADAPTER /nonexistent/lora.gguf"}"#, "cannot be read"),
        (#"{"model": "mine", "modelfile": "FROM base\nPARAMETER mirostat 2"}"#, "PARAMETER 'mirostat' is not supported"),
        (#"{"model": "mine", "from": "ghost"}"#, "neither an installed model"),
        (#"{"model": "Mine", "from": "base"}"#, "not a valid model name"),
        (#"{"model": "base", "from": "base"}"#, "weights of its own"),
    ])
    func unsupportedOrImpossibleRecipesAreRefusedAndChangeNothing(body: String, message: String) async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await post(client, "/api/create", body)
            #expect([400, 404, 409].contains(response.status.code))
            let error = try ErrorBody(response.body).error
            #expect(error.message.contains(message), "\(error.message)")
            #expect(try fixture.catalog.models().map(\.name) == ["base"])
            #expect(try fixture.catalog.hasModelProfiles() == false)
        }
    }

    @Test func copyThenDeleteWhileTheBaseIsKeptForItsModels() async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            _ = try await post(client, "/api/create", #"{"model": "mine", "from": "base", "stream": false}"#)
            let copied = try await post(client, "/api/copy", #"{"source": "mine", "destination": "mine-too"}"#)
            #expect(copied.status == .ok)
            #expect(try fixture.catalog.modelProfile(of: "mine-too")?.base == "base")

            let refused = try await post(client, "/api/delete", #"{"model": "base"}"#, method: .delete)
            #expect(refused.status == .conflict)
            #expect(try ErrorBody(refused.body).error.message.contains("'mine', 'mine-too'"))
            #expect(try fixture.catalog.model(named: "base") != nil)

            let app = try fixture.makeAppToken(name: "laptop")
            #expect(try await post(client, "/api/delete", #"{"model": "mine"}"#, token: app, method: .delete).status == .forbidden)
            for name in ["mine", "mine-too", "base"] {
                #expect(try await post(client, "/api/delete", #"{"model": "\#(name)"}"#, method: .delete).status == .ok)
            }
            #expect(try fixture.catalog.models().isEmpty)
            #expect(try await post(client, "/api/delete", #"{"model": "base"}"#, method: .delete).status == .notFound)
        }
    }

    @Test(arguments: ["/api/pull", "/api/push"])
    func pullAndPushSayHowModelsAreAdded(path: String) async throws {
        try await Application(router: fixture.makeRouter()).test(.router) { client in
            let response = try await post(client, path, #"{"model": "llama3.2"}"#)
            #expect(response.status == .badRequest)
            let error = try ErrorBody(response.body).error
            #expect(error.code == "no_model_registry")
            #expect(error.message.contains("haven model add FILE") && error.message.contains("llama3.2"))
        }
    }
}
