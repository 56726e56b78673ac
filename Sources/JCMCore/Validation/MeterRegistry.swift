/// The configured meters by id, each with the compact integer key the database gave it
/// (jcm.meters.key); readings carry the key, not the text id, to keep the table and its index small.
public struct MeterRegistry: Sendable {
    /// A class, so a lookup hands over one reference instead of copying the meter and its plan
    /// (a dozen strings and arrays) for every reading.
    public final class Entry: Sendable {
        public let key: Int32
        public let meter: Config.Meter
        /// Its project's monitoring start: readings before it are refused.
        public let monitoringStart: Timestamp?

        init(key: Int32, meter: Config.Meter, monitoringStart: Timestamp?) {
            self.key = key
            self.meter = meter
            self.monitoringStart = monitoringStart
        }
    }

    private var byID: [String: Entry] = [:]

    public init(meters: [Config.Meter], keys: [String: Int32], projects: [Config.Project] = []) {
        let starts = Dictionary(projects.map { ($0.id, $0.monitoringStart) }, uniquingKeysWith: { a, _ in a })
        for meter in meters {
            if let key = keys[meter.id] {
                byID[meter.id] = Entry(key: key, meter: meter, monitoringStart: starts[meter.project] ?? nil)
            }
        }
    }

    public func lookup(_ id: String) -> Entry? { byID[id] }
}
