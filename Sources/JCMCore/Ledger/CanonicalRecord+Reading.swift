/// A row of jcm.readings as the ledger hashes it: "reading", batch, seq, meter id, then the
/// fields below in their order. The writer (ChunkWriter) builds it from the reading it sends,
/// the verifier from the text PostgreSQL prints for the stored row; both go through
/// `resetReading`, so a field added, dropped or moved changes both at once.
public enum ReadingRecordField: Int, CaseIterable, Sendable {
    case microseconds, value, rawValue, rawUnit, status, reasons, extra

    /// The SQL that prints the stored column as the record holds it (the verifier selects these,
    /// in order).
    public var storedText: String {
        switch self {
        case .microseconds: "(extract(epoch from ts) * 1000000)::bigint"
        case .value: "value::text"
        case .rawValue: "raw_value"
        case .rawUnit: "raw_unit"
        case .status: "status"
        case .reasons: "reasons::text"
        case .extra: "extra::text"
        }
    }

    /// Every field in record order, kept: the synthesized `allCases` makes a new array at each
    /// call, once per reading on the verifier's path.
    public static let inOrder: [ReadingRecordField] = allCases

    /// `storedText` of every field, in record order, for a select list.
    public static let storedColumns = allCases.map(\.storedText).joined(separator: ", ")
}

extension CanonicalRecord {
    /// The one builder of a reading's record: `field` writes each `ReadingRecordField` in turn.
    /// Inlinable: the writer and the verifier call it once per reading, from another module.
    @inlinable
    public mutating func resetReading(
        batch: Int64, seq: Int, meterID: String, _ field: (ReadingRecordField, inout CanonicalRecord) -> Void
    ) {
        reset(tag: "reading")
        self.field(batch)
        self.field(seq)
        self.field(meterID)
        for f in ReadingRecordField.inOrder { field(f, &self) }
    }

    /// The writer's side: the reading's values as PostgreSQL will print them once stored, in
    /// `ReadingRecordField` order written out (the writer's hot path: no closure per field).
    /// `CanonicalRecordTests` rebuilds it through the verifier's side, so the two cannot drift.
    @inlinable
    public mutating func resetReading(_ r: Reading, batch: Int64, seq: Int, meterID: String) {
        reset(tag: "reading")
        field(batch)
        field(seq)
        field(meterID)
        field(r.timestamp.microseconds)
        field(r.value)
        field(PostgresText.text(r.rawValue))
        field(PostgresText.text(r.rawUnit))
        field(r.status)
        field(PostgresText.reasons(r.flags))
        field(r.extra.map { PostgresText.jsonb($0) ?? $0 })
    }
}

/// A row of jcm.rejections as the ledger hashes it: "rejection", batch, seq, then these fields in
/// their order; `resetRejection` builds it for the writer (`CanonicalRecord.rejection`) and the
/// verifier alike.
public enum RejectionRecordField: Int, CaseIterable, Sendable {
    case meterID, location, reason, detail, raw, microseconds

    /// The SQL that prints the stored column as the record holds it.
    public var storedText: String {
        switch self {
        case .meterID: "meter_id"
        case .location: "location"
        case .reason: "reason"
        case .detail: "detail"
        case .raw: "raw"
        case .microseconds: "(extract(epoch from ts) * 1000000)::bigint"
        }
    }

    public static let inOrder: [RejectionRecordField] = allCases
    public static let storedColumns = allCases.map(\.storedText).joined(separator: ", ")
}

extension CanonicalRecord {
    /// The one builder of a rejection's record: `field` writes each `RejectionRecordField` in turn.
    @inlinable
    public mutating func resetRejection(
        batch: Int64, seq: Int, _ field: (RejectionRecordField, inout CanonicalRecord) -> Void
    ) {
        reset(tag: "rejection")
        self.field(batch)
        self.field(seq)
        for f in RejectionRecordField.inOrder { field(f, &self) }
    }
}
