/// Day-first or month-first dates as spreadsheets write them (`01/10/2026 10:00`), which are
/// ambiguous until a folder says which it gets (`[[watch]] timestamp_format`). Rewritten as an
/// ISO local time (`2026-10-01T10:00:00`), which the validator then reads in the meter's or the
/// folder's timezone; any other text is passed on unchanged, so ISO timestamps still work.
public enum LocalDateOrder: String, Sendable, Equatable, CaseIterable {
    case dayFirst = "day-first"
    case monthFirst = "month-first"

    /// `D/M/YYYY H:MM[:SS]` (or `M/D/…`), with `/`, `.` or `-` between the date's parts and a
    /// space or `T` before the time; nil when the text is not of that shape.
    public func iso(_ text: String) -> String? {
        var parts: [Int] = []
        var digits = 0
        var value = 0
        var separators: [Character] = []
        for c in text {
            if let d = c.wholeNumberValue, c.isASCII {
                value = value * 10 + d
                digits += 1
                guard digits <= 4 else { return nil }
            } else {
                guard digits > 0 else { return nil }
                parts.append(value)
                separators.append(c)
                value = 0
                digits = 0
            }
        }
        guard digits > 0 else { return nil }
        parts.append(value)
        guard parts.count == 5 || parts.count == 6 else { return nil }
        let dateSeparators: Set<Character> = ["/", ".", "-"]
        guard dateSeparators.contains(separators[0]), separators[1] == separators[0],
            separators[2] == " " || separators[2] == "T",
            separators[3...].allSatisfy({ $0 == ":" })
        else { return nil }
        let (day, month) = self == .dayFirst ? (parts[0], parts[1]) : (parts[1], parts[0])
        let year = parts[2]
        guard (1...31).contains(day), (1...12).contains(month), year >= 1000 else { return nil }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return
            "\(year)-\(two(month))-\(two(day))T\(two(parts[3])):\(two(parts[4])):\(two(parts.count == 6 ? parts[5] : 0))"
    }
}
