-- jcm-ingestd schema, version 6: the uploaded report files downloaded from [[upload]] sources.
-- One row per download that was ingested (or refused), written in the same transaction as the
-- file's batch: what the daemon remembers of a remote file is the newest row for its URL, so a
-- restart does not download it again, and a file whose ETag, size or mtime changes is.
-- Append-only like the batches it points to.
create table jcm.upload_objects (
    id            bigint generated always as identity primary key,
    upload_id     text not null,                  -- the [[upload]] id
    url           text not null,                  -- where it was downloaded from, secrets redacted (= jcm.batches.url)
    etag          text,                           -- as the listing or the response gave it, quotes included
    size          bigint,
    modified      text,                           -- the listing's mtime / LastModified, or the response's Last-Modified
    sha256        text not null,                  -- of the bytes downloaded
    batch         bigint not null references jcm.batches(id),
    downloaded_at timestamptz not null,
    created_at    timestamptz not null default now()
);
create index upload_objects_url on jcm.upload_objects (upload_id, url, id desc);
create trigger append_only before update or delete on jcm.upload_objects for each row execute function jcm.refuse_change();
create trigger append_only_truncate before truncate on jcm.upload_objects for each statement execute function jcm.refuse_change();
