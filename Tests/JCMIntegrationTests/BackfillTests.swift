import Foundation
import JCMCore
import JCMPostgres
import Testing

@testable import JCMDaemon

/// Gaps filled from the gateway's own history: a Fronius Datamanager that stops answering for a
/// while, and an emoncms server polled by a daemon that is stopped and started again later. Each
/// fake gateway's counter grows 10 Wh a second, and its history holds the value of every second.
@Suite("backfill from gateway history", .serialized)
struct BackfillTests {
    /// The gateway's counter at a whole second.
    static func counter(_ second: Int64) -> Int64 { 1_000_000 + 10 * (second - 1_700_000_000) }

    static func nowSecond() -> Int64 { Int64(Date().timeIntervalSince1970.rounded(.down)) }

    /// A whole-second instant as the Datamanager writes it: its local time, with the offset.
    static func fronius(_ second: Int64) -> String {
        String(Timestamp(microseconds: (second + 3_600) * 1_000_000).formatted(fractionDigits: 0).dropLast()) + "+01:00"
    }

    static let berlin = TimestampParser(zone: TimeZone(identifier: "Europe/Berlin"))

    /// A whole-second instant as SolarEdge writes it for a site in Berlin.
    static func siteTime(_ second: Int64) -> String {
        let offset = Int64(
            TimeZone(identifier: "Europe/Berlin")!.secondsFromGMT(for: Date(timeIntervalSince1970: Double(second))))
        return Timestamp(microseconds: (second + offset) * 1_000_000).formatted(fractionDigits: 0).dropLast()
            .replacingOccurrences(of: "T", with: " ")
    }

    static func query(_ request: HTTPRequest) -> [String: String] {
        var out: [String: String] = [:]
        for pair in (request.query ?? "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { out[kv[0]] = kv[1].removingPercentEncoding ?? kv[1] }
        }
        return out
    }

    final class Gateway: @unchecked Sendable {
        let lock = NSLock()
        var down = false
        var archiveRequests: [String] = []
        /// When each archive request came, in seconds.
        var archiveAskedAt: [Int64] = []
        /// Archive requests still to be answered with a 500.
        var archiveFailures = 0
        /// emoncms history: requests seen, and how long each answer is held back.
        var feedDataRequests = 0
        var feedDataDelayMs = 0
        /// (start, end, asked at) of each energyDetails request, in seconds.
        var solarEdgeWindows: [(Int64, Int64, Int64)] = []
        var server: HTTPServer!

        init() throws {
            server = try HTTPServer(host: "127.0.0.1", port: 0) { [unowned self] request in
                let now = BackfillTests.nowSecond()
                switch request.path {
                case "/solar_api/v1/GetMeterRealtimeData.cgi":
                    if lock.withLock({ down }) { return .text("gateway rebooting", status: 503) }
                    return .json(
                        """
                        {"Body":{"Data":{"EnergyReal_WAC_Sum_Consumed":\(BackfillTests.counter(now)),"EnergyReal_WAC_Plus_Absolute":\(BackfillTests.counter(now))}},
                        "Head":{"Status":{"Code":0,"Reason":"","UserMessage":""},"Timestamp":"\(BackfillTests.fronius(now))"}}
                        """)
                case "/solar_api/v1/GetArchiveData.cgi":
                    let q = BackfillTests.query(request)
                    let fail = lock.withLock {
                        archiveRequests.append(request.query ?? "")
                        archiveAskedAt.append(now)
                        archiveFailures -= 1
                        return archiveFailures >= 0
                    }
                    if fail { return .text("archive busy", status: 500) }
                    guard q["Channel"] == "EnergyReal_WAC_Plus_Absolute", let s = q["StartDate"], let e = q["EndDate"],
                        let start = try? TimestampParser().parse(s), let end = try? TimestampParser().parse(e)
                    else {
                        return .json(#"{"Body":{"Data":{}},"Head":{"Status":{"Code":255,"Reason":"bad request"}}}"#)
                    }
                    let first = start.microseconds / 1_000_000
                    let last = min(end.microseconds / 1_000_000, now)
                    let values = (first...max(first, last)).map { "\"\($0 - first)\":\(BackfillTests.counter($0))" }
                        .joined(separator: ",")
                    return .json(
                        """
                        {"Body":{"Data":{"meter:16220111":{"Data":{"EnergyReal_WAC_Plus_Absolute":{"Unit":"Wh","Values":{\(values)}}},
                        "DeviceType":-1,"Start":"\(BackfillTests.fronius(first))","End":"\(BackfillTests.fronius(last))"}}},
                        "Head":{"Status":{"Code":0,"Reason":"","UserMessage":""},"Timestamp":"\(BackfillTests.fronius(now))"}}
                        """)
                case "/site/1/energyDetails":
                    // Site local time, space-separated; the current second is not reported yet (null).
                    // Time runs in seconds here, so no timeUnit: the writer holds back no period.
                    let q = BackfillTests.query(request)
                    guard q["api_key"] == "k", let s = q["startTime"], let e = q["endTime"],
                        let start = try? BackfillTests.berlin.parse(s), let end = try? BackfillTests.berlin.parse(e)
                    else {
                        return .json(#"{"String":"Invalid token"}"#, status: 403)
                    }
                    if lock.withLock({ down }) { return .text("busy", status: 429) }
                    let first = start.microseconds / 1_000_000
                    let last = end.microseconds / 1_000_000
                    lock.withLock { solarEdgeWindows.append((first, last, now)) }
                    let values = (first...max(first, last)).map { sec in
                        #"{"date":"\#(BackfillTests.siteTime(sec))","value":\#(sec >= now ? "null" : "5.0")}"#
                    }.joined(separator: ",")
                    return .json(
                        #"{"energyDetails":{"unit":"Wh","meters":[{"type":"Production","values":[\#(values)]}]}}"#)
                case "/site/1/overview":
                    if lock.withLock({ down }) { return .text("busy", status: 429) }
                    return .json(
                        #"{"overview":{"lastUpdateTime":"\#(BackfillTests.siteTime(now))","lifeTimeData":{"energy":\#(BackfillTests.counter(now)).0}}}"#
                    )
                case "/site/1/meters":
                    // The production meter's lifetime readings, and a feed-in meter's to skip.
                    let q = BackfillTests.query(request)
                    guard q["api_key"] == "k", let s = q["startTime"], let e = q["endTime"],
                        let start = try? BackfillTests.berlin.parse(s), let end = try? BackfillTests.berlin.parse(e)
                    else {
                        return .json(#"{"String":"Invalid token"}"#, status: 403)
                    }
                    let first = start.microseconds / 1_000_000
                    let last = min(end.microseconds / 1_000_000, now)
                    lock.withLock { solarEdgeWindows.append((first, last, now)) }
                    let values = (first...max(first, last)).map {
                        #"{"date":"\#(BackfillTests.siteTime($0))","value":\#(BackfillTests.counter($0)).0}"#
                    }
                    return .json(
                        #"{"meterEnergyDetails":{"unit":"Wh","meters":[{"meterSerialNumber":"606D1E7B","meterType":"Production","values":[\#(values.joined(separator: ","))]},{"meterSerialNumber":"606D1E7C","meterType":"FeedIn","values":[]}]}}"#
                    )
                case "/feed/timevalue.json":
                    return .json(#"{"time":\#(now),"value":\#(BackfillTests.counter(now))}"#)
                case "/feed/data.json":
                    let q = BackfillTests.query(request)
                    guard let s = q["start"].flatMap({ Int64($0) }), let e = q["end"].flatMap({ Int64($0) }) else {
                        return .json("[]")
                    }
                    // Points after now are nulls: the feed has no data there yet.
                    let points = stride(from: (s + 999) / 1_000, through: e / 1_000, by: 1).map { sec in
                        "[\(sec * 1_000),\(sec > now ? "null" : String(BackfillTests.counter(sec)))]"
                    }
                    let delay = lock.withLock {
                        feedDataRequests += 1
                        return feedDataDelayMs
                    }
                    return .json("[" + points.joined(separator: ",") + "]").delayed(by: delay)
                default: return .text("not found", status: 404)
                }
            }
            server.start()
        }
    }

    static func fronius(_ port: UInt16, _ extra: String = "") throws -> Config {
        try Config.parse(
            PolledGateways.header() + froniusMeter("FR-GRID", "127.0.0.1:\(port)", "backfill.pause = \"0s\"\n" + extra))
    }

    /// A Fronius smart meter's counter, its gaps filled from the Datamanager's archive at `host`.
    static func froniusMeter(_ id: String, _ host: String, _ extra: String) -> String {
        PolledGateways.meter(
            id, "http://\(host)/solar_api/v1/GetMeterRealtimeData.cgi?Scope=Device&DeviceId=0", extra,
            payload: """
                format = "fronius-meter-consumed"
                backfill.format = "fronius-archive"
                backfill.fronius.channel = "EnergyReal_WAC_Plus_Absolute"
                """)
    }

    /// Runs the daemon with the gateway up until `up` holds, then away for `downSeconds`, then
    /// back, until `done` holds (given when it came back).
    static func outage(
        _ gateway: Gateway, _ config: Config, _ conninfo: String, up: () throws -> Bool, downSeconds: Double,
        until done: (Date) throws -> Bool
    ) -> Bool {
        var wentDown: Date?
        var cameBack: Date?
        return PolledGateways.run(config, conninfo, seconds: 30) {
            if wentDown == nil, try up() {
                gateway.lock.withLock { gateway.down = true }
                wentDown = Date()
            }
            if let at = wentDown, cameBack == nil, Date().timeIntervalSince(at) > downSeconds {
                gateway.lock.withLock { gateway.down = false }
                cameBack = Date()
            }
            return try cameBack.map(done) ?? false
        }
    }

    /// Two polls landed, the gateway away for 4 s, back until a history request (its url holding
    /// `history`) answered 200 is written.
    static func outage(_ gateway: Gateway, _ config: Config, _ conninfo: String, history: String = "GetArchiveData")
        -> Bool
    {
        outage(
            gateway, config, conninfo, up: { try scalar(conninfo, "select count(*) from jcm.readings") == "2" },
            downSeconds: 4,
            until: { _ in
                try scalar(
                    conninfo, "select count(*) from jcm.batches where url like '%\(history)%' and http_status = 200")
                    == "1"
            }
        )
    }

    /// Every second of the counter between the first and the newest reading of `meter` is there,
    /// each its gateway's value (as the gateway writes it: `decimals` ".0" for SolarEdge), none
    /// flagged out of order. Returns how many seconds that spans.
    @discardableResult
    static func expectEverySecond(_ conninfo: String, meter: String = "FR-GRID", decimals: String = "") throws -> Int64
    {
        let found = try rows(
            conninfo,
            """
            select extract(epoch from ts)::bigint::text, value::text, status, coalesce(array_to_string(reasons, ','), '')
            from jcm.readings_view where meter_id = '\(meter)' order by ts
            """)
        let seconds = found.compactMap { $0[0].flatMap { Int64($0) } }
        let first = try #require(seconds.first)
        let last = try #require(seconds.last)
        #expect(seconds == Array(first...last), "no second missing between \(first) and \(last)")
        #expect(found.allSatisfy { $0[1] == String(Self.counter(Int64($0[0]!)!)) + decimals })
        #expect(found.allSatisfy { $0[2] == "accepted" }, "\(found.filter { $0[2] != "accepted" })")
        return last - first
    }

    @Test func aFroniusOutageIsFilledFromGetArchiveData() throws {
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        #expect(Self.outage(gateway, try Self.fronius(gateway.server.port), conninfo), "an archive request was written")
        #expect(gateway.lock.withLock { gateway.archiveRequests.count } == 1, "one gap, one request")
        try Self.expectEverySecond(conninfo)
        let archive = try rows(
            conninfo,
            """
            select b.url, b.http_status::text, b.kind, count(r.*)::text from jcm.batches b left join jcm.readings r on r.batch = b.id
            where b.url like '%GetArchiveData%' group by b.id
            """)
        #expect(archive.count == 1)
        #expect(
            archive.first?[0]?.contains("StartDate=REDACTED&EndDate=REDACTED&Channel=REDACTED") == true, "\(archive)")
        #expect(archive.first?[1] == "200" && archive.first?[2] == "poll")
        #expect(Int(archive.first?[3] ?? "") ?? 0 >= 3, "the 4 s outage's seconds came from the archive: \(archive)")
    }

    /// The Datamanager answers the first archive request with a 500: the gap is asked for again
    /// after the meter's backoff_max, in the same run, and filled then.
    @Test func aFailedHistoryRequestIsAskedForAgainAfterBackoffMax() throws {
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        gateway.lock.withLock { gateway.archiveFailures = 1 }
        let conninfo = try TestCluster.freshDatabase()
        #expect(
            Self.outage(gateway, try Self.fronius(gateway.server.port, "backoff_max = \"2s\""), conninfo),
            "the second archive request was written")
        #expect(gateway.lock.withLock { gateway.archiveRequests.count } == 2, "the failed request and its retry")
        #expect(
            try rows(
                conninfo, "select http_status::text from jcm.batches where url like '%GetArchiveData%' order by id")
                == [["500"], ["200"]])
        try Self.expectEverySecond(conninfo)
    }

    static func emoncms(_ base: String, stateDir: String = TestCluster.scratch(), _ extra: String = "") throws -> Config
    {
        try Config.parse(
            PolledGateways.header(stateDir: stateDir)
                + PolledGateways.meter(
                    "EMON", "\(base)/feed/timevalue.json?id=7&apikey=secret", extra,
                    payload: """
                        format = "emoncms"
                        backfill.url = "\(base)/feed/data.json?id=7&start={start}&end={end}&interval=1&apikey=secret"
                        backfill.format = "emoncms-feed-data"
                        backfill.pause = "0s"
                        """))
    }

    /// The seconds stored for the emoncms meter, in order.
    static func emoncmsSeconds(_ conninfo: String) throws -> [Int64] {
        try rows(
            conninfo,
            "select extract(epoch from ts)::bigint::text from jcm.readings_view where meter_id = 'EMON' order by ts"
        )
        .compactMap { $0[0].flatMap { Int64($0) } }
    }

    @Test func aDaemonStoppedForAWhileFetchesEmoncmsHistoryAtItsNextStart() throws {
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let base = "http://127.0.0.1:\(gateway.server.port)"
        let config = try Self.emoncms(base)
        // emoncms feeds are in the meter's unit: the feed counts Wh, so the meter says Wh.
        PolledGateways.run(config, conninfo, seconds: 10) {
            try scalar(conninfo, "select count(*) from jcm.readings") == "2"
        }
        let stoppedAt = Self.nowSecond()
        Thread.sleep(forTimeInterval: 4)
        let filled = PolledGateways.run(config, conninfo, seconds: 20) {
            (try scalar(conninfo, "select count(*) from jcm.batches where url like '%/feed/data.json%'") ?? "0") != "0"
        }
        #expect(filled)
        let seconds = try Self.emoncmsSeconds(conninfo)
        let first = try #require(seconds.first)
        let last = try #require(seconds.last)
        #expect(last > stoppedAt + 3)
        #expect(seconds == Array(first...last), "the seconds the daemon was stopped are all there: \(seconds)")
        #expect(
            try scalar(
                conninfo, "select count(*) from jcm.readings_view where meter_id = 'EMON' and status <> 'accepted'")
                == "0")
        #expect(
            try scalar(conninfo, "select url from jcm.batches where url like '%/feed/data.json%'")
                == "\(base)/feed/data.json?id=REDACTED&start=REDACTED&end=REDACTED&interval=REDACTED&apikey=REDACTED")
    }

    /// backfill.horizon: a gap reaching back past it is asked for from the horizon on, one wholly
    /// older is not asked for at all (the Backfiller's queue, no gateway needed).
    @Test func gapsAreClippedToTheHorizon() throws {
        var config = try Self.emoncms("http://127.0.0.1:9")
        config.meters[0].poll!.backfill!.horizonMilliseconds = 3_600_000
        let now = Timestamp(date: Date()).microseconds
        let hour: Int64 = 3_600_000_000
        func gap(after: Int64, through: Int64) -> BackfillGap {
            BackfillGap(
                meterID: "EMON",
                window: HistoryRequest.Window(
                    after: Timestamp(microseconds: after), through: Timestamp(microseconds: through)),
                before: BackfillMark(timestamp: Timestamp(microseconds: after), value: ExactDecimal(parsing: "1")!))
        }
        let old = Backfiller(config: config, security: [:], logger: TestCluster.logger, deliver: { _ in })
        old.request(gap(after: now - 3 * hour, through: now - 2 * hour))
        #expect(old.stop().isEmpty, "a gap older than the horizon is dropped")

        let straddling = Backfiller(config: config, security: [:], logger: TestCluster.logger, deliver: { _ in })
        straddling.request(gap(after: now - 3 * hour, through: now - 60_000_000))
        let asked = straddling.stop()
        #expect(asked.count == 1)
        if let w = asked.first?.window {
            #expect(w.through.microseconds == now - 60_000_000)
            #expect(
                w.after.microseconds > now - hour - 1_000 && w.after.microseconds < now - hour + 60_000_000,
                "from the horizon on: \((now - w.after.microseconds) / 1_000_000) s back")
        }
    }

    /// A gap whose history request fails (the gateway holds its answer past the daemon's stop,
    /// which cuts the request off) is kept in state_dir/backfill/pending.json and fetched at the
    /// next start, though the gap detection then starts from a newer reading.
    @Test func aGapNotFetchedBeforeAStopIsFetchedAtTheNextStart() throws {
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let stateDir = TestCluster.scratch()
        // No low-speed cut-off before the gateway answers: only the stop ends the request.
        let config = try Self.emoncms(
            "http://127.0.0.1:\(gateway.server.port)", stateDir: stateDir, "low_speed_time = \"30s\"")
        PolledGateways.run(config, conninfo, seconds: 10) {
            try scalar(conninfo, "select count(*) from jcm.readings") == "2"
        }
        Thread.sleep(forTimeInterval: 3)
        gateway.lock.withLock { gateway.feedDataDelayMs = 9_000 }
        let log = LogCapture()
        #expect(
            PolledGateways.run(config, conninfo, seconds: 10, logger: log.logger) {
                gateway.lock.withLock { gateway.feedDataRequests } >= 1
            })
        #expect(log.count("a history request did not stop") == 0, "the request held by the gateway was cut off at stop")
        let pending = try String(contentsOfFile: PendingGaps.path(stateDir: stateDir), encoding: .utf8)
        #expect(pending.contains(#""meter":"EMON""#), "\(pending)")
        Thread.sleep(forTimeInterval: 3)
        gateway.lock.withLock { gateway.feedDataDelayMs = 0 }
        // Both gaps: the one kept, and the one this start finds before its first poll.
        let filled = PolledGateways.run(config, conninfo, seconds: 20) {
            Int(try scalar(conninfo, "select count(*) from jcm.batches where url like '%/feed/data.json%'") ?? "0") ?? 0
                >= 2
        }
        #expect(filled)
        let seconds = try Self.emoncmsSeconds(conninfo)
        let first = try #require(seconds.first)
        let last = try #require(seconds.last)
        #expect(seconds == Array(first...last), "no second missing across both stops: \(seconds)")
        #expect(!FileManager.default.fileExists(atPath: PendingGaps.path(stateDir: stateDir)), "nothing left pending")
    }

    /// A SolarEdge production meter polled every second for its window (energyDetails).
    static func solarEdgeWindowed(_ port: UInt16) -> String {
        PolledGateways.meter(
            "SE-PROD",
            "http://127.0.0.1:\(port)/site/1/energyDetails?timeUnit=QUARTER_OF_AN_HOUR&meters=PRODUCTION&startTime={start}&endTime={end}&api_key=k",
            kind: "interval",
            payload: """
                timezone = "Europe/Berlin"
                format = "solaredge-energy-details"
                solaredge.meter = "Production"
                backfill.pause = "0s"
                """)
    }

    /// A SolarEdge site polled for its last few quarter hours (compressed to seconds here): the
    /// url's {start}/{end} move with every poll, a value the API reports late lands at a later
    /// poll, and a stretch longer than a poll's window is asked for as a gap.
    @Test func aWindowedSolarEdgePollAndItsGap() throws {
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let config = try Config.parse(PolledGateways.header() + Self.solarEdgeWindowed(gateway.server.port))
        let done = Self.outage(
            gateway, config, conninfo,
            up: { try (Int(scalar(conninfo, "select count(*) from jcm.readings") ?? "") ?? 0) >= 3 },
            downSeconds: 5,
            until: { Date().timeIntervalSince($0) > 3 }
        )
        #expect(done)
        let windows = gateway.lock.withLock { gateway.solarEdgeWindows }
        // A poll's window ends now; the gap's ends where the first poll after the outage began.
        #expect(windows.filter { $0.1 < $0.2 - 1 }.count == 1, "one request for the gap: \(windows)")
        let seconds = try rows(
            conninfo,
            "select extract(epoch from ts)::bigint::text from jcm.readings_view where meter_id = 'SE-PROD' order by ts"
        )
        .compactMap { $0[0].flatMap { Int64($0) } }
        let first = try #require(seconds.first)
        let last = try #require(seconds.last)
        #expect(last - first >= 8)
        #expect(seconds == Array(first...last), "every second between the first and the newest reading: \(seconds)")
        #expect(
            try scalar(
                conninfo,
                "select count(*) from jcm.readings_view where meter_id = 'SE-PROD' and (value <> 5 or status <> 'accepted')"
            ) == "0")
        #expect(
            try scalar(
                conninfo, "select count(*) from jcm.rejections where meter_id = 'SE-PROD' and reason <> 'http_status'")
                == "0")
    }

    /// A SolarEdge site's lifetime counter (overview) that stops answering for a while: the gap
    /// is filled from the production meter's lifetime readings (meters), one every second.
    @Test func aSolarEdgeOverviewGapIsFilledFromTheMetersReadings() throws {
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let base = "http://127.0.0.1:\(gateway.server.port)/site/1"
        let config = try Config.parse(
            PolledGateways.header()
                + PolledGateways.meter(
                    "SE-LIFE", "\(base)/overview?api_key=k",
                    payload: """
                        timezone = "Europe/Berlin"
                        format = "solaredge-overview"
                        backfill.format = "solaredge-meters"
                        backfill.solaredge.meter = "Production"
                        backfill.url = "\(base)/meters?meters=Production&startTime={start}&endTime={end}&api_key=k"
                        backfill.pause = "0s"
                        """))
        #expect(Self.outage(gateway, config, conninfo, history: "/meters?"), "a meters request was written")
        #expect(
            try Self.expectEverySecond(conninfo, meter: "SE-LIFE", decimals: ".0") >= 6,
            "the outage is inside the readings")
        let windows = gateway.lock.withLock { gateway.solarEdgeWindows }
        #expect(windows.count == 1, "one meters request, for the gap: \(windows)")
    }

    /// Two Fronius gaps on one host wait `backfill.pause` between their archive requests; a
    /// SolarEdge meter polled for its window on another host goes on being polled meanwhile.
    @Test func aHostsPauseHoldsUpNoOtherMeter() throws {
        let gateway = try Gateway()
        defer { gateway.server.stop() }
        let conninfo = try TestCluster.freshDatabase()
        let port = gateway.server.port
        let fronius = ["FR-A", "FR-B"].map { Self.froniusMeter($0, "localhost:\(port)", "backfill.pause = \"4s\"") }
            .joined()
        let config = try Config.parse(PolledGateways.header() + fronius + Self.solarEdgeWindowed(port))
        let both = Self.outage(
            gateway, config, conninfo,
            up: { try scalar(conninfo, "select count(distinct meter_id) from jcm.readings_view") == "3" },
            downSeconds: 3,
            until: { _ in gateway.lock.withLock { gateway.archiveRequests.count } >= 2 }
        )
        #expect(both, "both gaps asked for")
        let (asked, windows) = gateway.lock.withLock { (gateway.archiveAskedAt, gateway.solarEdgeWindows) }
        let first = try #require(asked.first)
        let second = try #require(asked.dropFirst().first)
        #expect(second - first >= 4, "the host's pause between its archive requests: \(asked)")
        #expect(
            windows.filter { $0.2 > first && $0.2 < second }.count >= 2,
            "windowed polls went on during the pause: \(windows.map(\.2)), archive at \(asked)")
    }
}
