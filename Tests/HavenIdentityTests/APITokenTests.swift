import Testing

@testable import HavenIdentity

@Suite struct APITokenTests {
    @Test func generatedTokensParseBackAndMatchTheirHash() throws {
        let token = APIToken.generate()
        let text = token.stringValue
        #expect(text.hasPrefix("hvn_"))
        #expect(text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" })
        let parsed = try APIToken(parsing: text)
        #expect(parsed == token)
        #expect(parsed.matches(secretHash: token.secretHash))
    }

    @Test func anotherSecretWithTheSameIDDoesNotMatch() throws {
        let token = APIToken.generate()
        let forged = APIToken(id: token.id, secret: APIToken.generate().secret)
        #expect(!forged.matches(secretHash: token.secretHash))
    }

    @Test func tokensAreUnique() {
        let tokens = (0..<100).map { _ in APIToken.generate().stringValue }
        #expect(Set(tokens).count == 100)
    }

    @Test(arguments: [
        "",
        "hvn_",
        "Bearer hvn_x",
        "hvn_abc_def",
        "sk-0123456789",
    ])
    func rejectsMalformedText(text: String) {
        #expect(throws: IdentityError.malformedToken) { try APIToken(parsing: text) }
    }

    @Test func rejectsATokenWithATruncatedOrExtendedSecret() {
        let text = APIToken.generate().stringValue
        #expect(throws: IdentityError.malformedToken) { try APIToken(parsing: text.dropLast()) }
        #expect(throws: IdentityError.malformedToken) { try APIToken(parsing: text + "a") }
        #expect(throws: IdentityError.malformedToken) { try APIToken(parsing: text + "_a") }
    }

    @Test func constantTimeEqualityComparesWholeContents() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([9, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), []))
    }
}
