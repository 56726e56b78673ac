/// What `jcm-ingestd status` shows: each meter's last reading, state, completeness and
/// calibration (jcm.meter_status), each chain's head (jcm.chain_heads), the last checkpoint, and
/// the spool. A plain value: the database and the running daemon fill it, the renderers
/// (StatusReport+Text.swift, StatusReport+JSON.swift) print it, and tests build it by hand.
public struct StatusReport: Sendable, Equatable {
    public struct Meter: Sendable, Equatable {
        public var project: String
        public var id: String
        public var parameter: String
        public var polled: Bool
        /// up, down, late, no data or report-fed (docs/schema.md, jcm.meter_status).
        public var state: String
        /// Times are RFC 3339 in UTC, as the query writes them.
        public var lastReadingAt: String?
        public var lastValue: String?
        public var unit: String
        public var downSince: String?
        public var lastError: String?
        /// Fractions (0 to 1) as PostgreSQL printed them, exactly.
        public var completenessToday: String?
        public var periodFrom: String?
        public var completenessPeriod: String?
        public var calibrationValidUntil: String?
        public var calibrationCertificate: String?

        public init(
            project: String, id: String, parameter: String, polled: Bool, state: String, lastReadingAt: String? = nil,
            lastValue: String? = nil, unit: String, downSince: String? = nil, lastError: String? = nil,
            completenessToday: String? = nil, periodFrom: String? = nil, completenessPeriod: String? = nil,
            calibrationValidUntil: String? = nil, calibrationCertificate: String? = nil
        ) {
            self.project = project
            self.id = id
            self.parameter = parameter
            self.polled = polled
            self.state = state
            self.lastReadingAt = lastReadingAt
            self.lastValue = lastValue
            self.unit = unit
            self.downSince = downSince
            self.lastError = lastError
            self.completenessToday = completenessToday
            self.periodFrom = periodFrom
            self.completenessPeriod = completenessPeriod
            self.calibrationValidUntil = calibrationValidUntil
            self.calibrationCertificate = calibrationCertificate
        }
    }

    public struct ChainHead: Sendable, Equatable {
        public var project: String
        public var seq: String
        public var chainHash: String
        public var sealedAt: String

        public init(project: String, seq: String, chainHash: String, sealedAt: String) {
            self.project = project
            self.seq = seq
            self.chainHash = chainHash
            self.sealedAt = sealedAt
        }
    }

    /// The last signed checkpoint, when the schema has jcm.checkpoints (migration 10).
    public enum Checkpoint: Sendable, Equatable {
        /// The table is not in this database (a schema from before checkpoints).
        case unsupported
        case none
        /// The row as JSON text (row_to_json), whatever its columns.
        case last(String)
    }

    public struct Spool: Sendable, Equatable {
        /// The files under state_dir/spool: what a stopped daemon leaves to write at its next
        /// start, plus up to one segment (8 MiB) of polls already committed.
        public var bytesOnDisk: Int
        public var segments: Int
        /// From the running daemon's /metrics (jcm_spool_bytes, jcm_spool_age_seconds), when it
        /// serves them and answered.
        public var pendingBytes: Double?
        public var ageSeconds: Double?

        public init(bytesOnDisk: Int, segments: Int, pendingBytes: Double? = nil, ageSeconds: Double? = nil) {
            self.bytesOnDisk = bytesOnDisk
            self.segments = segments
            self.pendingBytes = pendingBytes
            self.ageSeconds = ageSeconds
        }
    }

    /// The instant the database computed the status at (now()).
    public var at: String
    public var meters: [Meter]
    public var chains: [ChainHead]
    public var checkpoint: Checkpoint
    public var spool: Spool
    /// The daemon's /metrics address, and whether it answered (nil: [metrics] listen not set).
    public var daemon: (listen: String, answered: Bool)? {
        get { daemonListen.map { ($0, daemonAnswered) } }
        set {
            daemonListen = newValue?.listen
            daemonAnswered = newValue?.answered ?? false
        }
    }
    private var daemonListen: String?
    private var daemonAnswered = false

    public init(at: String, meters: [Meter], chains: [ChainHead], checkpoint: Checkpoint, spool: Spool) {
        self.at = at
        self.meters = meters
        self.chains = chains
        self.checkpoint = checkpoint
        self.spool = spool
    }
}
