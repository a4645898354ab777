/// Reads a text one newline-terminated line at a time, for the formats that put header lines
/// before a signed note (tlog-witness requests, tlog-proof files).
struct NoteLineReader {
    private let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next line without its newline; nil at the end of the input; throws if the input ends
    /// without a newline. `what` names the expected line for the error message.
    mutating func nextLine(expecting what: String) throws(NoteError) -> ArraySlice<UInt8>? {
        guard position < bytes.count else { return nil }
        guard let end = bytes[position...].firstIndex(of: NoteSyntax.newline) else {
            throw .missingNewline(after: what)
        }
        defer { position = end + 1 }
        return bytes[position..<end]
    }

    /// Everything not read yet.
    var remainder: ArraySlice<UInt8> { bytes[position...] }
}
