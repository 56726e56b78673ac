/// Reads one sample out of a Prometheus text exposition (version 0.0.4): the series of the
/// configured metric whose labels include the configured matchers. Exactly one series must
/// match: none is a missing field, several are ambiguous. Both are rejections that name the
/// metric and labels, never a silent zero.
public enum PrometheusTextDecoder {
    public struct Sample: Equatable, Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: String
        public var timestampMs: Int64?
    }

    public static func decode(_ body: [UInt8], selector: Config.PrometheusSelector, meterID: String) -> Result<
        RawReading, JSONMeterDecoder.Failure
    > {
        func fail(_ reason: ReasonCode, _ detail: String) -> Result<RawReading, JSONMeterDecoder.Failure> {
            .failure(JSONMeterDecoder.Failure(reason: reason, detail: detail))
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            return fail(.payloadInvalid, "response is not UTF-8 text")
        }
        // "The last line must end with a line feed character" (the exposition format's
        // specification): a body without it was cut off, and its last sample may be a number
        // cut short (`12345` of `1234567`). Nothing of such a body is trusted.
        if let last = body.last, last != UInt8(ascii: "\n") {
            let tail = text.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
            return fail(
                .payloadInvalid,
                "the exposition does not end with a line feed: its last line is cut off (\(tail.suffix(80)))")
        }
        var matches: [Sample] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let sample = parse(trimmed) else {
                return fail(.payloadInvalid, "line \(n + 1) is not a Prometheus sample: \(trimmed.prefix(80))")
            }
            if sample.name == selector.metric, selector.matchers.allSatisfy({ $0.holds(for: sample.labels) }) {
                matches.append(sample)
            }
        }
        let wanted =
            selector.metric
            + (selector.matchers.isEmpty ? "" : "{" + selector.matchers.map(\.description).joined(separator: ",") + "}")
        guard let sample = matches.first else { return fail(.missingField, "no sample of \(wanted) in the response") }
        guard matches.count == 1 else {
            return fail(.payloadInvalid, "\(matches.count) samples match \(wanted); add labels to choose one")
        }
        var timestamp: String?
        if let ms = sample.timestampMs {
            let (micros, overflow) = ms.multipliedReportingOverflow(by: 1_000)
            guard !overflow else { return fail(.timestampInvalid, "sample timestamp \(ms) ms is out of range") }
            timestamp = Timestamp(microseconds: micros).description
        }
        return .success(
            RawReading(
                meterID: meterID, timestamp: timestamp, value: sample.value, unit: selector.unit, location: meterID,
                raw: String(decoding: body.prefix(2_000), as: UTF8.self)))
    }

    /// `name{label="value",...} value [timestamp_ms]`.
    static func parse(_ line: Substring) -> Sample? {
        var rest = line[...]
        let name = Self.name(&rest)
        guard !name.isEmpty else { return nil }
        var labels: [String: String] = [:]
        if rest.first == "{" {
            guard let pairs = Self.labels(&rest, operators: false) else { return nil }
            for (key, _, value) in pairs { labels[key] = value }
        }
        let fields = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 1 || fields.count == 2 else { return nil }
        var timestamp: Int64?
        if fields.count == 2 {
            guard let t = Int64(fields[1]) else { return nil }
            timestamp = t
        }
        return Sample(name: String(name), labels: labels, value: String(fields[0]), timestampMs: timestamp)
    }

    /// A metric name off the front of `rest`; empty when there is none.
    static func name(_ rest: inout Substring) -> String {
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard !name.isEmpty, !(name.first?.isNumber ?? true) else { return "" }
        rest = rest.dropFirst(name.count)
        return String(name)
    }

    /// `{label="value",...}` off the front of `rest` as (label, operator, value); with
    /// `operators`, a selector's `!=`, `=~` and `!~` too. Values unescape \\, \" and \n; a
    /// selector, written by hand, may hold no other escape (PromQL refuses `"a\.b"`).
    static func labels(_ rest: inout Substring, operators: Bool) -> [(String, String, String)]? {
        guard rest.first == "{" else { return nil }
        rest = rest.dropFirst()
        var pairs: [(String, String, String)] = []
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            if rest.first == "}" {
                rest = rest.dropFirst()
                return pairs
            }
            let key = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            guard !key.isEmpty else { return nil }
            rest = rest.dropFirst(key.count)
            // A selector is written by hand: spaces around its operators are allowed.
            if operators { rest = rest.drop { $0 == " " } }
            guard let op = (operators ? ["!=", "=~", "!~", "="] : ["="]).first(where: { rest.hasPrefix($0) }) else {
                return nil
            }
            rest = rest.dropFirst(op.count)
            if operators { rest = rest.drop { $0 == " " } }
            guard rest.first == "\"" else { return nil }
            rest = rest.dropFirst()
            var value = ""
            var closed = false
            while let c = rest.first {
                rest = rest.dropFirst()
                if c == "\"" {
                    closed = true
                    break
                }
                if c == "\\", let next = rest.first {
                    rest = rest.dropFirst()
                    if operators, next != "\\", next != "\"", next != "n" { return nil }
                    value.append(next == "n" ? "\n" : next)
                } else {
                    value.append(c)
                }
            }
            guard closed else { return nil }
            pairs.append((String(key), op, value))
        }
    }
}
