/// The character encoding a folder's CSV files are in (`[[watch]] encoding`), when not UTF-8:
/// a spreadsheet's "CSV" on Windows is Windows-1252. Each byte is one character, turned into
/// UTF-8 here, so `José` (4A 6F 73 E9) is stored as José rather than refused as not UTF-8.
public enum TextEncoding: String, Sendable, Equatable, CaseIterable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case latin1 = "iso-8859-1"

    /// Windows-1252's 0x80–0x9F (the rest is Latin-1); the five bytes it leaves undefined keep
    /// their Latin-1 code points, as WHATWG's decoder does.
    static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,
        0x017E, 0x0178,
    ]

    public func decode(_ bytes: some Collection<UInt8>) -> String {
        switch self {
        case .utf8: return String(decoding: bytes, as: UTF8.self)
        case .windows1252, .latin1:
            var out = String.UnicodeScalarView()
            for b in bytes {
                let code =
                    self == .windows1252 && (0x80...0x9F).contains(b) ? Self.windows1252High[Int(b - 0x80)] : UInt32(b)
                out.append(Unicode.Scalar(code)!)
            }
            return String(out)
        }
    }
}
