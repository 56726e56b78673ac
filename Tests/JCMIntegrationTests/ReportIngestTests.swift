import Foundation
import JCMCore
import JCMDaemon
import JCMPostgres
import Testing

@Suite("report file → rows")
struct ReportIngestTests {
    let dir = TempDir()

    func ingest(
        _ path: String, _ db: inout (conninfo: String, context: IngestContext), zone: String? = nil,
        batchRows: Int = 50_000
    ) throws -> (ReportSummary, [FileProblem]) {
        var problems: [FileProblem] = []
        let ingestor = ReportIngestor(store: db.context.store, batchRows: batchRows, logger: TestCluster.logger)
        let summary = try ingestor.ingest(
            path: path, zone: zone, validator: &db.context.validator, problem: { problems.append($0) })
        return (summary, problems)
    }

    @Test func csvRowsLandWithProvenanceAndExactValues() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let path = dir.write(
            "pv 2026-11 Pune ☀.csv",
            """
            meter_id,timestamp,value,unit,operator
            PV-1,2026-11-01T00:00:00Z,1000.5,kWh,asha
            PV-1,2026-11-01T06:00:00+05:30,1001500.25,Wh,"Ravi, K."
            FUEL-1,2026-11-01T00:00:00Z,2500,L,
            """)
        let (summary, problems) = try ingest(path, &db)
        #expect(problems.isEmpty)
        #expect(summary.outcome == .processed)
        #expect(summary.counts.accepted == 3)

        let got = try rows(
            db.conninfo,
            """
            select meter_id, ts, value::text, unit, raw_value, raw_unit, status, extra->>'operator', source, batch_sha256
            from jcm.readings_view order by meter_id, ts
            """)
        #expect(got.count == 3)
        #expect(got[0][0] == "FUEL-1")
        #expect(got[0][2] == "2.5")  // 2500 L in kL, exact
        #expect(got[0][3] == "kL")
        #expect(got[1][2] == "1000.5")
        #expect(got[1][6] == "accepted")
        #expect(got[1][7] == "asha")
        #expect(got[1][8] == path)
        #expect(got[1][9] == shellSHA256(path))
        #expect(got[2][1] == "2026-11-01 00:30:00+00")
        #expect(got[2][2] == "1001.50025")  // Wh converted exactly to kWh
        #expect(got[2][4] == "1001500.25")
        #expect(got[2][5] == "Wh")
        #expect(got[2][7] == "Ravi, K.")
        let report = try rows(db.conninfo, "select file_name, outcome, rows_total, accepted, rejected from jcm.reports")
        #expect(report == [["pv 2026-11 Pune ☀.csv", "processed", "3", "3", "0"]])
    }

    /// The origin travels with the ingest call: it becomes the batch's url and an upload_objects
    /// row; the same bytes from a watched folder (no origin) claim no URL.
    @Test func aDownloadsOriginIsItsProvenanceAndOnlyItsOwn() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let text = "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,5,kWh\n"
        let origin = ReportOrigin(
            uploadID: "contractor-a", url: "https://files.example.org/r/day.csv",
            version: UploadVersion(etag: "\"e1\"", size: Int64(text.utf8.count), modified: nil))
        let ingestor = ReportIngestor(store: db.context.store, batchRows: 50_000, logger: TestCluster.logger)
        let first = try ingestor.ingest(
            path: dir.write("day.csv", text), zone: nil, origin: origin, validator: &db.context.validator)
        #expect(first.outcome == .processed)
        let again = try ingestor.ingest(
            path: dir.write("dropped.csv", text), zone: nil, validator: &db.context.validator)
        #expect(again.outcome == .duplicate(of: "day.csv"))
        #expect(
            try rows(db.conninfo, "select file_name, kind, url from jcm.batches where kind <> 'plan' order by id")
                == [["day.csv", "file", origin.url], ["dropped.csv", "duplicate_file", nil]])
        #expect(
            try rows(db.conninfo, "select upload_id, url, etag, size, batch::text from jcm.upload_objects")
                == [["contractor-a", origin.url, "\"e1\"", String(text.utf8.count), first.batch.map(String.init)]])
    }

    @Test func jsonReportKeepsNumbersAsWritten() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let path = dir.write(
            "r.json",
            """
            {"source": "logger-7", "readings": [
              {"meter_id": "PV-1", "timestamp": "2026-11-01T00:00:00Z", "value": 12.50, "unit": "kWh", "quality": "good"},
              {"meter_id": "PV-1", "timestamp": "2026-11-01T00:15:00Z", "value": "12.75", "unit": "kWh"},
              ["not", "an", "object"],
              {"meter_id": "PV-1", "timestamp": "2026-11-01T00:30:00Z", "value": 13, "unit": "kWh", "note": "a\\u0000b"},
              {"meter_id": "PV-1", "timestamp": "2026-11-01T00:45:00Z", "value": 14, "unit": "kWh", "gain": 1e1000000}
            ]}
            """)
        let (summary, problems) = try ingest(path, &db)
        #expect(summary.counts.accepted == 2)
        #expect(summary.counts.rejected == 3)
        #expect(problems.map(\.reason) == ["record_malformed", "record_malformed", "record_malformed"])
        #expect(problems.first?.line == 4)
        #expect(problems[1].detail.contains("NUL"))
        let got = try rows(db.conninfo, "select raw_value, value::text, extra::text from jcm.readings order by ts")
        #expect(got[0] == ["12.50", "12.50", #"{"quality": "good"}"#])
        #expect(got[1] == ["12.75", "12.75", nil])
    }

    @Test func rejectedRowsAreKeptWithReasonAndRawInput() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let path = dir.write(
            "bad rows.csv",
            """
            meter_id,timestamp,value,unit
            PV-1,2026-11-01T00:00:00Z,10,kWh
            NOPE,2026-11-01T00:00:00Z,10,kWh
            PV-1,2026-11-01T01:00:00Z,abc,kWh
            PV-1,2026-11-01T02:00:00Z,NaN,kWh
            PV-1,2026-11-01T03:00:00Z,10,furlong
            PV-1,2026-11-01T04:00:00Z,10,kg
            PV-1,yesterday,10,kWh
            PV-1,2026-11-01 05:00:00,10,kWh
            PV-1,2099-01-01T00:00:00Z,10,kWh
            PV-1,2026-11-01T06:00:00Z,-5,kWh
            PV-1,2026-11-01T07:00:00Z
            """)
        let (summary, problems) = try ingest(path, &db)
        #expect(summary.outcome == .rejected)
        #expect(summary.counts.accepted == 1)
        #expect(summary.counts.rejected == 10)
        #expect(
            problems.map(\.reason) == [
                "unknown_meter", "value_not_numeric", "value_not_finite", "unit_unknown", "unit_incompatible",
                "timestamp_invalid", "timestamp_no_offset", "timestamp_future", "value_negative", "record_malformed",
            ])
        #expect(problems.map(\.line) == Array(3...12).map(Optional.some))
        let stored = try rows(db.conninfo, "select location, reason, raw from jcm.rejections order by id")
        #expect(stored.count == 10)
        #expect(stored[0] == ["bad rows.csv:3", "unknown_meter", "NOPE,2026-11-01T00:00:00Z,10,kWh"])
        #expect(stored[9][2] == "PV-1,2026-11-01T07:00:00Z")
    }

    @Test func timezoneOfTheSourceAppliesToLocalTimes() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let path = dir.write(
            "local.csv",
            "meter_id,timestamp,value,unit\nPV-1,2026-11-01 05:30:00,1,kWh\nPV-2,2026-11-01 05:30:00,1,kWh\n")
        let (summary, _) = try ingest(path, &db, zone: "Europe/Berlin")
        #expect(summary.counts.accepted == 2)
        // PV-2 declares Asia/Kolkata itself, which wins over the folder's zone.
        let got = try rows(db.conninfo, "select meter_id, ts from jcm.readings_view order by meter_id")
        #expect(got == [["PV-1", "2026-11-01 04:30:00+00"], ["PV-2", "2026-11-01 00:00:00+00"]])
    }

    @Test func theSameFileTwiceIsRecordedAsDuplicate() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let text = "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\n"
        let first = try ingest(dir.write("a.csv", text), &db).0
        let second = try ingest(dir.write("copy of a.csv", text), &db).0
        #expect(first.outcome == .processed)
        #expect(second.outcome == .duplicate(of: "a.csv"))
        #expect(try scalar(db.conninfo, "select count(*) from jcm.readings") == "1")
        #expect(
            try rows(db.conninfo, "select kind, file_name from jcm.batches where kind <> 'plan' order by id") == [
                ["file", "a.csv"], ["duplicate_file", "copy of a.csv"],
            ])
    }

    @Test func overlappingRowsChangeNothingAndConflictsAreKept() throws {
        var db = try TestCluster.context(try Fixtures.config())
        _ = try ingest(
            dir.write(
                "1.csv",
                "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,1,kWh\nPV-1,2026-11-01T01:00:00Z,2,kWh\n"),
            &db)
        // Re-sent rows (one with the same value written differently, one changed) plus a new one,
        // and a conflict inside the file itself.
        let (summary, problems) = try ingest(
            dir.write(
                "2.csv",
                """
                meter_id,timestamp,value,unit
                PV-1,2026-11-01T00:00:00Z,1.000,kWh
                PV-1,2026-11-01T01:00:00Z,2.5,kWh
                PV-1,2026-11-01T02:00:00Z,3,kWh
                PV-1,2026-11-01T02:00:00Z,3,kWh
                PV-1,2026-11-01T03:00:00Z,4,kWh
                PV-1,2026-11-01T03:00:00Z,4.5,kWh
                """), &db)
        #expect(summary.counts.accepted == 2)
        #expect(summary.counts.duplicates == 2)
        #expect(summary.counts.rejected == 2)
        #expect(summary.outcome == .rejected)
        #expect(problems.allSatisfy { $0.reason == "duplicate_conflict" })
        #expect(problems.count == 2)
        let values = try rows(
            db.conninfo, "select to_char(ts at time zone 'UTC', 'HH24'), value::text from jcm.readings order by ts")
        #expect(values == [["00", "1"], ["01", "2"], ["02", "3"], ["03", "4"]])
        let details = try rows(
            db.conninfo, "select detail from jcm.rejections where reason = 'duplicate_conflict' order by id"
        ).map { $0[0] ?? "" }
        #expect(details[0].contains("2.5") && details[0].contains("already stored"))
        #expect(details[1].contains("4.5") && details[1].contains("same batch"))
    }

    @Test func aLargeFileStreamsThroughManyTransactions() throws {
        var db = try TestCluster.context(try Fixtures.config())
        var text = "meter_id,timestamp,value,unit\n"
        let start = 1_780_000_000
        for i in 0..<25_000 {
            text += "PV-1,\(Timestamp(microseconds: Int64(start + i * 60) * 1_000_000)),\(i).125,kWh\n"
        }
        let (summary, problems) = try ingest(dir.write("big.csv", text), &db, batchRows: 1_000)
        #expect(problems.isEmpty)
        #expect(summary.counts.accepted == 25_000)
        #expect(try scalar(db.conninfo, "select count(*) from jcm.readings") == "25000")
        // Σ (i + 0.125) for i < 25,000, exact.
        #expect(try scalar(db.conninfo, "select sum(value)::text from jcm.readings") == "312490625.000")
    }

    @Test(arguments: [
        ("empty.csv", "", "empty file"),
        ("garbage.bin", "\u{0}\u{1}\u{2}PK\u{3}\u{4}", "binary content"),
        ("nounit.csv", "meter_id,timestamp,value\nPV-1,2026-11-01T00:00:00Z,1\n", "header lacks column unit"),
        ("broken.json", "{\"readings\": [{\"meter_id\": \"PV-1\", ", "unexpected end"),
        ("page.json", "<html><body>502 Bad Gateway</body></html>", "unexpected '<'"),
    ])
    func unreadableFilesGetAClearReason(name: String, content: String, expected: String) throws {
        var db = try TestCluster.context(try Fixtures.config())
        let (summary, problems) = try ingest(dir.write(name, content), &db)
        #expect(summary.outcome == .rejected)
        #expect(summary.fatal?.contains(expected) == true, "\(summary.fatal ?? "nil")")
        #expect(problems.first?.reason == "file_unreadable")
        #expect(try scalar(db.conninfo, "select error from jcm.reports") == summary.fatal)
    }

    @Test func aSymlinkIsRefusedAndNotFollowed() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let link = dir.file("passwd.csv")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/etc/passwd")
        let (summary, problems) = try ingest(link, &db)
        guard case .refused(let why) = summary.outcome else {
            Issue.record("not refused: \(summary.outcome)")
            return
        }
        #expect(why.contains("symbolic link"))
        #expect(problems.map(\.reason) == ["file_refused"])
        #expect(try scalar(db.conninfo, "select count(*) from jcm.batches where kind <> 'plan'") == "0")
    }

    @Test func aTwoGigabyteFileOfZerosIsRefusedQuickly() throws {
        var db = try TestCluster.context(try Fixtures.config())
        let path = dir.file("huge.csv")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        #expect(truncate(path, 2 << 30) == 0)  // sparse: no disk used
        let (summary, _) = try ingest(path, &db)
        #expect(summary.outcome == .rejected)
        #expect(summary.fatal?.contains("binary content") == true)
    }

    @Test func counterStateSurvivesARestart() throws {
        let config = try Fixtures.config()
        var db = try TestCluster.context(config)
        _ = try ingest(dir.write("1.csv", "meter_id,timestamp,value,unit\nPV-1,2026-11-01T00:00:00Z,100,kWh\n"), &db)
        // A new context reads the newest reading back from the database.
        db.context = try IngestContext.open(conninfo: db.conninfo, config: config, logger: TestCluster.logger)
        let (summary, problems) = try ingest(
            dir.write(
                "2.csv",
                "meter_id,timestamp,value,unit\nPV-1,2026-11-01T01:00:00Z,99,kWh\nPV-1,2026-10-31T23:00:00Z,98,kWh\n"),
            &db)
        #expect(problems.isEmpty)
        #expect(summary.counts.flagged == 2)
        // 99 after the stored 100 is a reset; 98 before it is late.
        #expect(
            try rows(
                db.conninfo,
                "select value::text, array_to_string(reasons, ',') from jcm.readings where status = 'flagged' order by ts"
            )
                == [["98", "out_of_order"], ["99", "counter_reset"]])
    }
}

func shellSHA256(_ path: String) -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    p.arguments = [path]
    let out = Pipe()
    p.standardOutput = out
    try? p.run()
    p.waitUntilExit()
    return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").first
        .map(String.init) ?? ""
}

@Suite("rows the database refuses")
struct DatabaseRefusalTests {
    let dir = TempDir()

    /// A constraint the validator knows nothing of (a DBA's rule, a trigger): the rows it refuses
    /// are found by halving, kept with the server's message and their line; the rest land.
    @Test(arguments: [1_000, 3])
    func refusedRowsAreIsolatedAndTheRestLands(batchRows: Int) throws {
        var db = try TestCluster.context(try Fixtures.config())
        try Connection(conninfo: db.conninfo).execute(
            "alter table jcm.readings add constraint below_a_gwh check (value < 1000000)")
        var text = "meter_id,timestamp,value,unit\n"
        for i in 0..<40 {
            let value = i == 7 || i == 30 ? "5000000" : "\(i).5"
            text +=
                "FUEL-1,2026-11-01T\(String(format: "%02d", i / 4)):\(String(format: "%02d", (i % 4) * 15)):00Z,\(value),kL\n"
        }
        let path = dir.write("dba.csv", text)
        var problems: [FileProblem] = []
        let ingestor = ReportIngestor(store: db.context.store, batchRows: batchRows, logger: TestCluster.logger)
        let summary = try ingestor.ingest(
            path: path, zone: nil, validator: &db.context.validator, problem: { problems.append($0) })
        #expect(summary.counts.accepted == 38)
        #expect(summary.counts.rejected == 2)
        #expect(summary.outcome == .rejected)
        #expect(problems.map(\.line) == [9, 32])
        #expect(
            problems.allSatisfy {
                $0.reason == "database_refused" && $0.detail.contains("below_a_gwh") && $0.detail.contains("23514")
            })
        let kept = try rows(db.conninfo, "select meter_id, location, reason, raw from jcm.rejections order by id")
        #expect(
            kept == [
                ["FUEL-1", "dba.csv:9", "database_refused", "5000000 kL"],
                ["FUEL-1", "dba.csv:32", "database_refused", "5000000 kL"],
            ])
        #expect(try scalar(db.conninfo, "select count(*) from jcm.readings") == "38")
    }
}
