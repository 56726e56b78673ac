import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

/// The monitoring plan in PostgreSQL, and what a verifier reads off it: versions, interval
/// values through resets and rollovers, gaps with their causes, completeness.
@Suite("monitoring plan in the database")
struct PlanStorageTests {
    let dir = TempDir()

    static func config(capacity: String? = "60 kW") throws -> Config {
        try Config.parse(
            """
            [daemon]
            state_dir = "\(TestCluster.scratch())"

            [[project]]
            id = "P1"
            methodology = "JCM_IN_AM001"
            methodology_version = "1.0"
            monitoring_start = 2026-10-01T00:00:00Z

            [[parameter]]
            project = "P1"
            id = "EG_p"
            unit = "MWh"
            option = "C"
            frequency = "continuous"

            [[meter]]
            id = "PV"
            project = "P1"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            expected_interval = "10m"
            \(capacity.map { "capacity = \"\($0)\"" } ?? "")
            rollover = 100000
            range = [0, 100000]

            [[meter.calibration]]
            certificate = "CAL-7"
            calibrated = 2026-01-01
            valid_until = 2026-12-31

            [[meter]]
            id = "GW"
            project = "P1"
            parameter = "EG_p"
            kind = "cumulative"
            unit = "kWh"
            url = "http://127.0.0.1:9/never-polled-here"
            interval = "10m"
            json.value = "v"
            """)
    }

    func ingest(_ name: String, _ text: String, _ db: inout (conninfo: String, context: IngestContext)) throws
        -> ReportSummary
    {
        let ingestor = ReportIngestor(store: db.context.store, batchRows: 50_000, logger: TestCluster.logger)
        return try ingestor.ingest(path: dir.write(name, text), zone: nil, validator: &db.context.validator)
    }

    /// Readings every 10 minutes from 10:00: a rollover at 10:20, a reset at 10:30, a reading
    /// refused as implausible at 10:50 (a gap of rejected data), nothing from 11:10 to 11:40, and
    /// a late reading for 10:15 sent last (out of order on arrival: the series takes it in time order).
    static let series = """
        meter_id,timestamp,value,unit
        PV,2026-11-01T10:00:00Z,99990,kWh
        PV,2026-11-01T10:10:00Z,99995,kWh
        PV,2026-11-01T10:20:00Z,3,kWh
        PV,2026-11-01T10:30:00Z,2,kWh
        PV,2026-11-01T10:40:00Z,7,kWh
        PV,2026-11-01T10:50:00Z,250000,kWh
        PV,2026-11-01T11:00:00Z,9,kWh
        PV,2026-11-01T11:50:00Z,15,kWh
        PV,2026-11-01T10:15:00Z,99999,kWh

        """

    @Test func eachBatchNamesThePlanItWasValidatedAgainstAndAChangeIsANewVersion() throws {
        let first = try Self.config()
        var db = try TestCluster.context(first)
        // The same writer (state folder, signing key) each time the configuration changes.
        func config(capacity: String? = nil) throws -> Config {
            var c = try capacity.map { try Self.config(capacity: $0) } ?? Self.config()
            c.daemon.stateDir = first.daemon.stateDir
            return c
        }
        _ = try ingest("a.csv", Self.series, &db)
        #expect(try scalar(db.conninfo, "select count(*) from jcm.plan_versions") == "1")
        #expect(try rows(db.conninfo, "select distinct plan_version from jcm.batches where kind <> 'plan'") == [["1"]])
        #expect(
            try rows(
                db.conninfo,
                """
                select id, parameter, kind, unit, expected_interval_s::text, capacity, capacity_per_hour::text, rollover::text, calibration_required::text
                from jcm.plan_meters where version = 1 and id = 'PV'
                """) == [["PV", "EG_p", "cumulative", "kWh", "600", "60 kW", "60", "100000", "true"]])
        #expect(
            try rows(db.conninfo, "select meter_id, certificate, calibrated, valid_until from jcm.plan_calibrations")
                == [["PV", "CAL-7", "2026-01-01 00:00:00+00", "2027-01-01 00:00:00+00"]])
        #expect(
            try rows(db.conninfo, "select project, id, unit, option from jcm.plan_parameters") == [
                ["P1", "EG_p", "MWh", "C"]
            ])
        #expect(
            try rows(db.conninfo, "select methodology_version, monitoring_start from jcm.projects") == [
                ["1.0", "2026-10-01 00:00:00+00"]
            ])

        // The same plan again: no new version. A changed capacity: version 2, in force from now on.
        _ = try IngestContext.open(conninfo: db.conninfo, config: try config(), logger: TestCluster.logger)
        #expect(try scalar(db.conninfo, "select count(*) from jcm.plan_versions") == "1")
        db.context = try IngestContext.open(
            conninfo: db.conninfo, config: try config(capacity: "80 kW"), logger: TestCluster.logger)
        _ = try ingest("b.csv", "meter_id,timestamp,value,unit\nPV,2026-11-01T12:00:00Z,16,kWh\n", &db)
        #expect(
            try rows(db.conninfo, "select file_name, plan_version from jcm.batches where kind <> 'plan' order by id")
                == [
                    ["a.csv", "1"], ["b.csv", "2"],
                ])
        let history = try rows(
            db.conninfo,
            "select version, valid_to = lead_from from (select version, valid_to, lead(valid_from) over (order by version) as lead_from from jcm.plan_history) x order by version"
        )
        #expect(history == [["1", "t"], ["2", nil]])
        #expect(
            try scalar(
                db.conninfo, "select capacity_per_hour::text from jcm.plan_meters where version = 2 and id = 'PV'")
                == "80")
    }

    @Test func intervalValuesGapsAndCompletenessAnswerAVerifiersQuestions() throws {
        var db = try TestCluster.context(try Self.config())
        let summary = try ingest("a.csv", Self.series, &db)
        #expect(summary.counts.accepted + summary.counts.flagged == 8)
        #expect(summary.counts.rejected == 1)
        let refused = try rows(db.conninfo, "select reason, ts from jcm.rejections")
        #expect(refused == [["value_implausible", "2026-11-01 10:50:00+00"]])
        #expect(
            try rows(
                db.conninfo,
                "select to_char(ts, 'HH24:MI'), array_to_string(reasons, ',') from jcm.readings where status = 'flagged' order by ts"
            )
                == [["10:15", "out_of_order"], ["10:20", "counter_rollover"], ["10:30", "counter_reset"]])

        // 99990 → 99995 (5), the late 99999 in its place in time (4), → 3 through 100000 (4), reset → 2 (2),
        // → 7 (5), → 9 (2), → 15 (6): 28 kWh, as if the late reading had come on time. Its arrival
        // verdict (out_of_order) stays on the reading; the series' view is the step.
        let steps = try rows(
            db.conninfo, "select to_char(ts_to, 'HH24:MI'), delta::text, step from jcm.interval_values order by ts_to")
        #expect(
            steps == [
                ["10:00", nil, "first"], ["10:10", "5", "normal"], ["10:15", "4", "normal"],
                ["10:20", "4", "rollover"],
                ["10:30", "2", "reset"], ["10:40", "5", "normal"], ["11:00", "2", "normal"], ["11:50", "6", "normal"],
            ])
        #expect(
            try scalar(db.conninfo, "select sum(delta)::text from jcm.interval_values where meter_id = 'PV'") == "28")
        // Two periods that meet at 10:30 sum to the whole.
        #expect(
            try scalar(
                db.conninfo,
                """
                select (sum(delta) filter (where ts_to <= '2026-11-01T10:30Z') + sum(delta) filter (where ts_to > '2026-11-01T10:30Z'))::text
                from jcm.interval_values
                """) == "28")

        let gaps = try rows(
            db.conninfo,
            "select to_char(gap_from, 'HH24:MI'), to_char(gap_to, 'HH24:MI'), missing_intervals::text, cause from jcm.gaps order by gap_from"
        )
        #expect(gaps == [["10:40", "11:00", "1", "rejected_data"], ["11:00", "11:50", "4", nil]])

        // What the database knows of a gap names its cause: failed polls of the meter (meter_down),
        // no poll of any meter at all (daemon_down).
        try Connection(conninfo: db.conninfo).execute(
            """
            insert into jcm.batches (kind, source, http_status, sha256, bytes, received_at)
            values ('poll', 'PV', 503, '', 0, '2026-11-01T11:20Z')
            """)
        _ = try ingest(
            "gw.csv", "meter_id,timestamp,value,unit\nGW,2026-11-01T13:00:00Z,1,kWh\nGW,2026-11-01T13:30:00Z,2,kWh\n",
            &db)
        let causes = try rows(
            db.conninfo,
            "select meter_id, to_char(gap_from, 'HH24:MI'), cause from jcm.gaps where cause is distinct from 'rejected_data' order by gap_from"
        )
        #expect(causes == [["PV", "11:00", "meter_down"], ["GW", "13:00", "daemon_down"]])

        // The slots ending in (10:00, 12:00]: 12 due, 6 hold a reading (10:15 and 10:20 share the
        // slot ending 10:20: an extra reading never hides a missing one).
        #expect(
            try rows(
                db.conninfo,
                "select meter_id, expected::text, received::text, completeness::text from jcm.completeness('2026-11-01T10:00Z', '2026-11-01T12:00Z') order by meter_id"
            )
                == [["GW", "12", "0", "0.0000"], ["PV", "12", "6", "0.5000"]])
        #expect(
            try rows(
                db.conninfo,
                "select meter_id, day::text, expected::text, received::text from jcm.completeness_daily order by meter_id"
            )
                == [["GW", "2026-11-01", "144", "2"], ["PV", "2026-11-01", "144", "7"]])
    }

    /// Without a capacity, the SQL view and CounterDelta.swift apply one rule: over a random
    /// series with resets, rollovers and late readings, the database's sum of deltas equals the
    /// Swift one over the same readings in time order.
    @Test func theViewSumsWhatCounterDeltaSums() throws {
        var db = try TestCluster.context(try Self.config(capacity: nil))
        // Seeded, so a failure reproduces: SplitMix64 from the seed printed with it.
        let seed: UInt64 = 20_261_202
        var state = seed
        func next(_ bound: Int64) -> Int64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int64((z ^ (z >> 31)) % UInt64(bound))
        }
        var value = Int64(90_000)
        var csv = "meter_id,timestamp,value,unit\n"
        var series: [(Timestamp, ExactDecimal)] = []
        for i in 0..<500 {
            if next(40) == 0, value > 5_000, value < 50_000 { value = 0 }
            value = (value + next(10_000)) % 100_000
            let ts = Timestamp(microseconds: 1_793_000_000_000_000 + Int64(i) * 600_000_000)
            csv += "PV,\(ts),\(value).5,kWh\n"
            series.append((ts, ExactDecimal(parsing: "\(value).5")!))
            // Now and then a late reading from the past, of any value: out_of_order on arrival,
            // in its place in time for the series.
            if i > 10, next(25) == 0 {
                let late = Timestamp(microseconds: ts.microseconds - 5 * 600_000_000 - 60_000_000)
                let v = next(100_000)
                csv += "PV,\(late),\(v),kWh\n"
                series.append((late, ExactDecimal(significand: Int128(v), scale: 0)))
            }
        }
        let summary = try ingest("random.csv", csv, &db)
        #expect(summary.counts.rejected == 0)
        let values = series.sorted { $0.0 < $1.0 }.map(\.1)
        let steps = zip(values, values.dropFirst()).map {
            CounterDelta.between($0, $1, modulus: ExactDecimal(parsing: "100000"))
        }
        let swift = steps.reduce(ExactDecimal.zero) { ($0 + $1.delta)! }
        #expect(
            try scalar(db.conninfo, "select sum(delta)::text from jcm.interval_values") == swift.description,
            "seed \(seed)")
        #expect(
            try scalar(db.conninfo, "select count(*) > 0 from jcm.readings where 'out_of_order' = any(reasons)") == "t")
        let stepped = try scalar(
            db.conninfo, "select count(*) from jcm.interval_values where step not in ('normal', 'first')")
        #expect(stepped == String(steps.filter { $0.step != .normal }.count))
    }
}
