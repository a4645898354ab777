import Logging
import Testing

@testable import HavenServer

@Suite struct ConfigurationTests {
    @Test func defaultsAreLoopbackOnPort8420() throws {
        let configuration = try Configuration.resolve()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8420)
        #expect(configuration.logLevel == .info)
        #expect(configuration.maxRequestBodyBytes == 1 << 20)
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws {
        let file = """
            [server]
            host = "10.0.0.5"
            port = 9000
            log_level = "debug"
            """
        let environment = ["HAVEN_PORT": "9100", "HAVEN_LOG_LEVEL": "warning"]

        let fromFile = try Configuration.resolve(file: file)
        #expect(fromFile.host == "10.0.0.5")
        #expect(fromFile.port == 9000)
        #expect(fromFile.logLevel == .debug)

        let fromEnvironment = try Configuration.resolve(environment: environment, file: file)
        #expect(fromEnvironment.host == "10.0.0.5")
        #expect(fromEnvironment.port == 9100)
        #expect(fromEnvironment.logLevel == .warning)

        let fromFlags = try Configuration.resolve(
            overrides: .init(port: 9200, logLevel: .error), environment: environment, file: file)
        #expect(fromFlags.port == 9200)
        #expect(fromFlags.logLevel == .error)
        #expect(fromFlags.host == "10.0.0.5")
    }

    @Test func theTemplateIsValidAndChangesNothing() throws {
        #expect(try Configuration.resolve(file: Configuration.template) == Configuration())
    }

    @Test(arguments: [
        ("1048576", 1_048_576), ("512KiB", 524_288), ("2MiB", 2_097_152), ("1 GB", 1_000_000_000), ("10B", 10),
    ])
    func readsSizesWithUnits(text: String, bytes: Int) throws {
        let configuration = try Configuration.resolve(environment: ["HAVEN_MAX_REQUEST_BODY": text])
        #expect(configuration.maxRequestBodyBytes == bytes)
    }

    @Test(arguments: [
        (["HAVEN_PORT": "80a"], "HAVEN_PORT"),
        (["HAVEN_PORT": "70000"], "HAVEN_PORT"),
        (["HAVEN_PORT": "-1"], "HAVEN_PORT"),
        (["HAVEN_LOG_LEVEL": "loud"], "HAVEN_LOG_LEVEL"),
        (["HAVEN_HOST": " "], "HAVEN_HOST"),
        (["HAVEN_MAX_REQUEST_BODY": "0"], "HAVEN_MAX_REQUEST_BODY"),
        (["HAVEN_MAX_REQUEST_BODY": "1 parsec"], "HAVEN_MAX_REQUEST_BODY"),
    ])
    func badEnvironmentValuesNameTheVariable(environment: [String: String], variable: String) {
        #expect {
            try Configuration.resolve(environment: environment)
        } throws: { error in
            guard case .invalidValue(let setting, _, _) = error as? ConfigurationError else { return false }
            return setting == variable
        }
    }

    @Test func badFileValuesNameTheKey() {
        #expect(throws: ConfigurationError.invalidValue(
            setting: "server.port in haven.toml", value: "eighty", expected: "a port number from 0 to 65535")
        ) {
            try Configuration.resolve(file: "[server]\nport = \"eighty\"\n")
        }
    }

    @Test func keepAliveAndMemoryBudget() throws {
        let file = """
            [inference]
            keep_alive = "90s"
            memory_budget = "2GiB"
            parallel = 8
            """
        let configuration = try Configuration.resolve(file: file)
        #expect(configuration.keepAlive == .seconds(90))
        #expect(configuration.memoryBudget == 2 << 30)
        #expect(configuration.parallel == 8)
        let unlimited = try Configuration.resolve(environment: ["HAVEN_KEEP_ALIVE": "-1", "HAVEN_MEMORY_BUDGET": "none"])
        #expect(unlimited.keepAlive == nil)
        #expect(unlimited.memoryBudget == nil)
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(environment: ["HAVEN_KEEP_ALIVE": "soon"]) }
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(environment: ["HAVEN_PARALLEL": "0"]) }
    }

    @Test func authenticationThrottling() throws {
        let defaults = Configuration().authenticationThrottle
        #expect(defaults == .init(failureLimit: 30, window: .seconds(60), penalty: .seconds(30), maximumPenalty: .seconds(900)))
        let file = """
            [security]
            auth_failure_limit = 5
            auth_failure_window = "5m"
            auth_penalty = "10s"
            auth_penalty_max = "1h"
            """
        let configured = try Configuration.resolve(environment: ["HAVEN_AUTH_FAILURE_LIMIT": "0"], file: file)
        #expect(configured.authenticationThrottle == .init(
            failureLimit: 0, window: .seconds(300), penalty: .seconds(10), maximumPenalty: .seconds(3_600)))
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(environment: ["HAVEN_AUTH_FAILURE_LIMIT": "-1"]) }
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(environment: ["HAVEN_AUTH_PENALTY": "0s"]) }
        #expect(throws: ConfigurationError.self) {
            try Configuration.resolve(file: "[security]\nauth_failure_window = \"soon\"\n")
        }
    }

    @Test func webSessionLengths() throws {
        let defaults = Configuration()
        #expect(defaults.sessionIdleTimeout == 12 * 3_600)
        #expect(defaults.sessionLifetime == 7 * 86_400)
        let file = """
            [web]
            session_idle = "30m"
            session_lifetime = "2d"
            """
        let configuration = try Configuration.resolve(file: file)
        #expect(configuration.sessionIdleTimeout == 1_800)
        #expect(configuration.sessionLifetime == 2 * 86_400)
        // An idle timeout longer than the lifetime is cut to the lifetime.
        let cut = try Configuration.resolve(environment: ["HAVEN_SESSION_IDLE": "3h", "HAVEN_SESSION_LIFETIME": "1h"])
        #expect(cut.sessionIdleTimeout == 3_600)
        for bad in ["-1", "10s", "forever", "400d"] {
            #expect(throws: ConfigurationError.self) { try Configuration.resolve(environment: ["HAVEN_SESSION_LIFETIME": bad]) }
        }
    }

    @Test(arguments: [("30s", Duration.seconds(30)), ("5m", .seconds(300)), ("2h", .seconds(7200)), ("1.5", .milliseconds(1500))])
    func durationsForPeople(text: String, duration: Duration) {
        #expect(DurationText.parse(text) == .duration(duration))
    }

    @Test func unknownKeysAreReported() {
        #expect(throws: ConfigurationError.unknownSetting("server.prot")) {
            try Configuration.resolve(file: "[server]\nprot = 80\n")
        }
    }

    @Test func malformedTOMLIsReportedWithItsLine() {
        #expect {
            try Configuration.resolve(file: "[server]\nport = = 1\n")
        } throws: { error in
            guard case .malformedFile(let reason) = error as? ConfigurationError else { return false }
            return reason.hasPrefix("line 2")
        }
    }
}
