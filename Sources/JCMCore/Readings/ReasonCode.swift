/// Every verdict other than a plain accept names one of these. The raw values are a public
/// interface: they are stored in `jcm.readings.reasons` and `jcm.rejections.reason`, and
/// docs/validation.md lists them.
public enum ReasonCode: String, Sendable, CaseIterable, Codable {
    // A reading refused; it goes to jcm.rejections with its raw input.
    case unknownMeter = "unknown_meter"
    case missingField = "missing_field"
    case valueNotNumeric = "value_not_numeric"
    case valueNotFinite = "value_not_finite"
    case valueOutOfRange = "value_out_of_range"
    case unitUnknown = "unit_unknown"
    case unitIncompatible = "unit_incompatible"
    case timestampInvalid = "timestamp_invalid"
    case timestampNoOffset = "timestamp_no_offset"
    case timestampFuture = "timestamp_future"
    case beforeMonitoringStart = "before_monitoring_start"
    case valueNegative = "value_negative"
    case valueImplausible = "value_implausible"
    case duplicateConflict = "duplicate_conflict"
    /// Passed validation, but the database refused the row (a constraint or trigger added there).
    case databaseRefused = "database_refused"

    // A reading stored, with these flags in jcm.readings.reasons.
    case outOfOrder = "out_of_order"
    case unitConversionRounded = "unit_conversion_rounded"
    case valueUnusual = "value_unusual"
    case counterReset = "counter_reset"
    case counterRollover = "counter_rollover"
    case spike = "spike"
    case counterStuck = "counter_stuck"
    case calibrationLapsed = "calibration_lapsed"
    /// A polled device's own time was before the plausibility floor (a clock never set): the
    /// reading took the poll's time instead.
    case deviceClockInvalid = "device_clock_invalid"
    /// A polled device's own time was further from the poll's than the allowed clock skew.
    case deviceClockSkew = "device_clock_skew"

    // A record, a file or a response that yielded no reading at all.
    case recordMalformed = "record_malformed"
    case fileUnreadable = "file_unreadable"
    case fileRefused = "file_refused"
    case httpStatus = "http_status"
    case httpTransport = "http_transport"
    case payloadInvalid = "payload_invalid"
    case payloadTooLarge = "payload_too_large"
    /// The device itself marks the value invalid (Shelly `is_valid` false, Enphase `activeCount` 0).
    case deviceInvalid = "device_invalid"
    /// The database refused a file or a response for good (after retries); it is kept aside.
    case databaseError = "database_error"

    public var isFlag: Bool { Self.flags.contains(self) }

    static let flags: Set<ReasonCode> = [
        .outOfOrder, .unitConversionRounded, .valueUnusual, .counterReset, .counterRollover, .spike, .counterStuck,
        .calibrationLapsed,
        .deviceClockInvalid, .deviceClockSkew,
    ]
}
