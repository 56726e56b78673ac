/// Bare values (numbers, booleans, date-times) are lexed as one token first and
/// classified afterwards, so an error can quote the whole token the operator wrote.
extension TOMLParser {
    mutating func parseBareValue() throws(TOMLError) -> TOMLValue {
        let start = here
        while let c = peek, Self.isTokenChar(c) { bump() }
        // `1979-05-27 07:32:00` is one value even though it contains a space.
        if here.offset - start.offset == 10, Self.isFullDate(bytes[start.offset..<here.offset]),
            peek == 0x20, let h1 = peek(1), let h2 = peek(2), TOMLChars.isDigit(h1), TOMLChars.isDigit(h2),
            peek(3) == UInt8(ascii: ":")
        {
            bump()
            while let c = peek, Self.isTokenChar(c) { bump() }
        }
        let token = Array(bytes[start.offset..<here.offset])
        guard !token.isEmpty else {
            throw fail("expected a value, found \(describeHere())", at: start)
        }
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if Self.looksLikeDateTime(token) {
            guard Self.isValidDateTime(token) else { throw fail("invalid date-time '\(text)'", at: start) }
            return .datetime(text)
        }
        switch Self.parseInteger(token) {
        case .value(let i): return .integer(i)
        case .outOfRange: throw fail("integer '\(text)' does not fit in 64 bits", at: start)
        case .notInteger: break
        }
        if let d = Self.parseFloat(token) { return .float(d) }
        let first = token[0]
        if TOMLChars.isDigit(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            throw fail("invalid number '\(text)'", at: start)
        }
        throw fail("invalid value '\(text)'; strings must be quoted", at: start)
    }

    private static func isTokenChar(_ c: UInt8) -> Bool {
        TOMLChars.isBareKeyChar(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":")
    }

    // MARK: integers

    enum IntegerResult {
        case value(Int64)
        case outOfRange, notInteger
    }

    static func parseInteger(_ b: [UInt8]) -> IntegerResult {
        if b.count > 2, b[0] == UInt8(ascii: "0") {
            let radix: Int64
            switch b[1] {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "b"): radix = 2
            default: radix = 0
            }
            if radix != 0 { return parseRadixInteger(b[2...], radix: radix) }
        }
        var digits = b[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard isDigitGroup(digits, TOMLChars.isDigit) else { return .notInteger }
        // Leading zeros would look octal to some readers, so TOML forbids them.
        if digits.count > 1, digits.first == UInt8(ascii: "0") { return .notInteger }
        // Accumulate on the negative side so Int64.min is reachable.
        var value: Int64 = 0
        for c in digits where c != UInt8(ascii: "_") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(c - UInt8(ascii: "0")))
            if o1 || o2 { return .outOfRange }
            value = s
        }
        if negative { return .value(value) }
        guard value != .min else { return .outOfRange }
        return .value(-value)
    }

    private static func parseRadixInteger(_ digits: ArraySlice<UInt8>, radix: Int64) -> IntegerResult {
        let isRadixDigit = { (c: UInt8) -> Bool in
            guard let v = hexValue(c) else { return false }
            return Int64(v) < radix
        }
        guard isDigitGroup(digits, isRadixDigit) else { return .notInteger }
        var value: Int64 = 0
        for c in digits where c != UInt8(ascii: "_") {
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (s, o2) = m.addingReportingOverflow(Int64(hexValue(c)!))
            if o1 || o2 { return .outOfRange }
            value = s
        }
        return .value(value)
    }

    /// Underscores are allowed only between two digits.
    static func isDigitGroup(_ b: ArraySlice<UInt8>, _ isDigit: (UInt8) -> Bool) -> Bool {
        guard let first = b.first, let last = b.last, isDigit(first), isDigit(last) else { return false }
        var previousUnderscore = false
        for c in b {
            if c == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if isDigit(c) {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    // MARK: floats

    static func parseFloat(_ b: [UInt8]) -> Double? {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < b.count, TOMLChars.isDigit(b[i]) || b[i] == UInt8(ascii: "_") { i += 1 }
        let intPart = b[intStart..<i]
        guard isDigitGroup(intPart, TOMLChars.isDigit) else { return nil }
        if intPart.count > 1, intPart.first == UInt8(ascii: "0") { return nil }
        var hasFraction = false
        var hasExponent = false
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, TOMLChars.isDigit(b[i]) || b[i] == UInt8(ascii: "_") { i += 1 }
            guard isDigitGroup(b[start..<i], TOMLChars.isDigit) else { return nil }
            hasFraction = true
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let start = i
            while i < b.count, TOMLChars.isDigit(b[i]) || b[i] == UInt8(ascii: "_") { i += 1 }
            guard isDigitGroup(b[start..<i], TOMLChars.isDigit) else { return nil }
            hasExponent = true
        }
        guard i == b.count, hasFraction || hasExponent else { return nil }
        return Double(String(decoding: b.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self))
    }

    // MARK: date-times

    /// `dddd-` or `dd:` at the start can only be a date or a time, so a malformed one
    /// is reported as a date-time rather than as a bad number.
    static func looksLikeDateTime(_ b: [UInt8]) -> Bool {
        if b.count >= 3, TOMLChars.isDigit(b[0]), TOMLChars.isDigit(b[1]), b[2] == UInt8(ascii: ":") { return true }
        return b.count >= 5 && b[0..<4].allSatisfy(TOMLChars.isDigit) && b[4] == UInt8(ascii: "-")
    }

    static func isValidDateTime(_ b: [UInt8]) -> Bool {
        if b[2] == UInt8(ascii: ":") { return timeEnd(b, from: 0) == b.count }
        guard b.count >= 10, isFullDate(b[0..<10]) else { return false }
        if b.count == 10 { return true }
        guard [UInt8(ascii: "T"), UInt8(ascii: "t"), 0x20].contains(b[10]),
            let end = timeEnd(b, from: 11)
        else { return false }
        let offset = b[end...]
        if offset.isEmpty { return true }
        if offset.count == 1 { return offset.first == UInt8(ascii: "Z") || offset.first == UInt8(ascii: "z") }
        guard offset.count == 6, offset.first == UInt8(ascii: "+") || offset.first == UInt8(ascii: "-"),
            let h = twoDigits(b, end + 1), b[end + 3] == UInt8(ascii: ":"), let m = twoDigits(b, end + 4)
        else { return false }
        return h <= 23 && m <= 59
    }

    static func isFullDate(_ b: ArraySlice<UInt8>) -> Bool {
        let b = Array(b)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let y1 = twoDigits(b, 0), let y2 = twoDigits(b, 2),
            let month = twoDigits(b, 5), let day = twoDigits(b, 8),
            (1...12).contains(month), day >= 1
        else { return false }
        let year = y1 * 100 + y2
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// `hh:mm:ss[.fraction]` starting at `i`; returns the index after it. Seconds may be
    /// 60 to allow leap seconds.
    private static func timeEnd(_ b: [UInt8], from i: Int) -> Int? {
        guard b.count >= i + 8, let h = twoDigits(b, i), b[i + 2] == UInt8(ascii: ":"),
            let m = twoDigits(b, i + 3), b[i + 5] == UInt8(ascii: ":"), let s = twoDigits(b, i + 6),
            h <= 23, m <= 59, s <= 60
        else { return nil }
        var end = i + 8
        if end < b.count, b[end] == UInt8(ascii: ".") {
            end += 1
            let fractionStart = end
            while end < b.count, TOMLChars.isDigit(b[end]) { end += 1 }
            if end == fractionStart { return nil }
        }
        return end
    }

    private static func twoDigits(_ b: [UInt8], _ i: Int) -> Int? {
        guard i + 1 < b.count, TOMLChars.isDigit(b[i]), TOMLChars.isDigit(b[i + 1]) else { return nil }
        return Int(b[i] - 0x30) * 10 + Int(b[i + 1] - 0x30)
    }
}
