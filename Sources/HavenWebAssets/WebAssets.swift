/// The web app's files (HTML, CSS, JavaScript modules and icons from `web/`), compiled into
/// the binary by `scripts/embed-web` so that `haven serve` needs nothing beside itself.
public enum WebAssets {
    /// Every embedded asset by its path under `web/`, decoded on first use.
    public static let embedded: [String: WebAsset] = Dictionary(
        uniqueKeysWithValues: files.map { ($0.path, $0.decoded()) })
}
