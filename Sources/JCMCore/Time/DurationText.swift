/// A duration as logs show it: to a tenth of a second below 10 s, whole seconds above
/// (`retry.in_s=0.5`, not `0.5007846988062743`). The wait itself keeps its full value.
public enum DurationText {
    public static func seconds(_ s: Double) -> String {
        guard s.isFinite else { return "\(s)" }
        if abs(s) >= 10 { return String(Int64(s.rounded())) }
        let tenths = (s * 10).rounded() / 10
        return tenths == tenths.rounded() ? String(Int64(tenths)) : String(tenths)
    }
}
