/// The rows of many small chunks (one per poll), sent to the server together: one COPY of
/// readings and one of rejections per group instead of a savepoint and a COPY per poll, which
/// cost more round trips than the rows themselves.
///
/// A group is all or nothing: a row the server refuses (a reading already stored with another
/// value, a constraint) fails `finish`, and the caller redoes the polls one chunk each, where the
/// staging path sorts out which row it was.
public final class ChunkGroup {
    var readings = BinaryCopyEncoder(reserving: 1 << 16)
    var rejections = BinaryCopyEncoder(reserving: 1 << 12)
    var rejectionCount = 0

    public init() {}

    func finish(_ db: Connection) throws {
        for (table, columns, rows) in [
            ("readings", ChunkWriter.readingColumns, readings),
            ("rejections", ChunkWriter.rejectionColumns, rejections),
        ]
        where !rows.bytes.isEmpty {
            try db.copyIn("copy jcm.\(table) (\(columns)) from stdin (format binary)", rows: rows.bytes)
        }
        readings.removeAll()
        rejections.removeAll()
    }
}
