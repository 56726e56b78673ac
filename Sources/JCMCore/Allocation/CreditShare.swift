import Foundation

/// A share of a period's credits as an exact fraction: written "1/3", "33.5%" or "0.25" in the
/// configuration, kept as numerator and denominator in lowest terms, so a third is a third and
/// shares add up to exactly 1 or they do not (no float rounding hides a missing credit).
public struct CreditShare: Sendable, Equatable, CustomStringConvertible {
    public let numerator: Int128
    /// Above zero.
    public let denominator: Int128
    /// As the configuration wrote it.
    public let text: String

    public init?(numerator: Int128, denominator: Int128, text: String? = nil) {
        guard denominator > 0, numerator >= 0 else { return nil }
        let g = Self.gcd(numerator, denominator)
        self.numerator = numerator / g
        self.denominator = denominator / g
        self.text = text ?? "\(numerator / g)/\(denominator / g)"
    }

    /// "n/d" (whole numbers), "p%" or a decimal; between 0 and 1 inclusive. Nil otherwise.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        var parsed: (Int128, Int128)?
        if let slash = t.firstIndex(of: "/") {
            let n = t[..<slash].trimmingCharacters(in: .whitespaces)
            let d = t[t.index(after: slash)...].trimmingCharacters(in: .whitespaces)
            if n.allSatisfy(\.isASCIIDigit), d.allSatisfy(\.isASCIIDigit), let n = Int128(n), let d = Int128(d) {
                parsed = (n, d)
            }
        } else {
            let percent = t.hasSuffix("%")
            if let v = ExactDecimal(parsing: percent ? String(t.dropLast()) : t) {
                let scale = v.scale + (percent ? 2 : 0)
                if scale <= ExactDecimal.maxScale + 2 { parsed = (v.significand, ExactDecimal.pow10(scale)) }
            }
        }
        guard let (n, d) = parsed, d > 0, n >= 0, n <= d else { return nil }
        self.init(numerator: n, denominator: d, text: t)
    }

    public var description: String { text }

    public static let zero = CreditShare(numerator: 0, denominator: 1)!

    /// The exact sum; nil when the common denominator would not fit.
    public static func + (a: CreditShare, b: CreditShare) -> CreditShare? {
        let g = gcd(a.denominator, b.denominator)
        let (l, o1) = (a.denominator / g).multipliedReportingOverflow(by: b.denominator)
        let (x, o2) = a.numerator.multipliedReportingOverflow(by: l / a.denominator)
        let (y, o3) = b.numerator.multipliedReportingOverflow(by: l / b.denominator)
        let (n, o4) = x.addingReportingOverflow(y)
        guard !(o1 || o2 || o3 || o4) else { return nil }
        return CreditShare(numerator: n, denominator: l)
    }

    public var isOne: Bool { numerator == denominator }

    static func gcd(_ a: Int128, _ b: Int128) -> Int128 {
        var (a, b) = (a.magnitude, b.magnitude)
        while b != 0 { (a, b) = (b, a % b) }
        return a == 0 ? 1 : Int128(a)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
