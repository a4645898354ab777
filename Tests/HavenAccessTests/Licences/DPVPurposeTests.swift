import HavenAccess
import Testing

@Suite("DPV purposes")
struct DPVPurposeTests {
    @Test func narrowerPurposesAreTheirBroaderPurposes() throws {
        let academic = try DPVPurpose("dpv:AcademicResearch")
        let research = try DPVPurpose("dpv:ResearchAndDevelopment")
        #expect(academic.isA(research))
        #expect(academic.isA(academic))
        #expect(academic.isA(try DPVPurpose("dpv:Purpose")))
        #expect(!research.isA(academic))
        #expect(!academic.isA(try DPVPurpose("dpv:CommercialResearch")))
    }

    @Test func purposesWithTwoBroaderPurposesFollowBoth() throws {
        let commercialResearch = try DPVPurpose("dpv:CommercialResearch")
        #expect(commercialResearch.isA(try DPVPurpose("dpv:ResearchAndDevelopment")))
        #expect(commercialResearch.isA(try DPVPurpose("dpv:CommercialPurpose")))
        #expect(!commercialResearch.isA(try DPVPurpose("dpv:NonCommercialPurpose")))
        let targeted = try DPVPurpose("dpv:TargetedAdvertising")
        #expect(targeted.isA(try DPVPurpose("dpv:Marketing")))
        #expect(targeted.isA(try DPVPurpose("dpv:Personalisation")))
        #expect(Set(try DPVPurpose("dpv:ServicePersonalisation").broader.map(\.term)) == ["dpv:ServiceProvision", "dpv:Personalisation"])
    }

    @Test func everyPurposeInTheTableLeadsToTheRoot() throws {
        let root = try DPVPurpose("dpv:Purpose")
        for name in DPVPurpose.taxonomy.keys {
            let purpose = try DPVPurpose("dpv:" + name)
            #expect(purpose.isA(root), "\(name)")
            for broader in purpose.broader { #expect(DPVPurpose.taxonomy[broader.name] != nil) }
        }
    }

    @Test func readsCompactNamesAndFullIRIsOnly() throws {
        #expect(try DPVPurpose("https://w3id.org/dpv#Marketing") == DPVPurpose("dpv:Marketing"))
        #expect(try DPVPurpose("dpv:Marketing").iri == "https://w3id.org/dpv#Marketing")
        #expect(throws: PolicyError.self) { try DPVPurpose("Marketing") }
        #expect(throws: PolicyError.self) { try DPVPurpose("dpv:Gardening") }
        #expect(throws: PolicyError.self) { try DPVPurpose("https://w3id.org/dpv/2.0#Marketing") }
    }
}
