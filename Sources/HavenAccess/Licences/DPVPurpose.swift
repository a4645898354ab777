/// A purpose from the W3C Data Privacy Vocabulary (DPV 2, namespace `https://w3id.org/dpv#`),
/// written `dpv:AcademicResearch`; the value of ODRL's `purpose` left operand.
///
/// Only the purposes in ``taxonomy`` are accepted, each with its broader purposes as DPV 2.0
/// states them (`skos:broader`, some purposes have two), so that a request for
/// `dpv:AcademicResearch` satisfies `purpose isA dpv:ResearchAndDevelopment`. An unknown
/// purpose is refused rather than guessed at: a constraint on it could not be enforced.
public struct DPVPurpose: Hashable, Sendable, CustomStringConvertible {
    /// The DPV namespace.
    public static let namespace = "https://w3id.org/dpv#"

    /// The local name, e.g. `AcademicResearch`.
    public let name: String

    /// Accepts `dpv:Name` or the full IRI `https://w3id.org/dpv#Name`, for names in ``taxonomy``.
    public init(_ term: String) throws(PolicyError) {
        try self.init(parsing: term, at: .root)
    }

    init(parsing term: String, at path: JSONPath) throws(PolicyError) {
        let name: Substring
        if term.hasPrefix("dpv:") {
            name = term.dropFirst(4)
        } else if term.hasPrefix(Self.namespace) {
            name = term.dropFirst(Self.namespace.count)
        } else {
            throw .unsupportedTerm(term, path: path.description, supported: ["DPV purposes written dpv:Name"])
        }
        guard Self.taxonomy[String(name)] != nil else {
            throw .unsupportedTerm(term, path: path.description, supported: Self.taxonomy.keys.sorted().map { "dpv:" + $0 })
        }
        self.name = String(name)
    }

    /// The compact name, `dpv:AcademicResearch`.
    public var term: String { "dpv:" + name }

    /// The full IRI.
    public var iri: String { Self.namespace + name }

    public var description: String { term }

    /// The purposes directly broader than this one (empty for `dpv:Purpose`).
    public var broader: [DPVPurpose] {
        (Self.taxonomy[name] ?? []).map { DPVPurpose(known: $0) }
    }

    /// Whether this purpose is `other` or falls under it, following `broader` transitively.
    public func isA(_ other: DPVPurpose) -> Bool {
        var pending = [name]
        var seen: Set<String> = []
        while let current = pending.popLast() {
            if current == other.name { return true }
            guard seen.insert(current).inserted else { continue }
            pending.append(contentsOf: Self.taxonomy[current] ?? [])
        }
        return false
    }

    private init(known name: String) {
        self.name = name
    }

    /// The supported DPV 2.0 purposes and their broader purposes (from DPV's `purposes` module).
    public static let taxonomy: [String: [String]] = [
        "Purpose": [],
        "ResearchAndDevelopment": ["Purpose"],
        "AcademicResearch": ["ResearchAndDevelopment"],
        "CommercialResearch": ["ResearchAndDevelopment", "CommercialPurpose"],
        "NonCommercialResearch": ["ResearchAndDevelopment", "NonCommercialPurpose"],
        "ScientificResearch": ["ResearchAndDevelopment"],
        "CommercialPurpose": ["Purpose"],
        "NonCommercialPurpose": ["Purpose"],
        "ServiceProvision": ["Purpose"],
        "ServiceOptimisation": ["ServiceProvision"],
        "ServicePersonalisation": ["ServiceProvision", "Personalisation"],
        "ProvidePersonalisedRecommendations": ["ServicePersonalisation"],
        "RequestedServiceProvision": ["ServiceProvision"],
        "SearchFunctionalities": ["ServiceProvision"],
        "ServiceUsageAnalytics": ["ServiceProvision"],
        "PaymentManagement": ["ServiceProvision"],
        "SellProducts": ["ServiceProvision"],
        "SellDataToThirdParties": ["SellProducts"],
        "SellInsightsFromData": ["SellProducts"],
        "Personalisation": ["Purpose"],
        "Marketing": ["Purpose"],
        "Advertising": ["Marketing"],
        "PersonalisedAdvertising": ["Personalisation", "Advertising"],
        "TargetedAdvertising": ["PersonalisedAdvertising"],
        "DirectMarketing": ["Marketing"],
        "SocialMediaMarketing": ["Marketing"],
        "PublicRelations": ["Marketing"],
        "PublicBenefit": ["Purpose"],
        "DataAltruism": ["PublicBenefit"],
        "ImproveHealthcare": ["PublicBenefit"],
        "EnforceSecurity": ["Purpose"],
        "FulfilmentOfObligation": ["Purpose"],
        "LegalCompliance": ["FulfilmentOfObligation"],
        "RecordManagement": ["Purpose"],
    ]
}
