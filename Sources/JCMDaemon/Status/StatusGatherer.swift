import Foundation
import JCMCore
import JCMCurl
import JCMPostgres

/// Gathers `jcm-ingestd status`: the database's view (StatusQueries), the spool's files under
/// state_dir, and, when [metrics] listen is set, the running daemon's own counts from /metrics
/// (what is spooled and not yet written is known only to the daemon).
public enum StatusGatherer {
    public static func gather(_ config: Config, db: Connection) throws -> StatusReport {
        var report = try StatusQueries.load(db)
        report.spool = spoolOnDisk(config.daemon.stateDir + "/spool")
        if let listen = config.metricsListen, listen.port != 0 {
            let scraped = scrape(listen)
            report.daemon = (listen.description, scraped != nil)
            report.spool.pendingBytes = scraped?["jcm_spool_bytes"]
            report.spool.ageSeconds = scraped?["jcm_spool_age_seconds"]
        }
        return report
    }

    /// The spool's segment files (Spool.swift: NNN.seg) and their total size.
    static func spoolOnDisk(_ dir: String) -> StatusReport.Spool {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".seg") }
        var bytes = 0
        for name in names {
            var st = stat()
            if stat(dir + "/" + name, &st) == 0 { bytes += Int(st.st_size) }
        }
        return StatusReport.Spool(bytesOnDisk: bytes, segments: names.count)
    }

    /// The unlabelled samples of the daemon's /metrics, or nil when it does not answer within 2 s.
    static func scrape(_ listen: ListenAddress) -> [String: Double]? {
        let host = listen.host == "0.0.0.0" ? "127.0.0.1" : listen.host == "[::]" ? "[::1]" : listen.host
        guard let handle = try? EasyHandle() else { return nil }
        let r = handle.fetch(
            url: "http://\(host):\(listen.port)/metrics", meterID: "", connectTimeoutMs: 2_000, timeoutMs: 2_000,
            maxBytes: 64 << 20)
        guard r.failure == nil, r.status == 200 else { return nil }
        var samples: [String: Double] = [:]
        for line in String(decoding: r.body, as: UTF8.self).split(separator: "\n")
        where !line.hasPrefix("#") && !line.contains("{") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let v = Double(parts[1]) { samples[String(parts[0])] = v }
        }
        return samples
    }
}
