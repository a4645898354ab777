import HTTPTypes

/// Header fields browsers use that HTTPTypes does not name.
extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
}
