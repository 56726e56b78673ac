/// The status as an operator reads it on a terminal: one row per meter, then the spool, the
/// chains and the last checkpoint.
extension StatusReport {
    public var text: String {
        let header = [
            "METER", "PROJECT", "PARAMETER", "STATE", "LAST READING (UTC)", "VALUE", "TODAY", "PERIOD",
            "CALIBRATED UNTIL",
        ]
        let rows = meters.map { m -> [String] in
            [
                m.id, m.project, m.parameter, Self.stateText(m), m.lastReadingAt.map(Self.short) ?? "-",
                m.lastValue.map { "\(Self.trimmed($0)) \(m.unit)" } ?? "-",
                Self.percent(m.completenessToday), Self.percent(m.completenessPeriod),
                m.calibrationValidUntil.map { Self.short($0) + ($0 <= at ? " (lapsed)" : "") } ?? "none",
            ]
        }
        var out = "status at \(Self.short(at))\n"
        if meters.isEmpty {
            out += "no meters configured\n"
        } else {
            let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
            for row in [header] + rows {
                out +=
                    row.enumerated().map { i, cell in
                        i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    }
                    .joined(separator: "  ") + "\n"
            }
            let periods = Set(meters.compactMap { m in m.periodFrom.map { "\(m.project) from \(Self.short($0))" } })
                .sorted()
            if !periods.isEmpty {
                out +=
                    "PERIOD: since the last declared period's end, else monitoring_start: \(periods.joined(separator: "; "))\n"
            }
        }
        out += "\n" + spoolLine + "\n"
        if chains.isEmpty { out += "chains: none yet (nothing sealed)\n" }
        for c in chains {
            out +=
                "chain \(c.project.isEmpty ? "''" : c.project): head link #\(c.seq) \(c.chainHash) sealed \(Self.short(c.sealedAt))\n"
        }
        switch checkpoint {
        case .unsupported: out += "last checkpoint: - (this schema has no jcm.checkpoints)\n"
        case .none: out += "last checkpoint: none yet\n"
        case .last(let row): out += "last checkpoint: \(row)\n"
        }
        return out
    }

    var spoolLine: String {
        var line =
            "spool: \(Self.bytes(Double(spool.bytesOnDisk))) on disk in \(spool.segments) segment\(spool.segments == 1 ? "" : "s")"
        if let d = daemon {
            if d.answered, let pending = spool.pendingBytes {
                line += "; \(Self.bytes(pending)) not yet written to PostgreSQL"
                if let age = spool.ageSeconds, age > 0 { line += " (oldest \(Int(age.rounded())) s)" }
                line += " (daemon at \(d.listen))"
            } else {
                line += "; the daemon at \(d.listen) did not answer (not running?)"
            }
        }
        return line
    }

    static func stateText(_ m: Meter) -> String {
        switch m.state {
        case "down": return "down since " + (m.downSince.map(short) ?? "?")
        default: return m.state
        }
    }

    /// 2026-12-06T20:01:02Z → 2026-12-06 20:01:02Z: narrower, still unambiguous.
    static func short(_ time: String) -> String { time.replacingOccurrences(of: "T", with: " ") }

    /// 0.9850 → 98.5 %, exactly (no binary floating point on the way).
    static func percent(_ fraction: String?) -> String {
        guard let f = fraction, let d = ExactDecimal(parsing: f), let p = d.shifted(by: 2) else { return "-" }
        return "\(p.normalized.description) %"
    }

    /// Trailing zeros of a numeric(…) value dropped: 1234.500000 → 1234.5.
    static func trimmed(_ value: String) -> String {
        guard value.contains("."), !value.contains("e"), !value.contains("E") else { return value }
        var s = Substring(value)
        while s.hasSuffix("0") { s = s.dropLast() }
        if s.hasSuffix(".") { s = s.dropLast() }
        return String(s)
    }

    static func bytes(_ n: Double) -> String {
        if n < 1024 { return "\(Int(n)) bytes" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var v = n / 1024
        var i = 0
        while v >= 1024, i < units.count - 1 {
            v /= 1024
            i += 1
        }
        return "\((v * 10).rounded() / 10) \(units[i])"
    }
}
