/// Writes small GGUF (version 3) files: a header, metadata and one tensor, the shape of a model
/// file without its megabytes, as seeds for the `gguf` target.
enum GGUFBuilder {
    /// A metadata value of one of the GGUF types the seeds use.
    enum Value {
        case uint32(UInt32)
        case int32(Int32)
        case uint64(UInt64)
        case string(String)
        case strings([String])
    }

    /// A llama-architecture file with `blockCount` layers, an 8-wide embedding, 2 heads, a chat
    /// template, a small vocabulary and one 8-float tensor.
    static func tiny(blockCount: Value) -> [UInt8] {
        let metadata: [(String, Value)] = [
            ("general.architecture", .string("llama")),
            ("general.name", .string("Fuzz Tiny")),
            ("general.size_label", .string("8")),
            ("llama.block_count", blockCount),
            ("llama.embedding_length", .uint32(8)),
            ("llama.attention.head_count", .uint32(2)),
            ("llama.attention.head_count_kv", .uint32(1)),
            ("tokenizer.chat_template", .string("{% for m in messages %}{{ m.content }}{% endfor %}")),
            ("tokenizer.ggml.tokens", .strings(["<s>", "</s>", "a", "b"])),
        ]
        var bytes = Array("GGUF".utf8)
        append(UInt32(3), to: &bytes)
        append(UInt64(1), to: &bytes)  // tensors
        append(UInt64(metadata.count), to: &bytes)
        for (key, value) in metadata {
            append(key, to: &bytes)
            append(value, to: &bytes)
        }
        // The tensor: name, one dimension of 8, type F32 (0), offset 0 in the data section.
        append("token_embd.weight", to: &bytes)
        append(UInt32(1), to: &bytes)
        append(UInt64(8), to: &bytes)
        append(UInt32(0), to: &bytes)
        append(UInt64(0), to: &bytes)
        // The data section starts at the next multiple of the default alignment, 32.
        bytes += [UInt8](repeating: 0, count: (32 - bytes.count % 32) % 32)
        for index in 0..<8 {
            append(Float(index).bitPattern, to: &bytes)
        }
        return bytes
    }

    private static func append(_ value: Value, to bytes: inout [UInt8]) {
        switch value {
        case .uint32(let number):
            append(UInt32(4), to: &bytes)
            append(number, to: &bytes)
        case .int32(let number):
            append(UInt32(5), to: &bytes)
            append(UInt32(bitPattern: number), to: &bytes)
        case .uint64(let number):
            append(UInt32(10), to: &bytes)
            append(number, to: &bytes)
        case .string(let text):
            append(UInt32(8), to: &bytes)
            append(text, to: &bytes)
        case .strings(let texts):
            append(UInt32(9), to: &bytes)
            append(UInt32(8), to: &bytes)
            append(UInt64(texts.count), to: &bytes)
            for text in texts {
                append(text, to: &bytes)
            }
        }
    }

    /// A GGUF string: its UTF-8 length as a little-endian UInt64, then the bytes.
    private static func append(_ text: String, to bytes: inout [UInt8]) {
        append(UInt64(text.utf8.count), to: &bytes)
        bytes += text.utf8
    }

    private static func append(_ number: some FixedWidthInteger, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: number.littleEndian) { bytes += $0 }
    }
}
