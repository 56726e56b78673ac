extension CanonicalRecord {
    /// A row sealed whole, whatever its columns: its tag (the table's kind of record), the batch
    /// and number it is sealed under, and the text of the whole row as jsonb (`to_jsonb(row)::text`
    /// with TimeZone UTC), so a column a later schema adds is covered too. Corrections, report rows
    /// and plan versions are sealed so (docs/verification.md).
    public static func row(tag: String, batch: Int64, seq: Int, json: String) -> CanonicalRecord {
        var r = CanonicalRecord(tag: tag)
        r.field(batch)
        r.field(seq)
        r.field(json)
        return r
    }
}
