import Foundation

/// The time zone names a configuration may use: IANA Area/Location names (`Asia/Kolkata`), `UTC`
/// and `Etc/…`. Abbreviations and legacy names mean different zones to different libraries:
/// Foundation reads `IST` as India (+05:30), PostgreSQL as Israel (+02:00), and `CST` is China to
/// one and Central America to another. The daemon and the database must name the same zone.
public enum ZoneName {
    static let areas: Set = [
        "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific",
        "Etc",
    ]

    /// Nil when `name` is acceptable, else what is wrong with it.
    public static func problem(_ name: String) -> String? {
        let area = name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let shaped = name == "UTC" || (areas.contains(area) && name.contains("/"))
        if shaped, TimeZone(identifier: name) != nil { return nil }
        let suggestion =
            TimeZone(abbreviation: name).map {
                " (this machine reads it as \($0.identifier); write that if you mean it)"
            } ?? ""
        return shaped
            ? "unknown IANA time zone \"\(name)\""
            : "\"\(name)\" is not an IANA Area/Location name such as \"Asia/Kolkata\", nor UTC or Etc/…: abbreviations and legacy names mean different zones to different programs\(suggestion)"
    }
}
