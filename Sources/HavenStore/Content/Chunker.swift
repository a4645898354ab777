/// FastCDC content-defined chunker (Xia et al., USENIX ATC 2016) with normalised chunking at
/// level 2. Streaming: bytes go in in pieces of any size, whole chunks come out, and the
/// boundaries depend only on the bytes, never on how they were split into pieces.
///
/// At most `maximumSize` bytes are held between calls; pieces of at least `maximumSize` bytes
/// are chunked in place without copying.
public struct Chunker: Sendable {
    /// The sizes this chunker cuts at; fixed for its lifetime.
    public let parameters: ChunkingParameters
    /// Bytes of the chunk being assembled; always fewer than `maximumSize` between calls.
    private var pending: [UInt8] = []

    /// A chunker at the start of a stream.
    public init(parameters: ChunkingParameters = .standard) {
        self.parameters = parameters
        pending.reserveCapacity(parameters.maximumSize)
    }

    /// Feeds the next bytes of the stream; calls `emit` once per completed chunk with its bytes
    /// (the pointer is valid only during the call). If `emit` throws, the stream is abandoned:
    /// start again with a new chunker.
    public mutating func append(
        _ bytes: UnsafeRawBufferPointer,
        emit: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        let parameters = parameters
        let maximum = parameters.maximumSize
        var input = bytes
        while true {
            if pending.isEmpty {
                // Chunk straight from the caller's buffer while a whole window is there.
                while input.count >= maximum {
                    let cut = Self.cutPoint(in: input, parameters: parameters)
                    try emit(UnsafeRawBufferPointer(rebasing: input[..<cut]))
                    input = UnsafeRawBufferPointer(rebasing: input[cut...])
                }
                pending.append(contentsOf: input)
                return
            }
            // A chunk straddles the pending bytes and the input: copy just enough of the input
            // to make a full window, then cut.
            let held = pending.count
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: input.prefix(maximum - held)))
            guard pending.count == maximum else { return }
            let cut = try pending.withUnsafeBytes { window in
                let cut = Self.cutPoint(in: window, parameters: parameters)
                try emit(UnsafeRawBufferPointer(rebasing: window[..<cut]))
                return cut
            }
            if cut >= held {
                // The rest of the window came from the input: go on from there without copying.
                input = UnsafeRawBufferPointer(rebasing: input[(cut - held)...])
                pending.removeAll(keepingCapacity: true)
            } else {
                // The cut fell inside the held bytes: keep their tail, forget the copied input.
                pending.removeSubrange(held...)
                pending.removeSubrange(..<cut)
            }
        }
    }

    /// Ends the stream, emitting the remaining bytes as chunks (the last possibly shorter than
    /// `minimumSize`). An empty stream emits nothing. The chunker is then ready for a new stream.
    public mutating func finish(emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let parameters = parameters
        defer { pending.removeAll(keepingCapacity: true) }
        try pending.withUnsafeBytes { buffer in
            var rest = buffer
            while !rest.isEmpty {
                let cut = Self.cutPoint(in: rest, parameters: parameters)
                try emit(UnsafeRawBufferPointer(rebasing: rest[..<cut]))
                rest = UnsafeRawBufferPointer(rebasing: rest[cut...])
            }
        }
    }

    /// The length of the first chunk of `data`, taking `data` as the rest of the stream.
    ///
    /// Reads at most the first `maximumSize` bytes. A result shorter than that window is final
    /// whatever follows; when `data` holds fewer than `maximumSize` bytes and no cut point is
    /// found, the result is `data.count`, which is right only at the end of the stream (the
    /// streaming chunker calls this with a full window or at the end). Returns 0 only for
    /// empty `data`.
    ///
    /// Skips the first `minimumSize` bytes, then rolls the gear fingerprint
    /// `fp = (fp << 1) &+ gear[byte]` and cuts after the first byte where `fp & mask == 0`,
    /// with the harder mask before `averageSize` and the easier one after it.
    public static func cutPoint(in data: UnsafeRawBufferPointer, parameters: ChunkingParameters) -> Int {
        let end = min(data.count, parameters.maximumSize)
        guard end > parameters.minimumSize else { return end }
        let normal = min(parameters.averageSize, end)
        let smallMask = parameters.smallMask
        let largeMask = parameters.largeMask
        return GearTable.values.withUnsafeBufferPointer { gear in
            var fingerprint: UInt64 = 0
            var index = parameters.minimumSize
            while index < normal {
                fingerprint = (fingerprint << 1) &+ gear[Int(data[index])]
                if fingerprint & smallMask == 0 { return index + 1 }
                index += 1
            }
            while index < end {
                fingerprint = (fingerprint << 1) &+ gear[Int(data[index])]
                if fingerprint & largeMask == 0 { return index + 1 }
                index += 1
            }
            return end
        }
    }
}
