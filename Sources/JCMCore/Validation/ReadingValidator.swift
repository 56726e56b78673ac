import Foundation

/// The rules every reading passes, in one place, whatever its source (poll, watched folder,
/// `ingest`). Pure: the caller passes the clock and does the I/O.
///
/// This file checks structure, units and time; ReadingValidator+Plan.swift checks the reading
/// against the monitoring plan (start, sign, ranges, calibration, counters). docs/validation.md
/// lists every rule with its reason code.
public struct ReadingValidator: Sendable {
    public let registry: MeterRegistry
    public var clockSkewMicroseconds: Int64

    /// The newest reading seen per cumulative meter: counters are checked against it.
    var newest: [Int32: CounterState] = [:]
    /// The newest reading of each instantaneous meter, for counters that name it as their
    /// production signal.
    var signals: [String: (timestamp: Timestamp, value: ExactDecimal)] = [:]
    private var parsers: [String: TimestampParser] = [:]
    /// The last timestamp parsed: a logger's report lists every meter at one instant, so the
    /// next row usually carries the same text.
    private var lastParsed: (text: String, zone: String?, value: Timestamp)?

    public init(registry: MeterRegistry, clockSkewMilliseconds: Int64) {
        self.registry = registry
        self.clockSkewMicroseconds = clockSkewMilliseconds * 1_000
    }

    /// Tells the validator what the database already holds, so a restart keeps the checks.
    public mutating func seed(meterKey: Int32, timestamp: Timestamp, value: ExactDecimal) {
        newest[meterKey] = CounterState(timestamp: timestamp, value: value, flatSince: timestamp)
    }

    /// - Parameters:
    ///   - zone: the IANA zone of the source (watched folder) when the meter declares none.
    ///   - arrival: the time to use when the reading carries none (polls without a timestamp path).
    ///   - deviceTime: the reading's time is a polled device's clock reading "now" (not a record of
    ///     the past): one before the plausibility floor is replaced by `arrival` and flagged
    ///     `device_clock_invalid`, one further from `arrival` than the clock skew is flagged
    ///     `device_clock_skew`. Other times before the floor are refused.
    public mutating func validate(
        _ raw: RawReading, now: Timestamp, zone: String? = nil, arrival: Timestamp? = nil,
        deviceTime: Bool = false
    ) -> Verdict {
        func reject(_ reason: ReasonCode, _ detail: String) -> Verdict {
            .rejected(Rejection(raw: raw, reason: reason, detail: detail))
        }
        guard let meterID = raw.meterID, !meterID.isEmpty else { return reject(.missingField, "meter_id is empty") }
        guard let entry = registry.lookup(meterID) else {
            return reject(.unknownMeter, "meter \"\(meterID)\" is not in the configuration")
        }

        guard let valueText = raw.value, !valueText.isEmpty else { return reject(.missingField, "value is empty") }
        guard let value = ExactDecimal(parsing: valueText) else {
            let lowered = valueText.lowercased()
            if ["nan", "inf", "+inf", "-inf", "infinity", "-infinity", "+infinity"].contains(lowered) {
                return reject(.valueNotFinite, "value \"\(valueText)\" is not a finite number")
            }
            if ExactDecimal.isDecimalSyntax(valueText) {
                return reject(
                    .valueOutOfRange,
                    "value \"\(valueText)\" has more than 38 significant digits or too large an exponent")
            }
            return reject(.valueNotNumeric, "value \"\(valueText.prefix(80))\" is not a decimal number")
        }

        let unitText: String
        if let u = raw.unit, !u.isEmpty { unitText = u } else { unitText = entry.meter.unit.symbol }
        // Most readings come in the meter's own unit: one string comparison, no table lookup.
        guard let unit = unitText == entry.meter.unit.symbol ? entry.meter.unit : MeasurementUnit.named(unitText) else {
            return reject(.unitUnknown, "unknown unit \"\(unitText.prefix(40))\"")
        }
        var flags: [ReasonCode] = []
        let converted: ExactDecimal
        do {
            let result = try value.converted(from: unit, to: entry.meter.unit)
            converted = result.value
            if !result.exact { flags.append(.unitConversionRounded) }
        } catch .incompatible {
            return reject(
                .unitIncompatible,
                "unit \(unit) (\(unit.dimension)) cannot convert to the meter's \(entry.meter.unit) (\(entry.meter.unit.dimension))"
            )
        } catch {
            return reject(
                .valueOutOfRange, "value \(valueText) \(unit) overflows when converted to \(entry.meter.unit)")
        }

        var timestamp: Timestamp
        if let text = raw.timestamp, !text.isEmpty {
            let zoneID = entry.meter.timeZone ?? zone
            do {
                if let last = lastParsed, last.text == text, last.zone == zoneID {
                    timestamp = last.value
                } else {
                    timestamp = try parser(for: zoneID).parse(text)
                    lastParsed = (text, zoneID, timestamp)
                }
            } catch {
                switch error {
                case .noOffset:
                    return reject(
                        .timestampNoOffset,
                        "timestamp \"\(text)\" has no offset and meter \(meterID) declares no timezone")
                case .invalid:
                    return reject(.timestampInvalid, "timestamp \"\(text.prefix(60))\": \(error.explained)")
                }
            }
        } else if let arrival {
            timestamp = arrival
        } else {
            return reject(.missingField, "timestamp is empty")
        }
        let carried = !(raw.timestamp ?? "").isEmpty
        if carried, timestamp < (entry.monitoringStart ?? Self.plausibilityFloor) {
            if deviceTime, let arrival {
                flags.append(.deviceClockInvalid)
                timestamp = arrival
            } else if entry.monitoringStart == nil {
                return .rejected(
                    Rejection(
                        raw: raw, reason: .timestampInvalid,
                        detail:
                            "timestamp \(timestamp) is before \(Self.plausibilityFloor), the earliest a meter's clock is trusted",
                        timestamp: timestamp))
            }
        } else if deviceTime, carried, let arrival,
            abs(timestamp.microseconds - arrival.microseconds) > clockSkewMicroseconds
        {
            flags.append(.deviceClockSkew)
        }
        if timestamp.microseconds > now.microseconds + clockSkewMicroseconds {
            return .rejected(
                Rejection(
                    raw: raw, reason: .timestampFuture,
                    detail: "timestamp \(timestamp) is after now (\(now)) plus the allowed clock skew",
                    timestamp: timestamp))
        }

        if let refused = checkPlan(entry, converted, at: timestamp, flags: &flags) {
            return .rejected(Rejection(raw: raw, reason: refused.reason, detail: refused.detail, timestamp: timestamp))
        }
        return .accepted(
            Reading(
                meterKey: entry.key, timestamp: timestamp, value: converted, rawValue: valueText,
                rawUnit: raw.unit ?? "", flags: flags, extra: raw.extra))
    }

    /// Before this no meter's clock is trusted: clocks never set read 1970-01-01 (epoch 0) or
    /// 2000-01-01 (a real-time clock's default). A project's monitoring_start is the floor when set.
    public static let plausibilityFloor = Timestamp(microseconds: 978_307_200_000_000)  // 2001-01-01T00:00:00Z

    private mutating func parser(for zoneID: String?) -> TimestampParser {
        guard let zoneID else { return TimestampParser() }
        if let cached = parsers[zoneID] { return cached }
        let parser = TimestampParser(zone: TimeZone(identifier: zoneID))
        parsers[zoneID] = parser
        return parser
    }
}
