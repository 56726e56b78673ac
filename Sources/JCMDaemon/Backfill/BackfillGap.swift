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
