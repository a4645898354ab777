import Testing

@testable import HavenServer

/// Setting `[store] backend` in haven.toml as text: the rest of the file stays as written.
@Suite struct ConfigurationTextTests {
    @Test func anExistingBackendLineIsReplacedAndNothingElseChanges() throws {
        let text = """
            # my settings
            [server]
            port = 9000

            [store]
            # backend = "files"
              backend = "files"
            endpoint = "http://127.0.0.1:9000"
            bucket = "my-haven"
            credentials_file = "/etc/haven/s3"
            """
        let edited = ConfigurationText.setting(storeBackend: .s3, in: text)
        #expect(edited == text.replacingOccurrences(of: "  backend = \"files\"", with: "  backend = \"s3\""))
        let configuration = try Configuration.resolve(file: edited)
        #expect(configuration.storeBackend == .s3 && configuration.port == 9000)
    }

    @Test func aStoreTableWithoutBackendGetsOneUnderItsHeader() throws {
        let text = "[store]\n# backend = \"files\"\nbucket = \"my-haven\"\nendpoint = \"http://127.0.0.1:9000\"\ncredentials_file = \"/x\"\n\n[web]\nsession_idle = \"1h\"\n"
        let edited = ConfigurationText.setting(storeBackend: .s3, in: text)
        #expect(edited == text.replacingOccurrences(of: "[store]\n", with: "[store]\nbackend = \"s3\"\n"))
        #expect(try Configuration.resolve(file: edited).storeBackend == .s3)
    }

    @Test func aBackendKeyInAnotherTableIsLeftAlone() {
        let text = "[other]\nbackend = \"x\"\n"
        #expect(ConfigurationText.setting(storeBackend: .s3, in: text) == text + "\n[store]\nbackend = \"s3\"\n")
    }

    @Test func aFileWithoutAStoreTableGetsOneAppended() {
        #expect(ConfigurationText.setting(storeBackend: .s3, in: "") == "\n[store]\nbackend = \"s3\"\n")
        #expect(
            ConfigurationText.setting(storeBackend: .s3, in: "[server]\nport = 1") == "[server]\nport = 1\n\n[store]\nbackend = \"s3\"\n")
    }

    @Test func theTemplateSwitchesToS3() throws {
        let edited = ConfigurationText.setting(storeBackend: .s3, in: Configuration.template)
        #expect(edited.contains("[store]\nbackend = \"s3\"\n"))
        // The template names no bucket, so resolving it is refused: the backend was set.
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(file: edited) }
    }
}
