import JCMCore

extension ReadingStore {
    /// Inserts the batches of a group of polls in one statement; each one's id, or nil when a
    /// batch of the same spool record is already stored (a replay after a crash).
    public func insertBatches(_ records: [BatchRecord]) throws -> [Int64?] {
        guard !records.isEmpty else { return [] }
        func text(_ f: (BatchRecord) -> String?) -> String? { PostgresArray.text(records.map(f)) }
        // The ids are drawn first so that a skipped batch keeps its place in the answer. The
        // sequence goes as its oid (a name would be looked up again for every row), times as
        // microseconds (cheaper to print and to parse than timestamps; exact below 2^53).
        let rows = try db.query(
            """
            with ids as (select ord, nextval($12::oid::regclass) as id from generate_series(1, $1::integer) ord),
            ins as (
                insert into jcm.batches (id, kind, source, url, http_status, file_name, sha256, bytes, received_at, spool_record, plan_version)
                overriding system value
                select ids.id, kind, source, url, http_status, file_name, sha256, bytes, timestamptz 'epoch' + received_us * interval '1 microsecond',
                       spool_record, $11::integer
                from unnest($2::text[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[])
                    with ordinality as u(kind, source, url, http_status, file_name, sha256, bytes, received_us, spool_record, ord)
                join ids using (ord)
                order by ord
                on conflict (spool_record) do nothing
                returning id)
            select ids.id, ins.id is not null from ids left join ins using (id) order by ids.ord
            """,
            [
                String(records.count), text { $0.kind.rawValue }, text { $0.source }, text { $0.url },
                text { $0.httpStatus.map(String.init) },
                text { $0.fileName }, text { $0.sha256 }, text { String($0.bytes) },
                text { String($0.receivedAt.microseconds) }, text { $0.spoolRecord },
                planVersion.map(String.init), try batchSequence(),
            ]
        )
        guard rows.count == records.count else {
            throw PostgresError(
                kind: .query, message: "insert into jcm.batches answered \(rows.count) rows for \(records.count)")
        }
        return try zip(rows, records).map { row, record in
            guard try row.bool(1) else { return nil }
            let id = try row.int64(0)
            ledger.opened(batch: id, record, planVersion: planVersion)
            return id
        }
    }

    /// A chunk of a poll written with others (`insertBatches`): its rows wait in `group` until
    /// `finish(group)`.
    public func beginChunk(batch: Int64, source: String, group: ChunkGroup) throws -> ChunkWriter {
        try ChunkWriter(db: db, ledger: ledger, batch: batch, source: source, group: group)
    }

    /// Sends the group's rows, in the caller's transaction: a conflict or a refused row fails
    /// the whole group (see ChunkGroup).
    public func finish(_ group: ChunkGroup) throws {
        try group.finish(db)
    }

    /// The oid of jcm.batches' id sequence, looked up once.
    private func batchSequence() throws -> String {
        if let batchSequenceOID { return batchSequenceOID }
        guard let oid = try db.query("select pg_get_serial_sequence('jcm.batches', 'id')::regclass::oid")[0, 0] else {
            throw PostgresError(kind: .query, message: "jcm.batches.id has no sequence")
        }
        batchSequenceOID = oid
        return oid
    }
}
