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
public enum PendingGaps {
    private struct Line: Codable {
        var meter: String
        var afterMicroseconds: Int64
        var throughMicroseconds: Int64
        var beforeMicroseconds: Int64
        var beforeValue: String
    }

    public static func path(stateDir: String) -> String { stateDir + "/backfill/pending.json" }

    static func encode(_ gaps: [BackfillGap]) throws -> Data {
        try JSONEncoder().encode(
            gaps.map {
                Line(
                    meter: $0.meterID, afterMicroseconds: $0.window.after.microseconds,
                    throughMicroseconds: $0.window.through.microseconds,
                    beforeMicroseconds: $0.before.timestamp.microseconds, beforeValue: $0.before.value.description)
            })
    }

    /// The gaps in `data`; nil when it is not a list of them (the file is then left for a person).
    static func decode(_ data: Data) -> [BackfillGap]? {
        guard let lines = try? JSONDecoder().decode([Line].self, from: data) else { return nil }
        var gaps: [BackfillGap] = []
        for l in lines {
            guard let value = ExactDecimal(parsing: l.beforeValue) else { return nil }
            gaps.append(
                BackfillGap(
                    meterID: l.meter,
                    window: HistoryRequest.Window(
                        after: Timestamp(microseconds: l.afterMicroseconds),
                        through: Timestamp(microseconds: l.throughMicroseconds)),
                    before: BackfillMark(timestamp: Timestamp(microseconds: l.beforeMicroseconds), value: value)))
        }
        return gaps
    }
}
