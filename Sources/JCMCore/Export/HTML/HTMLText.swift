/// Text and attribute values in the HTML report: everything that came from a file, a meter or
/// the configuration is escaped, so a meter named `<script>` prints as text.
public enum HTMLText {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// An id for an anchor: letters, digits, `-` and `_` kept, anything else as `_XX` (hex), so
    /// two meters never share one.
    public static func anchor(_ prefix: String, _ name: String) -> String {
        var out = prefix + "-"
        for b in name.utf8 {
            if (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b) || b == 45 {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "_" + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
