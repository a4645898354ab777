extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in these bytes: what a search of a stolen disk or a
    /// copied archive for known text does.
    func contains(sequence needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        var start = startIndex
        while let found = self[start...].firstIndex(of: first), found + needle.count <= endIndex {
            if self[found..<(found + needle.count)].elementsEqual(needle) { return true }
            start = found + 1
        }
        return false
    }
}
