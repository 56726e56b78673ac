import Foundation
import JCMCore
import JCMPostgres

/// One problem of a report file, as listed in NAME.errors.json and the `ingest` summary.
public struct FileProblem: Sendable, Equatable {
    public var line: Int?
    public var reason: String
    public var detail: String
    public var raw: String?

    /// Its member of NAME.errors.json: keys in alphabetical order, absent ones left out.
    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("detail", .string(detail))]
        if let line { members.append(("line", .number(String(line)))) }
        if let raw { members.append(("raw", .string(raw))) }
        members.append(("reason", .string(reason)))
        return .object(JSONObject(members))
    }
}

/// What became of one report file.
public struct ReportSummary: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Every row landed (accepted, flagged or already stored).
        case processed
        /// Some rows were refused, or the file stopped being readable; the good rows landed.
        case rejected
        /// The same bytes were ingested before, under this name.
        case duplicate(of: String)
        /// Not read at all (a symbolic link, not a regular file, unreadable).
        case refused(String)

        /// The word used in jcm.reports.outcome, the summary line and the metrics.
        public var name: String {
            switch self {
            case .processed: "processed"
            case .rejected: "rejected"
            case .duplicate: "duplicate"
            case .refused: "refused"
            }
        }
    }

    public var path: String
    public var sha256: String?
    public var outcome: Outcome
    public var counts = ChunkCounts()
    public var batch: Int64?
    /// Why the file stopped being read, if it did.
    public var fatal: String?
    public var problemCount = 0
    /// The first few problems, for a terminal summary.
    public var firstProblems: [FileProblem] = []

    /// The file stopped before a single row was read (not a CSV or JSON report at all, or a
    /// header that names none of the columns): said as refused, not as "0 rejected".
    public var nothingRead: Bool {
        fatal != nil && counts.accepted + counts.flagged + counts.rejected + counts.duplicates == 0
    }

    public var oneLine: String {
        let name = (path as NSString).lastPathComponent
        switch outcome {
        case .duplicate(let of): return "\(name): duplicate of \(of) (same SHA-256), not ingested again"
        case .refused(let why): return "\(name): refused: \(why)"
        case .rejected where nothingRead:
            return "\(name): refused: \(fatal ?? "not read")"
        case .processed, .rejected:
            var text =
                "\(name): \(outcome.name): \(counts.accepted) accepted, \(counts.flagged) flagged, \(counts.rejected) rejected"
            if counts.duplicates > 0 { text += ", \(counts.duplicates) already stored" }
            if let fatal { text += "; stopped: \(fatal)" }
            return text
        }
    }
}
