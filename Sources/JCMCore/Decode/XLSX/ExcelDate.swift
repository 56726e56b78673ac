/// An Excel date serial (days since the workbook's epoch, the time of day as the fraction) as the
/// local date and time it shows, without an offset: the meter's or folder's time zone is applied
/// by the validator, as for a CSV timestamp without one.
///
/// The serial is read exactly from its decimal text and rounded to the millisecond, the finest
/// step Excel shows: 0.5416666666666666 is 13:00:00, not 12:59:59.999999.
public enum ExcelDate {
    /// Days from each epoch to 1970-01-01. The 1900 system counts from 1899-12-30 so that serials
    /// from 61 on are right despite Lotus's 29 February 1900.
    static let unixDays1900: Int64 = 25_569
    static let unixDays1904: Int64 = 24_107
    static let millisecondsPerDay: Int128 = 86_400_000

    /// nil for a serial that is not a number, negative, or before 1900-03-01 in the 1900 system
    /// (whose first two months Excel counts wrong).
    public static func localTime(serial: String, date1904: Bool) -> String? {
        guard let value = ExactDecimal(parsing: serial), value >= .zero else { return nil }
        var scale: Int128 = 1
        for _ in 0..<value.scale { scale *= 10 }
        let scaled = value.significand * millisecondsPerDay
        let milliseconds = (scaled + scale / 2) / scale  // half up; the serial is not negative
        let days = Int64(milliseconds / millisecondsPerDay)
        if !date1904 && days < 61 { return nil }
        let unixMilliseconds = Int64(milliseconds) - (date1904 ? unixDays1904 : unixDays1900) * 86_400_000
        let text = Timestamp(microseconds: unixMilliseconds * 1000).formatted(fractionDigits: 3).dropLast()
        return text.hasSuffix(".000") ? String(text.dropLast(4)) : String(text)
    }
}
