/// "Did you mean": the known key nearest to a misspelt one, by edit distance (insertions,
/// deletions, substitutions and swaps of neighbours), when it is near enough to be the intent:
/// at most 1 edit for keys up to 4 characters, 2 up to 10, 3 beyond.
enum KeySuggestion {
    static func closest(to key: String, in known: some Sequence<String>) -> String? {
        let limit = key.count <= 4 ? 1 : key.count <= 10 ? 2 : 3
        var best: (key: String, distance: Int)?
        for candidate in known.sorted() where candidate != key {
            let d = distance(Array(key.lowercased()), Array(candidate.lowercased()))
            if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        return best?.key
    }

    /// Optimal string alignment distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
