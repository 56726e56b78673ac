-- jcm-ingestd schema, version 4: what the daemon knows of each polled meter, kept across
-- restarts. Unlike the readings this is current state, updated in place with every poll.
create table jcm.meter_state (
    meter_id             text primary key,          -- jcm.meters.id
    last_poll_at         timestamptz not null,
    last_status          integer,                   -- HTTP status of the last poll; null: no response
    last_success_at      timestamptz,               -- last poll that brought a reading or a 304
    last_error           text,                      -- why the last failed poll failed
    last_error_at        timestamptz,
    consecutive_failures integer not null default 0,
    down_since           timestamptz,               -- when failures in a row reached 3 (the last poll of that write), cleared by a success
    etag                 text,                      -- validators sent back as If-None-Match / If-Modified-Since
    last_modified        text,
    updated_at           timestamptz not null default now()
);
