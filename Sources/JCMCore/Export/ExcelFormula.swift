/// A methodology's equations and rounding as Excel formulas, so the Monitoring Report Sheet
/// recomputes what `report` computed when a verifier changes an input.
public enum ExcelFormula {
    /// The expression over cell references: `names` gives each parameter's or equation's cell
    /// ("E4", "'MRS(input)'!C12"). Every operation is parenthesised as the tree is, so Excel's
    /// own precedence (where unary minus binds tighter than ^) never changes the meaning.
    public static func formula(_ e: Methodology.Expression, names: [String: String]) -> String? {
        switch e {
        case .number(let d): return d.normalized.description
        case .name(let n): return names[n]
        case .negate(let x): return formula(x, names: names).map { "(-\($0))" }
        case .binary(let op, let a, let b):
            guard let l = formula(a, names: names), let r = formula(b, names: names) else { return nil }
            return "(\(l)\(op.rawValue)\(r))"
        case .call(let f, let args):
            let parts = args.compactMap { formula($0, names: names) }
            guard parts.count == args.count else { return nil }
            return "\(f.rawValue.uppercased())(\(parts.joined(separator: ",")))"
        }
    }

    /// The methodology's rounding of `cell`. Excel's ROUNDDOWN and ROUNDUP go toward and away
    /// from zero; the methodology's "down" is toward −∞, so below zero it is ROUNDUP. "nearest"
    /// is half to even: ROUND (half away from zero) except on an exact half.
    public static func rounding(_ r: Methodology.Rounding, of cell: String) -> String {
        let s = r.scale
        switch r.mode {
        case .down: return "IF(\(cell)>=0,ROUNDDOWN(\(cell),\(s)),ROUNDUP(\(cell),\(s)))"
        case .up: return "IF(\(cell)>=0,ROUNDUP(\(cell),\(s)),ROUNDDOWN(\(cell),\(s)))"
        case .nearest:
            let scaled = "\(cell)*10^\(s)"
            return
                "IF(ABS(\(scaled)-TRUNC(\(scaled)))=0.5,2*ROUND(\(scaled)/2,0)/10^\(s),ROUND(\(cell),\(s)))"
        }
    }
}
