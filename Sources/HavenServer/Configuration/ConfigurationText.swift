import Foundation

/// Edits of `haven.toml` that Haven makes itself, as text, so that everything else in the file
/// (comments, order, other settings) stays as the owner wrote it.
public enum ConfigurationText {
    /// `text` with `[store] backend` set to `backend`: the setting's line replaced where there
    /// is one, else added under `[store]`, else a `[store]` table appended.
    public static func setting(storeBackend backend: StoreBackend, in text: String) -> String {
        let wanted = "backend = \"\(backend.rawValue)\""
        var lines = text.components(separatedBy: "\n")
        var section: String?
        var header: Int?
        for (number, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") {
                let name = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "[] \t"))
                section = String(name.prefix { $0 != "#" && $0 != "]" }).trimmingCharacters(in: .whitespaces)
                if !trimmed.hasPrefix("[["), section == "store" { header = number }
                continue
            }
            guard section == "store", header != nil else { continue }
            let key = trimmed.prefix { $0 != "=" }.trimmingCharacters(in: .whitespaces)
            if key == "backend", trimmed.contains("=") {
                let indent = line.prefix { $0 == " " || $0 == "\t" }
                lines[number] = indent + wanted
                return lines.joined(separator: "\n")
            }
        }
        if let header {
            lines.insert(wanted, at: header + 1)
            return lines.joined(separator: "\n")
        }
        let separator = text.isEmpty || text.hasSuffix("\n") ? "" : "\n"
        return text + separator + "\n[store]\n" + wanted + "\n"
    }
}
