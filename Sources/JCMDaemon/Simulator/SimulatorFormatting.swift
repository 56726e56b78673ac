/// Text formatting for simulator replies, done by hand from integers so the
/// output never depends on locale, Double printing or exponent notation.
enum SimulatorFormatting {
    /// "SIM-0001": four digits minimum, wider for numbers above 9999.
    static func meterID(_ number: Int) -> String {
        let digits = String(number)
        return "SIM-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A thousandths count as a decimal with exactly three fraction digits:
    /// 123456789 -> "123456.789".
    static func thousandths(_ value: Int64) -> String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let fraction = String(magnitude % 1000)
        return sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

}
