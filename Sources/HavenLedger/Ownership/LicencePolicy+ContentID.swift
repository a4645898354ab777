import HavenAccess
import HavenStore

extension LicencePolicy {
    /// The CID (dag-json, sha2-256) of the policy's canonical JSON: how licence records name it.
    public var contentID: ContentID { ContentID.hashing(canonicalJSON, codec: .dagJSON) }
}
