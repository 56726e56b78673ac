import JCMCore
import Testing

/// How `jcm-ingestd status` prints what it gathered: the table's cells and the JSON's fields.
@Suite("status report")
struct StatusReportTests {
    static let report: StatusReport = {
        var r = StatusReport(
            at: "2026-12-06T20:00:00Z",
            meters: [
                .init(
                    project: "P", id: "M-1", parameter: "EG_p", polled: true, state: "up",
                    lastReadingAt: "2026-12-06T19:59:55Z",
                    lastValue: "1234.500000", unit: "kWh", completenessToday: "0.9850",
                    periodFrom: "2026-11-01T00:00:00Z",
                    completenessPeriod: "1.0000", calibrationValidUntil: "2027-03-20T00:00:00Z",
                    calibrationCertificate: "C-1"),
                .init(
                    project: "P", id: "M-2", parameter: "EG_p", polled: true, state: "down", unit: "kWh",
                    downSince: "2026-12-06T19:01:02Z",
                    lastError: "connection refused"),
                .init(
                    project: "P", id: "LOGGER", parameter: "EG_p", polled: false, state: "report-fed", unit: "kWh",
                    calibrationValidUntil: "2025-06-01T00:00:00Z"),
            ],
            chains: [.init(project: "P", seq: "42", chainHash: "ab12", sealedAt: "2026-12-06T19:59:56Z")],
            checkpoint: .unsupported,
            spool: .init(bytesOnDisk: 3 * 1024 * 1024, segments: 1, pendingBytes: 0, ageSeconds: 0))
        r.daemon = ("127.0.0.1:9464", true)
        return r
    }()

    @Test func theTableHasARowPerMeterAndTheSpoolChainsAndCheckpointBelow() {
        let lines = Self.report.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "status at 2026-12-06 20:00:00Z")
        #expect(lines[1].hasPrefix("METER   PROJECT  PARAMETER  STATE"))
        #expect(lines[2].hasPrefix("M-1     P        EG_p       up  "))
        #expect(lines[2].contains("  2026-12-06 19:59:55Z  1234.5 kWh  98.5 %  100 %   2027-03-20 00:00:00Z"))
        #expect(lines[3].contains("  down since 2026-12-06 19:01:02Z  -  "))
        #expect(lines[3].hasSuffix("  none"))
        #expect(lines[4].contains("report-fed") && lines[4].hasSuffix("  2025-06-01 00:00:00Z (lapsed)"))
        #expect(
            lines.contains(
                "PERIOD: since the last declared period's end, else monitoring_start: P from 2026-11-01 00:00:00Z"))
        #expect(
            lines.contains(
                "spool: 3.0 MiB on disk in 1 segment; 0 bytes not yet written to PostgreSQL (daemon at 127.0.0.1:9464)")
        )
        #expect(lines.contains("chain P: head link #42 ab12 sealed 2026-12-06 19:59:56Z"))
        #expect(lines.contains("last checkpoint: - (this schema has no jcm.checkpoints)"))
    }

    @Test func aSilentDaemonAndACheckpointAreSaid() throws {
        var r = Self.report
        r.daemon = ("127.0.0.1:9464", false)
        r.checkpoint = .last(#"{"seq":3}"#)
        #expect(
            r.text.contains(
                "spool: 3.0 MiB on disk in 1 segment; the daemon at 127.0.0.1:9464 did not answer (not running?)\n"))
        #expect(r.text.contains("last checkpoint: {\"seq\":3}\n"))
        #expect(try JSON.parse(r.json).value(at: "checkpoint.seq") == .number("3"))
        r.meters = []
        #expect(r.text.contains("no meters configured\n"))
    }

    @Test func theJSONHasTheSameFieldsExactly() throws {
        let doc = try JSON.parse(Self.report.json)
        #expect(doc.value(at: "meters.0.meter_id") == .string("M-1"))
        #expect(doc.value(at: "meters.0.last_value") == .number("1234.500000"))
        #expect(doc.value(at: "meters.0.completeness_today") == .number("0.9850"))
        #expect(doc.value(at: "meters.1.state") == .string("down"))
        #expect(doc.value(at: "meters.1.down_since") == .string("2026-12-06T19:01:02Z"))
        #expect(doc.value(at: "meters.1.last_reading_at") == .null)
        #expect(doc.value(at: "meters.2.polled") == .bool(false))
        #expect(doc.value(at: "chains.0.seq") == .number("42"))
        #expect(doc.value(at: "checkpoint") == .null)
        #expect(doc.value(at: "checkpoints_supported") == .bool(false))
        #expect(doc.value(at: "spool.bytes_on_disk") == .number("3145728"))
        #expect(doc.value(at: "daemon.answered") == .bool(true))
    }
}
