/// The HTML folder index of nginx (`autoindex on;`) and Apache (mod_autoindex): the files are
/// the links. Only links to a file directly in the folder count: sort links (`?C=N;O=D`), the
/// parent ("../", "/parent/"), subfolders (ending in "/") and links elsewhere are skipped.
/// Subfolders are not followed: one `[[upload]]` reads one folder.
/// The index says nothing reliable of versions (sizes are rounded, dates are local and
/// minute-precise), so entries carry none; downloads are made conditional instead.
public enum HTMLIndexListing {
    public static func parse(_ body: [UInt8], listingURL: String) throws(UploadListingError) -> [UploadEntry] {
        guard let text = String(validating: body, as: UTF8.self) else {
            throw UploadListingError(url: listingURL, message: "the index is not UTF-8 text")
        }
        let start = text.drop { $0.isWhitespace }.first
        if start == "[" || start == "{" {
            throw UploadListingError(
                url: listingURL, message: "this is JSON, not an HTML index; set listing = \"nginx-json\"")
        }
        guard text.contains("<") else {
            throw UploadListingError(url: listingURL, message: "not an HTML index (no markup)")
        }
        let folder = UploadURL.folder(of: listingURL)
        var seen: Set<String> = []
        var entries: [UploadEntry] = []
        for href in try hrefs(in: text, listingURL: listingURL) {
            guard let name = fileName(href), seen.insert(name).inserted else { continue }
            entries.append(UploadEntry(name: name, key: name, url: folder + UploadURL.encode(name)))
        }
        return entries
    }

    /// The file a link names, or nil when it is not a file directly in the folder.
    static func fileName(_ href: String) -> String? {
        var h = Substring(href)
        if h.hasPrefix("./") { h = h.dropFirst(2) }
        guard !h.isEmpty, !h.hasPrefix("/"), !h.hasSuffix("/"), !h.contains("?"), !h.contains("#"), !h.contains(":"),
            !h.contains("/")
        else {
            return nil
        }
        guard let name = UploadURL.decode(String(h)), name != ".", name != "..", !name.contains("/") else { return nil }
        return name
    }

    /// Every `href` of an `<a>` tag, entities decoded, in document order.
    static func hrefs(in text: String, listingURL: String) throws(UploadListingError) -> [String] {
        let bytes = Array(text.utf8)
        var out: [String] = []
        var i = 0
        func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<"), i + 2 < bytes.count, lower(bytes[i + 1]) == UInt8(ascii: "a"),
                bytes[i + 2] == 32 || bytes[i + 2] == 9 || bytes[i + 2] == 10 || bytes[i + 2] == 13
            else {
                i += 1
                continue
            }
            guard let end = bytes[i...].firstIndex(of: UInt8(ascii: ">")) else {
                throw UploadListingError(url: listingURL, message: "an <a> tag is not closed (the index was cut off?)")
            }
            let tag = String(decoding: bytes[(i + 2)..<end], as: UTF8.self)
            if let href = attribute("href", in: tag) { out.append(HTMLEntities.decode(href)) }
            i = end + 1
        }
        return out
    }

    /// The value of `name=` in a tag's attribute text: double-, single- or un-quoted.
    static func attribute(_ name: String, in tag: String) -> String? {
        let chars = Array(tag.unicodeScalars)
        var i = 0
        while i < chars.count {
            while i < chars.count, chars[i].properties.isWhitespace { i += 1 }
            let nameStart = i
            while i < chars.count, chars[i] != "=", !chars[i].properties.isWhitespace { i += 1 }
            let attr = String(String.UnicodeScalarView(chars[nameStart..<i])).lowercased()
            while i < chars.count, chars[i].properties.isWhitespace { i += 1 }
            guard i < chars.count, chars[i] == "=" else {
                if i == nameStart { i += 1 }
                continue
            }
            i += 1
            while i < chars.count, chars[i].properties.isWhitespace { i += 1 }
            var value: String
            if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
                let quote = chars[i]
                let valueStart = i + 1
                i = valueStart
                while i < chars.count, chars[i] != quote { i += 1 }
                value = String(String.UnicodeScalarView(chars[valueStart..<min(i, chars.count)]))
                i += 1
            } else {
                let valueStart = i
                while i < chars.count, !chars[i].properties.isWhitespace { i += 1 }
                value = String(String.UnicodeScalarView(chars[valueStart..<i]))
            }
            if attr == name { return value }
            value = ""
        }
        return nil
    }
}

/// The character references an index or an S3 listing uses: the five named ones and numeric.
enum HTMLEntities {
    static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[amp...]
            if let semi = after.prefix(12).firstIndex(of: ";") {
                let name = after[after.index(after: amp)..<semi]
                if let scalar = scalar(for: name) {
                    out.unicodeScalars.append(scalar)
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out.append("&")
            rest = after.dropFirst()
        }
        return out + rest
    }

    private static func scalar(for name: Substring) -> Unicode.Scalar? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value =
                digits.hasPrefix("x") || digits.hasPrefix("X")
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            return value.flatMap(Unicode.Scalar.init)
        }
    }
}
