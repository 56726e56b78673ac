import Foundation

/// The words the Monitoring Report Sheet's Table 1 shows beside each monitored value, columns
/// (b), (d) and (h)–(k). A `[[parameter]]` gives them for all its meters; a `[[meter]]` may say
/// its own (a second meter is often read differently), and each text it leaves out is the
/// parameter's. Optional everywhere: a sheet without them still has every number.
extension Config {
    public struct SheetTexts: Sendable, Equatable {
        /// (d) Description of data.
        public var description: String?
        /// (h) Source of data.
        public var source: String?
        /// (i) Measurement methods and procedures.
        public var methods: String?
        /// (j) Monitoring frequency.
        public var frequency: String?
        /// (k) Other comments.
        public var comments: String?
        /// (b) Monitoring point No.: a meter's only.
        public var point: String?

        public init(
            description: String? = nil, source: String? = nil, methods: String? = nil, frequency: String? = nil,
            comments: String? = nil, point: String? = nil
        ) {
            self.description = description
            self.source = source
            self.methods = methods
            self.frequency = frequency
            self.comments = comments
            self.point = point
        }

        /// These texts, each one left out taken from `fallback`.
        public func over(_ fallback: SheetTexts) -> SheetTexts {
            SheetTexts(
                description: description ?? fallback.description, source: source ?? fallback.source,
                methods: methods ?? fallback.methods, frequency: frequency ?? fallback.frequency,
                comments: comments ?? fallback.comments, point: point ?? fallback.point)
        }

        /// The keys, as `[[parameter]]` and `[[meter]]` write them (docs/configuration.md).
        static var keys: [(key: String, path: WritableKeyPath<SheetTexts, String?>)] {
            [
                ("description", \.description), ("source_of_data", \.source), ("measurement_methods", \.methods),
                ("frequency", \.frequency), ("comments", \.comments),
            ]
        }
    }
}

extension TableReader {
    /// The sheet texts of a `[[parameter]]` or (with `point`) a `[[meter]]`: non-empty strings.
    mutating func sheetTexts(point: Bool) -> Config.SheetTexts {
        var texts = Config.SheetTexts()
        let keys = Config.SheetTexts.keys + (point ? [("monitoring_point", \Config.SheetTexts.point)] : [])
        for (key, path) in keys {
            guard let s = string(key) else { continue }
            if s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problem(key, "is empty: leave the key out, or say what the sheet should show")
            } else if s.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
                problem(key, "holds a control character, which a spreadsheet cell cannot keep")
            } else {
                texts[keyPath: path] = s
            }
        }
        return texts
    }
}
