-- jcm-ingestd schema, version 5: the tamper-evident ledger, monitoring periods and corrections.
-- docs/verification.md explains how to check all of it with psql alone.

-- Each record of a batch gets a number among the batch's records of the same project
-- (readings and rejections share it), from 1, in the order the daemon read them. Null: written
-- before version 5, outside the ledger.
alter table jcm.readings add column seq integer;
alter table jcm.rejections add column seq integer;
create index readings_batch_seq on jcm.readings (batch, seq);

create table jcm.signing_keys (
    id          integer generated always as identity primary key,
    public_key  bytea not null unique,            -- Ed25519, 32 bytes
    fingerprint text not null,                    -- first 16 hex digits of SHA-256(public_key)
    created_at  timestamptz not null default now()
);

-- One link per (batch, project) and per chunk of a large file: the digests of the records it
-- seals and the previous link's hash. docs/verification.md gives the encodings.
create table jcm.ledger (
    project        text not null,                 -- '' for records that name no configured meter
    seq            bigint not null,               -- 1, 2, … within the project's chain
    batch          bigint not null references jcm.batches(id),
    first_seq      integer not null,              -- records first_seq..last_seq of (batch, project);
    last_seq       integer not null,              --   last_seq = first_seq - 1 when none
    batch_digest   bytea not null,                -- SHA-256 of the batch's canonical record
    record_digests bytea not null,                -- 16 bytes per record in seq order; zeros: not stored (a duplicate)
    prev_hash      bytea,                         -- chain_hash of (project, seq - 1); null for seq 1
    chain_hash     bytea not null,                -- SHA-256 of the link's canonical record
    key_id         integer references jcm.signing_keys(id),
    signature      bytea,                         -- Ed25519 over chain_hash; on the last link a transaction adds to a project
    sealed_at      timestamptz not null default now(),
    primary key (project, seq),
    check ((signature is null) = (key_id is null))
);
create index ledger_batch on jcm.ledger (batch);
-- Digests do not compress: spare the server the attempt.
alter table jcm.ledger alter column record_digests set storage external;

-- A monitoring period, frozen when declared: what a verifier checks is the project's data
-- sealed up to the chain head recorded here. Data for the period that arrives later is kept
-- and shown, but is not part of the period.
create table jcm.monitoring_periods (
    id          integer generated always as identity primary key,
    project     text not null references jcm.projects(id),
    name        text not null,                    -- e.g. "2026-04/2027-03" or the TPE's reference
    starts      timestamptz not null,
    ends        timestamptz not null,             -- exclusive
    head_seq    bigint,                           -- the project's chain head when declared (null: empty chain)
    head_hash   bytea,
    declared_by text not null default current_user,
    declared_at timestamptz not null default now(),
    unique (project, name),
    check (starts < ends)
);

create function jcm.freeze_period() returns trigger language plpgsql as $$
begin
    if new.ends > now() then
        raise exception 'monitoring period % of project % ends in the future (%): declare it once it has ended', new.name, new.project, new.ends;
    end if;
    if exists (select 1 from jcm.monitoring_periods p where p.project = new.project and p.starts < new.ends and new.starts < p.ends) then
        raise exception 'monitoring period % of project % overlaps a declared one', new.name, new.project;
    end if;
    perform pg_advisory_xact_lock(hashtextextended('jcm.ledger/' || new.project, 0));
    select l.seq, l.chain_hash into new.head_seq, new.head_hash
    from jcm.ledger l where l.project = new.project order by l.seq desc limit 1;
    new.declared_at := now();
    new.declared_by := current_user;
    return new;
end $$;
create trigger frozen_when_declared before insert on jcm.monitoring_periods for each row execute function jcm.freeze_period();

-- A correction never changes a reading: it is a new record naming the reading it corrects,
-- with who, when and why. value is in the meter's unit; null means "exclude this reading".
create table jcm.corrections (
    id          bigint generated always as identity primary key,
    meter_id    text not null,
    ts          timestamptz not null,
    batch       bigint not null references jcm.batches(id),  -- the batch of the reading corrected
    value       numeric,
    reason      text not null,
    author      text not null,
    created_at  timestamptz not null default now()
);
create index corrections_meter_ts on jcm.corrections (meter_id, ts);

-- Append-only: what was written stays as written. Even the owner must drop these triggers to
-- change a row, and verify finds what was changed behind them.
create function jcm.refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'jcm.% is append-only: % refused (a correction is a new record: jcm.corrections)', tg_table_name, lower(tg_op)
        using errcode = 'insufficient_privilege';
end $$;

do $$
declare t text;
begin
    foreach t in array array['readings', 'rejections', 'batches', 'reports', 'plan_versions', 'ledger', 'signing_keys',
                             'monitoring_periods', 'corrections'] loop
        execute format('create trigger append_only before update or delete on jcm.%I for each row execute function jcm.refuse_change()', t);
        execute format('create trigger append_only_truncate before truncate on jcm.%I for each statement execute function jcm.refuse_change()', t);
    end loop;
end $$;

-- A frozen period's interval values: jcm.interval_values computed over only the readings
-- sealed by the period's chain head (data that arrived later is not part of the period), with
-- each reading's newest correction applied (a correction without a value leaves the reading
-- out). An interval belongs to the period when its end is in (starts, ends].
create function jcm.period_interval_values(p_period integer)
returns table (meter_id text, parameter text, kind text, unit text, ts_from timestamptz, ts_to timestamptz, delta numeric, step text,
               status text, reasons text[], batch bigint, seq integer, raw_value text, corrected bigint)
language sql stable as $$
    with p as (select * from jcm.monitoring_periods where id = p_period),
    sealed as (select distinct l.batch from jcm.ledger l join p on l.project = p.project where l.seq <= p.head_seq),
    r as (
        select r.meter, r.ts, coalesce(c.value, r.value) as value, r.status, r.reasons, r.batch, r.seq, r.raw_value, c.id as corrected,
               m.expected_interval
        from jcm.readings r
        join jcm.meters m on m.key = r.meter
        join p on m.project = p.project
        left join lateral (select c.id, c.value from jcm.corrections c
                           where c.meter_id = m.id and c.ts = r.ts and c.batch = r.batch order by c.id desc limit 1) c on true
        where r.batch in (select batch from sealed) and r.ts <= p.ends
          and (m.kind = 'interval' or (m.kind = 'cumulative' and not coalesce('out_of_order' = any(r.reasons), false)))
          and (c.id is null or c.value is not null)
    ),
    x as (
        select r.*, lag(r.value) over w as prev, coalesce(lag(r.ts) over w, r.ts - r.expected_interval) as ts_from
        from r window w as (partition by r.meter order by r.ts)
    )
    select m.id, m.parameter, m.kind, m.unit, x.ts_from, x.ts,
           case
             when m.kind = 'interval' then x.value
             when x.prev is null then null
             when s.step = 'rollover' then m.rollover - x.prev + x.value
             when s.step = 'reset' then x.value
             else x.value - x.prev
           end,
           s.step, x.status, x.reasons, x.batch, x.seq, x.raw_value, x.corrected
    from x
    join jcm.meters m on m.key = x.meter
    cross join p
    cross join lateral (select case
        when m.kind = 'interval' or x.prev is null or x.value >= x.prev then 'normal'
        when m.rollover is not null and m.rollover - x.prev + x.value >= 0 and 2 * (m.rollover - x.prev + x.value) <= m.rollover then 'rollover'
        else 'reset' end as step) s
    where x.ts > p.starts and x.ts <= p.ends and m.kind in ('cumulative', 'interval')
$$;
