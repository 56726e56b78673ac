import JCMCore

/// An operator's word on how to read a counter step the calculation holds: written as a row of
/// jcm.corrections (append-only, like every correction), never by changing a reading.
public struct StepResolution: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case rollover, reset, confirmed, replacement
    }

    public var meter: String
    /// The reading that closes the step.
    public var at: Timestamp
    public var kind: Kind
    /// Replacement: the old register's final reading and the new register's first.
    public var oldFinal: ExactDecimal?
    public var newStart: ExactDecimal?
    public var reason: String
    public var author: String

    public init(
        meter: String, at: Timestamp, kind: Kind, oldFinal: ExactDecimal? = nil, newStart: ExactDecimal? = nil,
        reason: String,
        author: String
    ) {
        self.meter = meter
        self.at = at
        self.kind = kind
        self.oldFinal = oldFinal
        self.newStart = newStart
        self.reason = reason
        self.author = author
    }
}

extension PeriodStore {
    /// Checks that a resolution fits the step it names: the reading exists, a rollover needs the
    /// meter's rollover, a replacement's registers must not run backwards. Returns the row of
    /// jcm.corrections to write (through `ReadingStore.insertCorrections`, which seals it).
    public func correctionRow(_ r: StepResolution) throws -> [String: String?] {
        let rows = try db.query(
            """
            select r.batch, r.value::text, m.rollover::text, m.kind,
                   (select p.value::text from jcm.readings p where p.meter = r.meter and p.ts < r.ts order by p.ts desc limit 1)
            from jcm.readings r join jcm.meters m on m.key = r.meter where m.id = $1 and r.ts = $2::timestamptz
            """, [.text(r.meter), .timestamp(r.at)]
        )
        guard let row = rows.first else {
            throw PostgresError(
                kind: .query,
                message: "meter \(r.meter) has no reading at \(r.at): name the reading that closes the step")
        }
        let batch = try row.int64(0)
        let value = try row.decimal(1)
        guard try row.string(3) == "cumulative" || r.kind == .confirmed else {
            throw PostgresError(
                kind: .query, message: "meter \(r.meter) is not a counter: only `confirmed` resolves its held interval")
        }
        let previous = try row.nullable.decimal(4)
        switch r.kind {
        case .rollover where row.isNull(2):
            throw PostgresError(
                kind: .query, message: "meter \(r.meter) declares no rollover: a step of it cannot be one")
        case .replacement:
            guard let oldFinal = r.oldFinal, let newStart = r.newStart else {
                throw PostgresError(
                    kind: .query,
                    message: "a replacement needs the old register's final reading and the new one's start")
            }
            if let previous, oldFinal < previous {
                throw PostgresError(
                    kind: .query,
                    message: "the old register's final reading \(oldFinal) is below its last stored reading \(previous)"
                )
            }
            if value < newStart {
                throw PostgresError(
                    kind: .query,
                    message: "the new register's start \(newStart) is above its reading \(value) at \(r.at)")
            }
        case .confirmed where previous.map({ value < $0 }) ?? false:
            throw PostgresError(
                kind: .query, message: "the step at \(r.at) is a drop: confirm it as a rollover, reset or replacement")
        default: break
        }
        return [
            "meter_id": r.meter, "ts": r.at.description, "batch": String(batch), "value": nil,
            "resolution": r.kind.rawValue,
            "old_final": r.oldFinal?.description, "new_start": r.newStart?.description, "reason": r.reason,
            "author": r.author,
        ]
    }
}
