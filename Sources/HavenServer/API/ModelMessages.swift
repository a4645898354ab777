import Foundation
import Hummingbird

/// An installed model as `/haven/models` shows it.
public struct ModelInfo: Codable, Sendable, ResponseEncodable {
    public let name: String
    public let file: String
    public let sizeBytes: Int64
    public let addedAt: Date
    public let architecture: String?
    public let sizeLabel: String?
    /// Whether the model is in memory now.
    public let loaded: Bool
    /// For a model served by upstream servers (`[[inference.upstream]]`), their names; `nil`
    /// for an installed one.
    public var upstreams: [String]? = nil
    /// For a LoRA adapter installed as a model: its base, scale, file and, if Haven trained it,
    /// its data, steps and perplexities.
    public var adapter: ModelAdapter? = nil
    /// For a vision model: the multimodal projector it sees images with.
    public var projector: ModelProjector? = nil

    enum CodingKeys: String, CodingKey {
        case name, file, architecture, loaded, upstreams, adapter, projector
        case sizeBytes = "size_bytes"
        case addedAt = "added_at"
        case sizeLabel = "size_label"
    }
}

/// Body of `GET /haven/models`.
public struct ModelInfoList: Codable, Sendable, ResponseEncodable {
    public let models: [ModelInfo]
}

/// Body of `POST /haven/models`: a GGUF file on the server's machine to install; with `base`,
/// a LoRA adapter to install on that model as model `name` (required then), at `scale`; with
/// `mmproj`, a vision model and its multimodal projector.
public struct AddModelRequest: Codable, Sendable {
    public let path: String
    public let name: String?
    public let base: String?
    public let scale: Double?
    /// A vision model's multimodal projector (llama.cpp's mmproj GGUF), installed with it.
    public let mmproj: String?

    public init(path: String, name: String?, base: String? = nil, scale: Double? = nil, mmproj: String? = nil) {
        self.path = path
        self.name = name
        self.base = base
        self.scale = scale
        self.mmproj = mmproj
    }
}
