/// Every gateway profile. Adding one is its file in this folder, a line here, its test and its
/// section of docs/formats.md.
public enum GatewayProfiles {
    public static let all: [any GatewayProfile.Type] = [
        ShellyGen1Profile.self,
        ShellyGen2Profile.self,
        TasmotaProfile.self,
        FroniusProfile.self,
        EnphaseProfile.self,
        SolarEdgeProfile.self,
        EmoncmsProfile.self,
        OpenEMSProfile.self,
        CSVProfile.self,
    ]

    /// The profile type that reads `format`.
    public static func type(of format: String) -> (any GatewayProfile.Type)? {
        all.first { $0.formats.contains(format) }
    }

    /// Every profile's `format` names, in registration order.
    public static var formats: [String] { all.flatMap { $0.formats } }

    /// Every configuration key a profile reads, with the formats that read it.
    public static var keys: [(key: GatewayConfigKey, formats: [String])] {
        var out: [(key: GatewayConfigKey, formats: [String])] = []
        for t in all {
            for k in t.configKeys {
                let formats = k.formats ?? t.formats
                if let i = out.firstIndex(where: { $0.key.name == k.name }) {
                    out[i].formats += formats
                } else {
                    out.append((k, formats))
                }
            }
        }
        return out
    }

    /// The names of the keys every profile may read, for "only applies to a meter with a url".
    public static var keyNames: [String] { keys.map(\.key.name) }

    /// The formats a history request (`backfill.format`) may name.
    public static var historyFormats: [String] { all.flatMap { $0.historyFormats } }

    /// "a and b", "a, b and c".
    static func list(_ names: [String]) -> String {
        names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
}
