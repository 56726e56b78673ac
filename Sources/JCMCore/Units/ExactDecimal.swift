/// A decimal number held exactly: `significand / 10^scale`.
///
/// Meter values feed emission reductions and so credits; they must never pass through binary
/// floating point. 128 bits hold 38 significant digits, far beyond any meter's register.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    public private(set) var significand: Int128
    /// Digits after the decimal point, 0...maxScale.
    public private(set) var scale: Int

    public static let maxScale = 30
    public static let zero = ExactDecimal(significand: 0, scale: 0)

    public init(significand: Int128, scale: Int) {
        precondition(scale >= 0 && scale <= Self.maxScale)
        self.significand = significand
        self.scale = scale
    }

    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]`, the grammar shared by CSV values and JSON
    /// numbers. Returns nil for anything else (empty, spaces, `NaN`, `inf`, `1,5`) or when the
    /// value needs more than 38 digits.
    public init?(parsing text: some StringProtocol) {
        var text = String(text)  // withUTF8 borrows a native string's bytes without copying
        guard let value = text.withUTF8({ ExactDecimal(utf8: $0) }) else { return nil }
        self = value
    }

    /// True when the text is written as a decimal number (ASCII digits, one point, an exponent)
    /// whatever its size: tells "too large" from "not a number".
    public static func isDecimalSyntax(_ text: String) -> Bool {
        var s = Substring(text)
        if s.first == "+" || s.first == "-" { s.removeFirst() }
        let mantissa = s.prefix { $0 != "e" && $0 != "E" }
        let exponent = s.dropFirst(mantissa.count)
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.contains(where: { !$0.isEmpty }),
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return false }
        if exponent.isEmpty { return true }
        var e = exponent.dropFirst()
        if e.first == "+" || e.first == "-" { e.removeFirst() }
        return !e.isEmpty && e.allSatisfy { $0.isASCII && $0.isNumber }
    }

    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        var i = 0
        let n = bytes.count
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var significand: Int128 = 0
        var digits = 0
        var fraction = 0
        var seenPoint = false
        var digitChars = 0
        while i < n {
            let b = bytes[i]
            if b >= 48 && b <= 57 {
                if significand != 0 || b != 48 { digits += 1 }
                guard digits <= 38 else { return nil }
                significand = significand * 10 + Int128(b - 48)
                if seenPoint { fraction += 1 }
                digitChars += 1
            } else if b == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            i += 1
        }
        guard digitChars > 0 else { return nil }
        var exponent = 0
        if i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let start = i
            while i < n, bytes[i] >= 48, bytes[i] <= 57, exponent < 1000 {
                exponent = exponent * 10 + Int(bytes[i] - 48)
                i += 1
            }
            guard i > start else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { return nil }
        var value = ExactDecimal(significand: negative ? -significand : significand, scale: 0)
        guard let shifted = value.shifted(by: exponent - fraction) else { return nil }
        value = shifted
        self = value
    }

    /// Multiplies by 10^k (k < 0 divides exactly by growing the scale). Nil on overflow or when
    /// the scale would pass `maxScale`.
    public func shifted(by k: Int) -> ExactDecimal? {
        if k <= 0 {
            var s = scale - k
            var m = significand
            // Reduce trailing zeros the scale no longer needs so `1e-40 * 1e10` still fits.
            while s > Self.maxScale, m % 10 == 0, m != 0 {
                m /= 10
                s -= 1
            }
            if m == 0 { s = min(s, Self.maxScale) }
            guard s <= Self.maxScale else { return nil }
            return ExactDecimal(significand: m, scale: s)
        }
        var m = significand
        var s = scale
        var k = k
        while k > 0, s > 0 {
            s -= 1
            k -= 1
        }
        while k > 0 {
            let (p, o) = m.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            m = p
            k -= 1
        }
        return ExactDecimal(significand: m, scale: s)
    }

    public func multiplied(by factor: Int128) -> ExactDecimal? {
        let (p, o) = significand.multipliedReportingOverflow(by: factor)
        return o ? nil : ExactDecimal(significand: p, scale: scale)
    }

    /// Divides by `divisor`, exactly when the quotient terminates within `maxScale` digits,
    /// else rounded half-to-even at `maxScale` (`exact` then false).
    public func divided(by divisor: Int128) -> (value: ExactDecimal, exact: Bool)? {
        precondition(divisor > 0)
        var m = significand
        var s = scale
        while true {
            if m % divisor == 0 { return (ExactDecimal(significand: m / divisor, scale: s), true) }
            if s == Self.maxScale { break }
            let (p, o) = m.multipliedReportingOverflow(by: 10)
            if o { break }
            m = p
            s += 1
        }
        var q = m / divisor
        let r = (m % divisor).magnitude * 2
        if r > divisor.magnitude || (r == divisor.magnitude && q % 2 != 0) {
            q += m < 0 ? -1 : 1
        }
        return (ExactDecimal(significand: q, scale: s), false)
    }

    /// The same value without trailing fractional zeros.
    public var normalized: ExactDecimal {
        var m = significand
        var s = scale
        while s > 0, m % 10 == 0 {
            m /= 10
            s -= 1
        }
        return ExactDecimal(significand: m, scale: s)
    }

    public var isNegative: Bool { significand < 0 }

    public var description: String {
        let digits = String(significand.magnitude)
        var text: String
        if scale == 0 {
            text = digits
        } else if digits.count > scale {
            let cut = digits.index(digits.endIndex, offsetBy: -scale)
            text = digits[..<cut] + "." + digits[cut...]
        } else {
            text = "0." + String(repeating: "0", count: scale - digits.count) + digits
        }
        return significand < 0 ? "-" + text : text
    }

    public static func < (a: ExactDecimal, b: ExactDecimal) -> Bool {
        // The validator compares every reading with bounds and the last value: usually the same scale.
        if a.scale == b.scale { return a.significand < b.significand }
        // Signs decide most comparisons with a bound of zero without rescaling.
        if (a.significand < 0) != (b.significand < 0) { return a.significand < 0 }
        if a.significand == 0 || b.significand == 0 { return a.significand < b.significand }
        let s = max(a.scale, b.scale)
        // Compare at a common scale; on overflow the larger magnitude decides.
        if let x = a.rescaled(to: s), let y = b.rescaled(to: s) { return x < y }
        // Near 38 digits rescaling overflows: compare at the smaller scale, then the remainders.
        let low = min(a.scale, b.scale)
        func split(_ d: ExactDecimal) -> (Int128, Int128) {
            let p = pow10(d.scale - low)
            var q = d.significand / p
            var r = d.significand - q * p
            if r < 0 {
                q -= 1
                r += p
            }
            return (q, r * pow10(s - d.scale))
        }
        let (qa, ra) = split(a)
        let (qb, rb) = split(b)
        return qa != qb ? qa < qb : ra < rb
    }

    public static func == (a: ExactDecimal, b: ExactDecimal) -> Bool {
        if a.scale == b.scale { return a.significand == b.significand }
        let x = a.normalized
        let y = b.normalized
        return x.significand == y.significand && x.scale == y.scale
    }

    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.significand)
        hasher.combine(n.scale)
    }

    /// 10^0 ... 10^38: every power an Int128 holds.
    private static let powers: [Int128] = (0...38).map { k in (0..<k).reduce(Int128(1)) { p, _ in p * 10 } }

    static func pow10(_ k: Int) -> Int128 { powers[k] }

    func rescaled(to target: Int) -> Int128? {
        if target == scale { return significand }
        guard target - scale <= 38 else { return significand == 0 ? 0 : nil }
        let (p, o) = significand.multipliedReportingOverflow(by: Self.powers[target - scale])
        return o ? nil : p
    }

    public static func + (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal? {
        let s = max(a.scale, b.scale)
        guard let x = a.rescaled(to: s), let y = b.rescaled(to: s) else { return nil }
        let (d, o) = x.addingReportingOverflow(y)
        return o ? nil : ExactDecimal(significand: d, scale: s)
    }

    public static func - (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal? {
        let s = max(a.scale, b.scale)
        guard let x = a.rescaled(to: s), let y = b.rescaled(to: s) else { return nil }
        let (d, o) = x.subtractingReportingOverflow(y)
        return o ? nil : ExactDecimal(significand: d, scale: s)
    }
}
