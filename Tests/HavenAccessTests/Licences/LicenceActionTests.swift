import HavenAccess
import Testing

@Suite("Licence actions")
struct LicenceActionTests {
    @Test(arguments: LicenceAction.allCases)
    func everyActionIsIncludedInUse(_ action: LicenceAction) {
        #expect(action.isIncluded(in: .use))
        #expect(action.isIncluded(in: action))
    }

    @Test func specificActionsDoNotIncludeEachOther() {
        let specific = LicenceAction.allCases.filter { $0 != .use }
        for action in specific {
            #expect(!LicenceAction.use.isIncluded(in: action))
            for other in specific where other != action {
                #expect(!action.isIncluded(in: other), "\(action) in \(other)")
            }
        }
    }

    @Test func aiUseIsHavensProfileAction() throws {
        #expect(LicenceAction.ai.term == "haven:ai")
        #expect(LicenceAction.ai.iri == "https://haven.example/ns#ai")
        #expect(LicenceAction.read.iri == "http://www.w3.org/ns/odrl/2/read")
        #expect(try LicenceAction("https://haven.example/ns#ai") == .ai)
        #expect(try LicenceAction("http://www.w3.org/ns/odrl/2/derive") == .derive)
    }

    @Test(arguments: ["transfer", "sell", "give", "modify", "write", "print", "play", "odrl:read", "ai", "execute"])
    func actionsOutsideTheSubsetAreRefused(_ term: String) {
        let error = #expect(throws: PolicyError.self) { try LicenceAction(term) }
        #expect(error?.unsupportedTerm == term)
    }
}
