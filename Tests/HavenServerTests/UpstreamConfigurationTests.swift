import Foundation
import Testing

@testable import HavenServer

@Suite struct UpstreamConfigurationTests {
    static let two = """
        [inference]
        parallel = 2

        [[inference.upstream]]
        name = "gpu"
        base_url = "http://10.0.0.5:8000/v1/"
        models = ["qwen", "llama"]
        timeout = "30s"

        [[inference.upstream]]
        name = "spare"
        base_url = "https://spare.example.org/v1"
        api_key_file = "/etc/haven/spare.key"
        models = ["qwen"]
        """

    @Test func upstreamTablesAreReadInOrderWithTheirSettings() throws {
        let configuration = try Configuration.resolve(file: Self.two)
        #expect(configuration.parallel == 2)
        #expect(configuration.upstreams.map(\.name) == ["gpu", "spare"])
        #expect(configuration.upstreams[0].baseURL == "http://10.0.0.5:8000/v1")
        #expect(configuration.upstreams[0].models == ["qwen", "llama"])
        #expect(configuration.upstreams[0].timeout == 30)
        #expect(configuration.upstreams[0].apiKeyFile == nil)
        #expect(configuration.upstreams[1].apiKeyFile == "/etc/haven/spare.key")
        #expect(configuration.upstreams[1].timeout == 120)
    }

    @Test(arguments: [
        ("name = \"gpu\"\nbase_url = \"ftp://x/v1\"\nmodels = [\"m\"]", "base_url"),
        ("name = \"gpu\"\nbase_url = \"http://user:pw@x/v1\"\nmodels = [\"m\"]", "base_url"),
        ("name = \"gpu\"\nbase_url = \"http://x/v1\"\nmodels = []", "models"),
        ("name = \"gpu\"\nbase_url = \"http://x/v1\"", "models"),
        ("base_url = \"http://x/v1\"\nmodels = [\"m\"]", "name"),
        ("name = \"g p u\"\nbase_url = \"http://x/v1\"\nmodels = [\"m\"]", "name"),
        ("name = \"gpu\"\nbase_url = \"http://x/v1\"\nmodels = [\"m\"]\ntimeout = \"2d\"", "timeout"),
        ("name = \"gpu\"\nbase_url = \"http://x/v1\"\nmodels = [\"m\"]\napi_key_file = \"key\"", "api_key_file"),
        ("name = \"gpu\"\nbase_url = \"http://x/v1\"\nmodels = [\"m\"]\napi_key = \"sk-1\"", "api_key"),
        ("name = \"gpu\"\nbase_url = \"http://x/v1\"\nmodels = [\"m\"]\noverflow = \"yes\"", "overflow"),
    ])
    func badUpstreamsAreRefusedNamingTheSetting(table: String, setting: String) {
        #expect {
            try Configuration.resolve(file: "[[inference.upstream]]\n" + table)
        } throws: { error in
            "\(error)".contains(setting)
        }
    }

    @Test func overflowIsOffUnlessSaidAndSurvivesAppending() throws {
        let table = "[[inference.upstream]]\nname = \"gpu\"\nbase_url = \"http://x/v1\"\nmodels = [\"m\"]\n"
        #expect(try Configuration.resolve(file: table).upstreams[0].overflow == false)
        let on = try Configuration.resolve(file: table + "overflow = true\n").upstreams[0]
        #expect(on.overflow)
        let text = try UpstreamConfiguration.appending(on, to: Configuration.template)
        #expect(text.contains("overflow = true"))
        #expect(try Configuration.resolve(file: text).upstreams == [on])
    }

    @Test func twoUpstreamsWithOneNameAreRefused() {
        let text = Self.two.replacingOccurrences(of: "name = \"spare\"", with: "name = \"gpu\"")
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(file: text) }
    }

    @Test func theTemplateStillResolvesToTheDefaults() throws {
        #expect(try Configuration.resolve(file: Configuration.template) == Configuration())
    }

    @Test func aKeyFileOthersMayReadIsRefusedAndAPrivateOneIsRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upstream-\(UUID()).key").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data("sk-secret\n".utf8), attributes: [.posixPermissions: 0o644])
        let upstream = UpstreamConfiguration(name: "gpu", baseURL: "http://x/v1", apiKeyFile: path, models: ["m"])
        #expect { try upstream.loadKey() } throws: { "\($0)".contains("chmod 600") && !"\($0)".contains("sk-secret") }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(try upstream.loadKey() == "sk-secret")
    }

    @Test func appendingWritesATableThatResolvesBack() throws {
        let upstream = UpstreamConfiguration(name: "gpu", baseURL: "http://10.0.0.5:8000/v1", models: ["qwen \"7b\"".replacingOccurrences(of: " ", with: "-")], timeout: 45)
        let text = try UpstreamConfiguration.appending(upstream, to: Configuration.template)
        let resolved = try Configuration.resolve(file: text)
        #expect(resolved.upstreams == [upstream])
        #expect { try UpstreamConfiguration.appending(upstream, to: text) } throws: { "\($0)".contains("once") }
    }
}
