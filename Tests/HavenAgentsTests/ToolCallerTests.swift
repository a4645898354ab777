import HavenIdentity
import Testing

@testable import HavenAgents

@Suite struct ToolCallerTests {
    @Test func aCallerWithoutAnAgentHasNoScopes() {
        let caller = ToolCaller(principal: .app("laptop"))
        #expect(caller.scopes == nil)
        #expect(caller.agent == nil)
    }
}
