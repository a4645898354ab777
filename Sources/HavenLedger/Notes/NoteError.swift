/// Why a signed note, a key, a checkpoint, a cosignature, a tlog-witness request or a tlog-proof
/// was refused. Each case names the part at fault so the message says what to fix.
public enum NoteError: Error, Equatable, Sendable {
    // MARK: Note text (c2sp.org/signed-note)

    /// The bytes are not valid UTF-8.
    case invalidUTF8
    /// An ASCII control character other than newline, at this byte offset of the input.
    case controlCharacter(offset: Int, value: UInt8)
    /// A note text (or checkpoint text) must end with a newline.
    case missingFinalNewline
    /// No blank line separates the text from the signature lines.
    case missingSignatureSeparator
    /// The note has no signature line (or a note was built with none).
    case noSignatures
    /// Signature line `number` (1-based) is not `— <name> <base64>`.
    case malformedSignatureLine(number: Int, reason: String)
    /// A signature with a key ID but no signature bytes after it, for key `name`.
    case emptySignature(name: String)
    /// A key name is empty, or holds a space, a plus or a control character.
    case invalidKeyName(String)
    /// More signatures than this implementation accepts.
    case tooManySignatures(count: Int, limit: Int)
    /// A field is not canonical standard base64 (RFC 4648 §4, padded).
    case invalidBase64(field: String)
    /// The input ends inside a line; every line must end with a newline.
    case missingNewline(after: String)
    /// A single-line field holds a newline.
    case embeddedNewline(field: String)

    // MARK: Keys

    /// A verifier key is not `<name>+<8 hex digits>+<base64(type || public key)>`.
    case malformedVerifierKey(reason: String)
    /// A signer key is not `PRIVATE+KEY+<name>+<8 hex digits>+<base64(type || seed)>`.
    case malformedSignerKey(reason: String)
    /// The key's signature type byte is not one this code implements (0x01, 0x04).
    case unsupportedSignatureType(UInt8)
    /// The key ID written in a key does not match the one computed from its name and key.
    case keyIDMismatch(name: String, stated: NoteKeyID, computed: NoteKeyID)
    /// The signing library refused to sign.
    case signingFailed(reason: String)

    // MARK: Verification

    /// A signature from a trusted key does not verify: the note was altered or forged.
    case invalidSignature(name: String, keyID: NoteKeyID)
    /// No signature in the note is from a trusted key; `signers` lists who did sign (`name+keyid`).
    case noTrustedSignature(signers: [String])
    /// Two different trusted keys share a name and key ID; the verifier list is misconfigured.
    case ambiguousVerifierKeys(name: String, keyID: NoteKeyID)

    // MARK: Numbers and hashes

    /// A decimal field holds something other than ASCII digits.
    case invalidNumber(field: String, text: String)
    /// A decimal field has leading zeros; only `0` itself may start with one.
    case leadingZeros(field: String, text: String)
    /// A decimal field does not fit in 64 bits.
    case numberOutOfRange(field: String, text: String)
    /// A hash decoded to the wrong number of bytes (SHA-256 hashes are 32).
    case wrongHashLength(field: String, byteCount: Int)

    // MARK: Checkpoints (c2sp.org/tlog-checkpoint)

    /// A checkpoint needs an origin, a tree size and a root hash line.
    case checkpointTooShort(lineCount: Int)
    /// The origin line is empty.
    case emptyOrigin
    /// Extension line `number` (1-based, counting from the first extension line) is empty.
    case emptyExtensionLine(number: Int)

    // MARK: Cosignatures (c2sp.org/tlog-cosignature)

    /// A signature from a cosigner key is not key ID || 8-byte timestamp || 64-byte signature.
    case malformedCosignature(name: String, keyID: NoteKeyID, byteCount: Int)
    /// A cosignature timestamp above 2^63 - 1.
    case timestampOutOfRange(UInt64)

    // MARK: tlog-witness requests and tlog-proof files

    /// A line is not what the format requires at that place.
    case unexpectedLine(expected: String, found: String)
    /// More proof hashes than the format allows.
    case tooManyProofHashes(count: Int, limit: Int)
    /// An add-checkpoint request's old size is larger than the checkpoint's tree size (400).
    case oldSizeExceedsTreeSize(oldSize: UInt64, treeSize: UInt64)
    /// A tlog-proof's entry index is not inside the checkpoint's tree.
    case indexOutOfRange(index: UInt64, treeSize: UInt64)
}

extension NoteError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidUTF8:
            "the note is not valid UTF-8; notes are UTF-8 text"
        case .controlCharacter(let offset, let value):
            "the note holds control character 0x\(hex(value)) at byte \(offset); "
                + "only newline (0x0a) is allowed below 0x20"
        case .missingFinalNewline:
            "the text does not end with a newline; a note text (and a checkpoint) ends with \"\\n\""
        case .missingSignatureSeparator:
            "the note has no blank line before its signatures; put one empty line between the text "
                + "and the \"— <name> <signature>\" lines"
        case .noSignatures:
            "the note has no signature lines; a signed note needs at least one"
        case .malformedSignatureLine(let number, let reason):
            "signature line \(number) is malformed (\(reason)); the form is \"— <key name> <base64>\""
        case .emptySignature(let name):
            "the signature for \(name) has no bytes after its key ID"
        case .invalidKeyName(let name):
            "the key name \"\(name)\" is invalid; names are non-empty, without spaces, \"+\" or control characters"
        case .tooManySignatures(let count, let limit):
            "the note has \(count) signatures; at most \(limit) are accepted"
        case .invalidBase64(let field):
            "the \(field) is not canonical standard base64 (RFC 4648 §4, with padding)"
        case .missingNewline(let after):
            "the input ends without a newline after the \(after); every line must end with \"\\n\""
        case .embeddedNewline(let field):
            "the \(field) holds a newline; it must fit on one line"
        case .malformedVerifierKey(let reason):
            "the verifier key is malformed (\(reason)); the form is <name>+<8 hex digits>+<base64 key>"
        case .malformedSignerKey(let reason):
            "the signer key is malformed (\(reason)); the form is PRIVATE+KEY+<name>+<8 hex digits>+<base64 seed>"
        case .unsupportedSignatureType(let type):
            "signature type 0x\(hex(type)) is not supported; use 0x01 (Ed25519) or 0x04 (Ed25519 cosignature/v1)"
        case .keyIDMismatch(let name, let stated, let computed):
            "the key for \"\(name)\" states key ID \(stated) but its name and key give \(computed); "
                + "the key text was altered or belongs to another name"
        case .signingFailed(let reason):
            "signing failed: \(reason)"
        case .invalidSignature(let name, let keyID):
            "the signature by trusted key \(name)+\(keyID) does not verify; the note was altered or forged"
        case .noTrustedSignature(let signers):
            "no signature is from a trusted key (signed by: "
                + (signers.isEmpty ? "nobody" : signers.joined(separator: ", "))
                + "); add the signer's verifier key or reject the note"
        case .ambiguousVerifierKeys(let name, let keyID):
            "two different trusted keys are named \(name)+\(keyID); remove one from the verifier list"
        case .invalidNumber(let field, let text):
            "the \(field) \"\(text)\" is not an ASCII decimal number"
        case .leadingZeros(let field, let text):
            "the \(field) \"\(text)\" has leading zeros; write it without them (zero is \"0\")"
        case .numberOutOfRange(let field, let text):
            "the \(field) \"\(text)\" does not fit in 64 bits"
        case .wrongHashLength(let field, let byteCount):
            "the \(field) decodes to \(byteCount) bytes; a SHA-256 hash is 32"
        case .checkpointTooShort(let lineCount):
            "the checkpoint has \(lineCount) lines; it needs origin, tree size and root hash"
        case .emptyOrigin:
            "the checkpoint origin (first line) is empty; it names the log"
        case .emptyExtensionLine(let number):
            "checkpoint extension line \(number) is empty; extension lines must be non-empty"
        case .malformedCosignature(let name, let keyID, let byteCount):
            "the cosignature by \(name)+\(keyID) has \(byteCount) bytes after the key ID; "
                + "cosignature/v1 needs 72 (8-byte timestamp, 64-byte Ed25519 signature)"
        case .timestampOutOfRange(let timestamp):
            "the cosignature timestamp \(timestamp) is above 2^63 - 1"
        case .unexpectedLine(let expected, let found):
            "expected \(expected), found \"\(found)\""
        case .tooManyProofHashes(let count, let limit):
            "the proof has \(count) hashes; at most \(limit) are allowed"
        case .oldSizeExceedsTreeSize(let oldSize, let treeSize):
            "the old size \(oldSize) is larger than the checkpoint's tree size \(treeSize)"
        case .indexOutOfRange(let index, let treeSize):
            "entry index \(index) is not in a tree of size \(treeSize)"
        }
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return byte < 0x10 ? "0" + digits : digits
    }
}
