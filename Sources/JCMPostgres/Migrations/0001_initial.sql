-- jcm-ingestd schema, version 1. docs/schema.md documents every table: it is a public interface.

create table jcm.projects (
    id          text primary key,                 -- JCM project id, e.g. IN-JP-0001
    methodology text not null,                    -- approved methodology and version
    name        text,
    updated_at  timestamptz not null default now()
);

create table jcm.meters (
    key         integer generated always as identity primary key, -- compact key used by readings
    id          text not null unique,             -- the configured meter id
    project     text not null references jcm.projects(id),
    parameter   text not null,                    -- monitoring parameter, e.g. EG_p
    kind        text not null check (kind in ('cumulative', 'interval', 'instantaneous')),
    unit        text not null,                    -- unit readings.value is kept in
    url         text,                             -- polled URL (query string redacted), null for report-fed meters
    timezone    text,
    updated_at  timestamptz not null default now()
);

-- One row per fetched response or report file that reached the database.
create table jcm.batches (
    id          bigint generated always as identity primary key,
    kind        text not null check (kind in ('poll', 'file', 'duplicate_file')),
    source      text not null,                    -- meter id for polls, file path for files
    url         text,                             -- polled URL, query string redacted
    http_status integer,
    file_name   text,
    sha256      text not null,                    -- hex SHA-256 of the raw bytes received
    bytes       bigint not null,
    received_at timestamptz not null,
    created_at  timestamptz not null default now()
);

create table jcm.readings (
    meter       integer not null,                 -- jcm.meters.key (no FK: checked by the writer; keeps COPY fast)
    ts          timestamptz not null,
    value       numeric not null,                 -- in jcm.meters.unit, exact decimal
    raw_value   text not null,                    -- the value exactly as received
    raw_unit    text not null,                    -- the unit as received ('' when none was sent)
    status      text not null check (status in ('accepted', 'flagged')),
    reasons     text[],                           -- flag codes when status = 'flagged'
    batch       bigint not null,                  -- jcm.batches.id
    extra       jsonb,                            -- other columns/fields of the source record
    primary key (meter, ts)
);

create table jcm.rejections (
    id          bigint generated always as identity primary key,
    batch       bigint not null references jcm.batches(id),
    meter_id    text,                             -- as received, may name no configured meter
    location    text not null,                    -- file:line or meter id
    reason      text not null,                    -- reason code, docs/validation.md
    detail      text not null,
    raw         text not null,                    -- the input exactly as received
    rejected_at timestamptz not null default now()
);
create index rejections_batch on jcm.rejections (batch);

-- One row per distinct report content (SHA-256); a second drop of the same bytes is a
-- 'duplicate_file' batch and no second row here.
create table jcm.reports (
    sha256      text primary key,
    file_name   text not null,
    batch       bigint not null references jcm.batches(id),
    outcome     text not null check (outcome in ('processed', 'rejected')),
    rows_total  bigint not null,
    accepted    bigint not null,
    flagged     bigint not null,
    rejected    bigint not null,
    duplicates  bigint not null,                  -- rows already stored with the same value
    error       text,                             -- why the file stopped being read, if it did
    finished_at timestamptz not null default now()
);

-- What verifiers read: readings with their meter, project and provenance spelled out.
create view jcm.readings_view as
select m.project, m.id as meter_id, m.parameter, r.ts, r.value, m.unit, r.raw_value, r.raw_unit,
       r.status, r.reasons, r.batch, b.kind as batch_kind, b.source, b.sha256 as batch_sha256, r.extra
from jcm.readings r
join jcm.meters m on m.key = r.meter
join jcm.batches b on b.id = r.batch;
