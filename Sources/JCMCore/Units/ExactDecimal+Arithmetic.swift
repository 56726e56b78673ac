/// Multiplication and division for methodology equations, with a stated rounding rule instead of
/// silent precision loss. Validation never calls these, so ExactDecimal's hot path is unchanged.
///
/// Rule: a result is exact whenever it fits (38 significant digits, at most `maxScale` after the
/// point). Otherwise (a quotient that does not terminate, a product with too many digits) it is
/// cut toward zero at `inexactScale` digits after the point and `exact` is false; when even that
/// does not fit, fewer fractional digits are kept, and when no digit after the point is left to
/// drop the operation overflows (nil).
extension ExactDecimal {
    /// Digits after the point kept by a rounded (inexact) result: far below a gram of CO2 on any
    /// realistic quantity, and leaves 18 integer digits.
    public static let inexactScale = 20

    /// Sum that falls back to `inexactScale` digits when aligning the scales overflows.
    public func adding(_ other: ExactDecimal) -> (value: ExactDecimal, exact: Bool)? {
        if let sum = self + other { return (sum, true) }
        return Self.retryTruncated(self, other) { $0 + $1 }
    }

    public func subtracting(_ other: ExactDecimal) -> (value: ExactDecimal, exact: Bool)? {
        if let difference = self - other { return (difference, true) }
        return Self.retryTruncated(self, other) { $0 - $1 }
    }

    private static func retryTruncated(
        _ a: ExactDecimal, _ b: ExactDecimal, _ op: (ExactDecimal, ExactDecimal) -> ExactDecimal?
    ) -> (value: ExactDecimal, exact: Bool)? {
        // Normalized: a truncated tail of zeros must not take integer digits' room.
        let x = a.truncated(toScale: inexactScale).normalized
        let y = b.truncated(toScale: inexactScale).normalized
        guard let value = op(x, y) else { return nil }
        return (value, x == a && y == b)
    }

    /// Toward zero, to at most `target` digits after the point.
    public func truncated(toScale target: Int) -> ExactDecimal {
        guard scale > target else { return self }
        return ExactDecimal(significand: significand / Self.pow10(scale - target), scale: target)
    }

    public func multiplied(by other: ExactDecimal) -> (value: ExactDecimal, exact: Bool)? {
        let negative = (significand < 0) != (other.significand < 0)
        var wide = Wide(significand.magnitude.multipliedFullWidth(by: other.significand.magnitude))
        var s = scale + other.scale
        var exact = true
        func drop(_ k: Int) {
            exact = wide.divide(byPowerOfTen: k) && exact
            s -= k
        }
        if s > Self.maxScale { drop(s - Self.maxScale) }
        while !wide.fitsInt128 {
            guard s > 0 else { return nil }
            drop(1)
        }
        if !exact, s > Self.inexactScale { drop(s - Self.inexactScale) }
        let m = Int128(wide.low)
        return (ExactDecimal(significand: negative ? -m : m, scale: s), exact)
    }

    /// Nil on overflow or when `divisor` is zero (the caller tells the two apart).
    public func divided(by divisor: ExactDecimal) -> (value: ExactDecimal, exact: Bool)? {
        guard divisor.significand != 0 else { return nil }
        let negative = (significand < 0) != (divisor.significand < 0)
        let n = significand.magnitude
        let d = divisor.significand.magnitude
        let limit = UInt128(Int128.max)
        // value = (n / d) × 10^(divisor.scale − scale): long division, one digit at a time,
        // starting at scale −shift, until the remainder is zero or maxScale digits are reached.
        var q = n / d
        var r = n % d
        var s = scale - divisor.scale
        guard q <= limit else { return nil }
        while s < 0 || (r != 0 && s < Self.maxScale) {
            let (digit, rest) = d.dividingFullWidth(r.multipliedFullWidth(by: 10))
            let (p, o1) = q.multipliedReportingOverflow(by: 10)
            let (next, o2) = p.addingReportingOverflow(digit)
            if o1 || o2 || next > limit {
                guard s >= 0 else { return nil }
                break
            }
            q = next
            r = rest
            s += 1
        }
        let exact = r == 0
        if !exact, s > Self.inexactScale {
            q /= UInt128(Self.pow10(s - Self.inexactScale))
            s = Self.inexactScale
        }
        if exact, s > 0 {
            // Trailing zeros of an exact quotient carry no information.
            while s > 0, q % 10 == 0 {
                q /= 10
                s -= 1
            }
        }
        let m = Int128(q)
        return (ExactDecimal(significand: negative ? -m : m, scale: s), exact)
    }
}

/// A 256-bit magnitude: a product of two significands before it is brought back to 128 bits.
private struct Wide {
    var high: UInt128
    var low: UInt128

    init(_ parts: (high: UInt128, low: UInt128)) {
        high = parts.high
        low = parts.low
    }

    var fitsInt128: Bool { high == 0 && low <= UInt128(Int128.max) }

    /// Divides toward zero; true when nothing non-zero was dropped.
    mutating func divide(byPowerOfTen k: Int) -> Bool {
        var k = k
        var exact = true
        while k > 0 {
            let step = min(k, 38)
            let p = UInt128(ExactDecimal.pow10(step))
            let (qh, rh) = high.quotientAndRemainder(dividingBy: p)
            let (ql, r) = p.dividingFullWidth((rh, low))
            high = qh
            low = ql
            if r != 0 { exact = false }
            k -= step
        }
        return exact
    }
}
