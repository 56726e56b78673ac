extension TimestampError {
    /// The formats a timestamp may take, said when one is not in any of them: what an operator
    /// with `01/10/2026 10:00` needs to know to fix the export.
    public static let acceptedFormats =
        "accepted: YYYY-MM-DDTHH:MM[:SS[.fraction]] with an offset (+05:30) or Z, "
        + "e.g. 2026-10-01T10:00:00+05:30; a space may stand for the T; no offset only when the meter or folder declares a timezone. "
        + "Day-first or month-first dates (01/10/2026) only where the folder sets timestamp_format"

    /// Why, and for a text that is not a date-time at all (not a date out of range), the
    /// accepted formats.
    public var explained: String {
        switch self {
        case .noOffset: return "no offset"
        case .invalid(let why):
            let notTheFormat =
                why.hasSuffix(" digits") || why.hasSuffix(" is missing") || why.hasPrefix("expected ")
                || why.hasPrefix("unexpected text") || why.hasPrefix("a time is required")
            return notTheFormat ? "\(why); \(Self.acceptedFormats)" : why
        }
    }
}
