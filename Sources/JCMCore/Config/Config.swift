import Foundation

/// The daemon's configuration, as plain values. `Config+TOML.swift` reads it from a file and
/// documents every key; config/jcm-ingestd.toml is the commented reference.
public struct Config: Sendable, Equatable {
    public var database = Database()
    public var daemon = Daemon()
    public var projects: [Project] = []
    public var parameters: [Parameter] = []
    public var meters: [Meter] = []
    public var watches: [Watch] = []
    /// Servers polled for uploaded report files (`[[upload]]`, Config+Upload.swift).
    public var uploads: [Upload] = []
    /// Where `/metrics` and `/healthz` are served; nil: not served.
    public var metricsListen: ListenAddress?
    /// The methodology file of each project with a `calculation`, loaded and checked, by project id.
    public var methodologies: [String: Methodology] = [:]
    /// Each such file's content as read, by project id: the plan version keeps it (planJSON).
    public var methodologyTexts: [String: String] = [:]

    public init() {}

    public struct Database: Sendable, Equatable {
        /// libpq conninfo or URI. Empty: the embedded cluster under `state_dir`, unless PGHOST,
        /// PGHOSTADDR, PGSERVICE or PGDATABASE is set: then libpq's environment and service files decide.
        public var url = ""
        /// Readings per COPY transaction when ingesting report files.
        public var batchRows = 50_000
        public init() {}
    }

    public struct Daemon: Sendable, Equatable {
        public var stateDir = "/var/lib/jcm-ingestd"
        public var logLevel = "info"
        /// How far in the future a reading's timestamp may be before it is refused.
        public var clockSkewMilliseconds: Int64 = 300_000
        /// Limit of the on-disk spool under `state_dir/spool`; polling pauses at 90 % of it.
        public var spoolMaxBytes = 1 << 30
        /// Connections the poller holds open at once, over all gateways, and polls running at
        /// once; a poll due beyond waits in the poller, its timeout running. Sized for a fleet of many hosts: a dead meter holds one for its
        /// whole connect timeout.
        public var maxConnections = 512
        /// Connections to one host (name and port) at once: what an embedded gateway copes with.
        /// HTTP/2 multiplexes every poll of a host over one.
        public var maxConnectionsPerHost = 8
        /// Ed25519 public keys (hex) of the other writers of the database: a chain head one of
        /// them signed may be extended (ChainHeadGuard). This daemon's own key is always trusted.
        public var ledgerWriters: [String] = []
        /// How often each chain's signed checkpoint is written (when its head moved); 0: only at
        /// period declarations. Where else it goes: a folder (another disk, NFS) and an HTTP URL.
        public var checkpointIntervalMilliseconds: Int64 = 60_000
        public var checkpointWitnessDir: String?
        public var checkpointWitnessURL: String?
        public init() {}
    }

    public struct Project: Sendable, Equatable {
        public var id: String
        public var methodology: String
        public var methodologyVersion: String?
        public var name: String?
        /// Readings before it are rejected: the plan's first monitoring period starts here.
        public var monitoringStart: Timestamp?
        /// Path of the methodology file its emission reductions are calculated with, resolved
        /// against the configuration file's folder; `Config.methodologies[id]` holds it loaded.
        public var calculation: String?
        /// Fixed (option A) values of the methodology's parameters, by parameter id.
        public var values: [String: ExactDecimal]
        /// Where each fixed value comes from, by parameter id (the sheet's Table 2).
        public var valueSources: [String: String] = [:]
        /// The agreed split of its credits, in declared order; empty when none is declared.
        public var allocation: [AllocationAccount] = []
        public init(
            id: String, methodology: String, methodologyVersion: String? = nil, name: String? = nil,
            monitoringStart: Timestamp? = nil,
            calculation: String? = nil, values: [String: ExactDecimal] = [:]
        ) {
            self.id = id
            self.methodology = methodology
            self.methodologyVersion = methodologyVersion
            self.name = name
            self.monitoringStart = monitoringStart
            self.calculation = calculation
            self.values = values
        }
    }

    public enum MeterKind: String, Sendable, Equatable, CaseIterable {
        case cumulative, interval, instantaneous
    }

    public struct Meter: Sendable, Equatable {
        public var id: String
        public var project: String
        public var parameter: String
        public var kind: MeterKind
        public var unit: MeasurementUnit
        /// IANA zone for timestamps that carry no offset.
        public var timeZone: String?
        @Shared public var poll: Poll?
        @Shared public var plan = MeterPlan()
        /// Its own Monitoring Report Sheet texts; what it leaves out is its parameter's.
        public var texts = SheetTexts()

        public init(
            id: String, project: String, parameter: String, kind: MeterKind, unit: MeasurementUnit,
            timeZone: String? = nil, poll: Poll? = nil
        ) {
            self.id = id
            self.project = project
            self.parameter = parameter
            self.kind = kind
            self.unit = unit
            self.timeZone = timeZone
            self.poll = poll
        }
    }

    /// How a meter with a `url` is polled.
    public struct Poll: Sendable, Equatable {
        public var url: String
        public var intervalMilliseconds: Int64 = 60_000
        public var timeoutMilliseconds: Int64 = 10_000
        public var connectTimeoutMilliseconds: Int64 = 5_000
        public var maxResponseBytes = 1 << 20
        /// The longest wait between polls of a failing meter (never shorter than the interval).
        public var backoffMaxMilliseconds: Int64 = 300_000
        /// A transfer slower than `lowSpeedBytes` per second for `lowSpeedMilliseconds` is cut
        /// off: a gateway that trickles bytes does not hold a connection for the whole timeout.
        public var lowSpeedBytes = 100
        public var lowSpeedMilliseconds: Int64 = 5_000
        public var redirects = RedirectPolicy.sameOrigin
        public var tls = TLS()
        public var auth = Auth()
        /// How the response is read: `format` and what it needs.
        public var payload = PayloadFormat.json(JSONMapping(value: ""))
        /// A POST's body (`method = "POST"`, `body`), and its Content-Type; nil: a GET.
        public var body: String?
        public var contentType: String?
        /// Where the readings a gap missed are fetched from; nil: the meter is not backfilled.
        public var backfill: Backfill?

        public init(url: String) { self.url = url }
    }

    /// Which sample of a Prometheus text exposition is the reading.
    public struct PrometheusSelector: Sendable, Equatable {
        public var metric: String
        /// Every one must hold; a series may carry other labels.
        public var matchers: [LabelMatcher]
        /// The unit of the sample's value; nil = the meter's own unit.
        public var unit: String?
        public init(metric: String, matchers: [LabelMatcher] = [], unit: String? = nil) {
            self.metric = metric
            self.matchers = matchers
            self.unit = unit
        }
        /// Each label equal to its value.
        public init(metric: String, labels: [String: String], unit: String? = nil) {
            self.init(
                metric: metric,
                matchers: labels.sorted { $0.key < $1.key }.compactMap { LabelMatcher(label: $0.key, value: $0.value) },
                unit: unit)
        }
    }

    /// Where a value, its unit and its time stand in a JSON payload.
    public struct JSONMapping: Sendable, Equatable {
        public var value: String
        /// A fixed unit symbol the meter speaks; nil = the meter's own unit.
        public var unit: String?
        /// A path to the unit in the payload, when the meter says it itself.
        public var unitPath: String?
        /// Path to an RFC 3339 string or epoch seconds; nil = the response's time of arrival.
        public var timestamp: String?

        public init(value: String, unit: String? = nil, unitPath: String? = nil, timestamp: String? = nil) {
            self.value = value
            self.unit = unit
            self.unitPath = unitPath
            self.timestamp = timestamp
        }
    }

    public struct Watch: Sendable, Equatable {
        public var dir: String
        public var timeZone: String?
        public var processedDir: String
        public var rejectedDir: String
        /// `delimiter` and `decimal_separator` (Config+Watch.swift).
        public var csv = CSVDialect.standard
        /// `sheet`: which sheet of an .xlsx report to read; nil reads the first.
        public var sheet: String?

        public init(dir: String, timeZone: String? = nil, processedDir: String? = nil, rejectedDir: String? = nil) {
            self.dir = dir
            self.timeZone = timeZone
            self.processedDir = processedDir ?? (dir as NSString).appendingPathComponent("processed")
            self.rejectedDir = rejectedDir ?? (dir as NSString).appendingPathComponent("rejected")
        }
    }
}

extension Config {
    /// Relative folders made absolute against `base` (the working directory), so the embedded
    /// cluster, the provenance of files and the logs always name the same place.
    public func resolvingPaths(against base: String) -> Config {
        func absolute(_ path: String) -> String {
            path.hasPrefix("/")
                ? path : (URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path)
        }
        var copy = self
        copy.daemon.stateDir = absolute(daemon.stateDir)
        for i in copy.projects.indices {
            copy.projects[i].calculation = copy.projects[i].calculation.map(absolute)
        }
        for id in copy.methodologies.keys {
            copy.methodologies[id]?.file = absolute(methodologies[id]!.file)
        }
        copy.watches = watches.map { w in
            var w = w
            w.dir = absolute(w.dir)
            w.processedDir = absolute(w.processedDir)
            w.rejectedDir = absolute(w.rejectedDir)
            return w
        }
        return copy
    }
}
