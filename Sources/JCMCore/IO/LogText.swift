/// Log values come from outside (file names, listings, URLs, response bodies), so a log line
/// must show their control characters rather than carry them: an ESC would drive the terminal
/// that displays the journal, a newline would forge a line, and a NUL would cut the line short
/// where it is written with C strings.
public enum LogText {
    /// A logfmt value: bare when it has nothing to escape and no space, `"` or `=`; else quoted,
    /// with `\\`, `\"`, `\n`, `\r`, `\t`, and `\xNN` / `\u{NNNN}` for every other control
    /// character (C0, DEL, C1, and the line and paragraph separators).
    public static func logfmtValue(_ text: String) -> String {
        let bare =
            !text.isEmpty
            && !text.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || needsEscape($0) }
        return bare ? text : "\"" + escaped(text) + "\""
    }

    /// The text with backslashes, quotes and control characters escaped (no surrounding quotes).
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsEscape(scalar):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += scalar.value <= 0xFF ? "\\x" + (hex.count == 1 ? "0" : "") + hex : "\\u{" + hex + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
