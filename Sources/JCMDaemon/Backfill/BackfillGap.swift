import Foundation
import JCMCore
import JCMCurl

/// A stretch of one meter's readings that is missing, to be fetched from its gateway's history.
public struct BackfillGap: Sendable {
    public var id = 0
    public var meterID: String
    /// (after, through]: after the reading before the gap, up to just before the one after it.
    public var window: HistoryRequest.Window
    /// The reading before the gap, in the meter's unit: a counter's history is checked from it.
    public var before: BackfillMark
}

/// A meter's reading as the gap detection remembers it.
public struct BackfillMark: Sendable, Equatable {
    public var timestamp: Timestamp
    public var value: ExactDecimal
}

/// One history request's response, handed to the writer: one of `parts` requests of its gap.
public struct BackfillResult: Sendable {
    var gap: BackfillGap
    var part: Int
    var parts: Int
    var window: HistoryRequest.Window
    var response: PollResult
}

/// The gaps not yet backfilled, kept in `state_dir/backfill/pending.json` from one run of the
/// daemon to the next: after a restart the gap detection starts from the newest stored reading,
/// so a gap found before it and not yet fetched would otherwise never be asked for again.
///
/// The file is a JSON array with one object per gap: `meter`, `afterMicroseconds`,
/// `throughMicroseconds`, `beforeMicroseconds` (integers) and `beforeValue` (the exact decimal as
/// text). Files written by Foundation's JSONEncoder before read the same.
public enum PendingGaps {
    public static func path(stateDir: String) -> String { stateDir + "/backfill/pending.json" }

    static func encode(_ gaps: [BackfillGap]) -> Data {
        let lines = gaps.map { gap -> JSONValue in
            .object(
                JSONObject([
                    ("meter", .string(gap.meterID)),
                    ("afterMicroseconds", .number(String(gap.window.after.microseconds))),
                    ("throughMicroseconds", .number(String(gap.window.through.microseconds))),
                    ("beforeMicroseconds", .number(String(gap.before.timestamp.microseconds))),
                    ("beforeValue", .string(gap.before.value.description)),
                ]))
        }
        return Data(JSONValue.array(lines).compactText.utf8)
    }

    /// The gaps in `data`; nil when it is not a list of them (the file is then left for a person).
    static func decode(_ data: Data) -> [BackfillGap]? {
        guard let lines = (try? JSON.parse([UInt8](data)))?.arrayValue else { return nil }
        var gaps: [BackfillGap] = []
        for line in lines {
            func micros(_ key: String) -> Int64? { line[key]?.numberLiteral.flatMap { Int64($0) } }
            guard let meter = line["meter"]?.stringValue, let after = micros("afterMicroseconds"),
                let through = micros("throughMicroseconds"), let before = micros("beforeMicroseconds"),
                let value = line["beforeValue"]?.stringValue.flatMap({ ExactDecimal(parsing: $0) })
            else { return nil }
            gaps.append(
                BackfillGap(
                    meterID: meter,
                    window: HistoryRequest.Window(
                        after: Timestamp(microseconds: after), through: Timestamp(microseconds: through)),
                    before: BackfillMark(timestamp: Timestamp(microseconds: before), value: value)))
        }
        return gaps
    }
}
