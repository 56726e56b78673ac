/// The names the daemon makes from names it was given: side files of a report
/// (`.NAME.errors.json.part`, `NAME.errors.json`), numbered copies (`NAME.1.csv`) and downloads.
/// Linux file systems take names of up to 255 bytes (NAME_MAX), so any name they accept must
/// still leave room for what the daemon adds, or a valid report fails on its errors file.
public enum FileNames {
    /// NAME_MAX of ext4, xfs, btrfs and tmpfs.
    public static let maxBytes = 255

    /// `prefix + name + suffix`, with `name` shortened when the whole would exceed `maxBytes`:
    /// cut at a character boundary and followed by `~` and 16 hex digits of a hash of the whole
    /// name, so two long names sharing their first 200 bytes still get different side files.
    public static func fitting(_ name: String, prefix: String = "", suffix: String = "", maxBytes: Int = maxBytes)
        -> String
    {
        let room = maxBytes - prefix.utf8.count - suffix.utf8.count
        guard name.utf8.count > room else { return prefix + name + suffix }
        let tag = "~" + hex(fnv1a(name))
        return prefix + head(of: name, bytes: room - tag.utf8.count) + tag + suffix
    }

    /// A name for a file a remote listing names: the name itself when it fits `maxBytes`, else
    /// `tagged` with a hash of the name. The extension is kept: format detection reads it.
    public static func fittingKeepingExtension(_ name: String, maxBytes: Int = maxBytes) -> String {
        name.utf8.count <= maxBytes ? name : tagged(name, with: name, maxBytes: maxBytes)
    }

    /// The name's start, `~`, 16 hex digits of a hash of `seed` (a URL: what makes the file
    /// unique), and the name's extension, within `maxBytes`: for a name that is too long or
    /// already taken by another file.
    public static func tagged(_ name: String, with seed: String, maxBytes: Int = maxBytes) -> String {
        let dot = name.lastIndex(of: ".")
        var ext = dot.map { String(name[$0...]) } ?? ""
        if ext.utf8.count > 16 || ext.contains("~") { ext = "" }
        let base = ext.isEmpty ? name : String(name[..<dot!])
        let tag = "~" + hex(fnv1a(seed))
        return head(of: base, bytes: maxBytes - tag.utf8.count - ext.utf8.count) + tag + ext
    }

    /// The longest run of whole characters from the start of `text` within `bytes` bytes of UTF-8.
    static func head(of text: String, bytes: Int) -> String {
        var kept = ""
        var used = 0
        for scalar in text.unicodeScalars {
            let size = String(scalar).utf8.count
            if used + size > bytes { break }
            kept.unicodeScalars.append(scalar)
            used += size
        }
        return kept
    }

    /// True for a name no report may carry: C0 controls (NUL among them, which would cut the
    /// name where the kernel reads it), DEL and C1 controls, or a "/".
    public static func isUnsafe(_ name: String) -> Bool {
        name.isEmpty
            || name.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "/" }
    }

    /// FNV-1a, 64 bits: a stable, dependency-free hash for telling names apart (not security).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
