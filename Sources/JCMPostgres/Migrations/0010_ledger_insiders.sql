-- jcm-ingestd schema, version 10: the ledger holds against insiders (docs/verification.md).

-- A writer extends only a chain head it can vouch for; when it finds another (a link it did not
-- write), it stops writing that chain. The operator's resolution, after an investigation, is a
-- batch of its own, sealed and signed on top of the head it names: kind 'resolution', its
-- sha256 the SHA-256 of the resolution's canonical record (docs/verification.md).
alter table jcm.batches drop constraint if exists batches_kind_check;
alter table jcm.batches add constraint batches_kind_check check (kind in ('poll', 'file', 'duplicate_file', 'resolution'));

create table jcm.chain_resolutions (
    batch        bigint primary key,              -- its jcm.batches row (kind 'resolution')
    project      text not null,
    head_seq     bigint,                          -- the head it extends, as the operator named it
    head_hash    bytea,
    foreign_from bigint,                          -- the unsigned links acknowledged (null: none)
    foreign_to   bigint,
    reason       text not null,
    author       text not null,
    created_at   timestamptz not null default now()
);
create trigger append_only before update or delete on jcm.chain_resolutions for each row execute function jcm.refuse_change();
create trigger append_only_truncate before truncate on jcm.chain_resolutions for each statement execute function jcm.refuse_change();

-- Key rotation: the new key's row names the key it takes over from and carries that key's
-- Ed25519 signature over the handover record (docs/verification.md), so a verifier who pinned
-- the old key accepts the new one without trusting the database.
alter table jcm.signing_keys add column handover_from integer references jcm.signing_keys(id);
alter table jcm.signing_keys add column handover_signature bytea;
alter table jcm.signing_keys add constraint handover_signed check ((handover_from is null) = (handover_signature is null));

-- Signed checkpoints (C2SP tlog-checkpoint, signed notes): a chain's size and head hash, signed,
-- written every minute and at each period declaration, also kept in state_dir/checkpoints/ and
-- shipped to a witness. A verifier who kept one finds a tail cut or a rollback against it.
create table jcm.checkpoints (
    id          bigint generated always as identity primary key,
    project     text not null,
    size        bigint not null,                  -- the head's seq
    hash        bytea not null,                   -- the head's chain_hash
    note        text not null,                    -- the signed note, as written to disk
    created_at  timestamptz not null default now()
);
create index checkpoints_project_size on jcm.checkpoints (project, size);
create trigger append_only before update or delete on jcm.checkpoints for each row execute function jcm.refuse_change();
create trigger append_only_truncate before truncate on jcm.checkpoints for each statement execute function jcm.refuse_change();

-- Corrections are sealed like readings: `jcm-ingestd correct` (ReadingStore.insertCorrections)
-- writes them in a batch of kind 'correction', each numbered (ledger_seq) and digested as the
-- text of the whole row as jsonb (to_jsonb(row)::text, TimeZone UTC), so every column, present or
-- added later, is covered. A correction with no ledger_batch was inserted behind the daemon's
-- back; 0 marks those written before this version, outside the ledger.
alter table jcm.batches drop constraint batches_kind_check;
alter table jcm.batches add constraint batches_kind_check
    check (kind in ('poll', 'file', 'duplicate_file', 'resolution', 'correction'));
alter table jcm.corrections add column ledger_batch bigint;
alter table jcm.corrections add column ledger_seq integer;
alter table jcm.corrections disable trigger append_only;
update jcm.corrections set ledger_batch = 0, ledger_seq = 0;
alter table jcm.corrections enable trigger append_only;
create index corrections_ledger on jcm.corrections (ledger_batch, ledger_seq);

-- The plan behind the ledger: each project's methodology file (its text and SHA-256) and its
-- option A values are in the plan version (plan->'projects'), so changing EF_grid or an equation
-- makes a new version. A declared period freezes the plan version, the methodology's hash and the
-- values it uses, and report prints them; verify finds a period whose frozen inputs are not its
-- plan version's.
alter table jcm.monitoring_periods add column plan_version integer;
alter table jcm.monitoring_periods add column methodology_sha256 text;
alter table jcm.monitoring_periods add column plan_values jsonb;

create or replace function jcm.freeze_period() returns trigger language plpgsql as $$
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
    select v.version, pr.e->>'calculation_sha256', pr.e->'values' into new.plan_version, new.methodology_sha256, new.plan_values
    from jcm.plan_versions v
    left join lateral (select e from jsonb_array_elements(v.plan->'projects') e where e->>'id' = new.project) pr on true
    where v.version = (select max(version) from jcm.plan_versions);
    new.declared_at := now();
    new.declared_by := current_user;
    return new;
end $$;

-- A meter's project, parameter, kind and unit change only with a new plan version that says so
-- (the daemon records the plan before it mirrors the meters): the ingest role cannot turn kWh
-- into MWh in jcm.meters alone. Checked once per statement against the newest plan, expanded
-- once and hash-joined: a fleet of 10,000 meters syncs in one statement.
create function jcm.meters_match_plan() returns trigger language plpgsql as $$
declare bad record;
begin
    if not exists (select 1 from jcm.plan_versions) then return null; end if;
    select n.id, n.project, n.parameter, n.kind, n.unit into bad
    from changed n
    left join (select e from jcm.plan_versions v, jsonb_array_elements(v.plan->'meters') e
               where v.version = (select max(version) from jcm.plan_versions)) p
      on p.e->>'id' = n.id and p.e->>'project' = n.project and p.e->>'parameter' = n.parameter
     and p.e->>'kind' = n.kind and p.e->>'unit' = n.unit
    where p.e is null limit 1;
    if found then
        raise exception 'jcm.meters: meter % (%, %, %, %) is not as the newest plan version has it: a meter changes with the plan (the configuration), not in place',
            bad.id, bad.project, bad.parameter, bad.kind, bad.unit using errcode = 'insufficient_privilege';
    end if;
    return null;
end $$;
create trigger matches_plan_insert after insert on jcm.meters referencing new table as changed
    for each statement execute function jcm.meters_match_plan();
create trigger matches_plan_update after update on jcm.meters referencing new table as changed
    for each statement execute function jcm.meters_match_plan();

-- This database's identity, made once: a writer's heads file (state_dir/ledger/heads) names the
-- database its heads are of, so a state folder pointed at another database starts afresh
-- rather than halting every chain as cut.
create table jcm.database_identity (
    id         uuid primary key default gen_random_uuid(),
    created_at timestamptz not null default now()
);
insert into jcm.database_identity default values;
create trigger append_only before update or delete on jcm.database_identity for each row execute function jcm.refuse_change();
