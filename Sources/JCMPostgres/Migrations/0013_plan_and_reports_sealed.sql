-- jcm-ingestd schema, version 13: report rows and plan versions are sealed in the ledger, and a
-- meter's unit, kind, parameter and project as each plan version had them are kept, so what the
-- views show of a reading is what the plan in force when it was written said (docs/verification.md).

-- A report row is sealed with its file: numbered (ledger_seq) in the file batch's records of the
-- chain '' and digested as the text of the whole row as jsonb (to_jsonb(row)::text, TimeZone
-- UTC), like a correction. A row with no ledger_seq was added behind the daemon's back; 0 marks
-- those written before this version, outside the ledger.
alter table jcm.reports add column ledger_seq integer;
alter table jcm.reports disable trigger append_only;
update jcm.reports set ledger_seq = 0;
alter table jcm.reports enable trigger append_only;

-- A plan version is sealed in a batch of its own (kind 'plan', source 'plan'), digested the same
-- way: a version inserted without the daemon (to make a meter's unit change pass
-- jcm.meters_match_plan) is in no link, and one changed or deleted is found like any record.
alter table jcm.batches drop constraint batches_kind_check;
alter table jcm.batches add constraint batches_kind_check
    check (kind in ('poll', 'file', 'duplicate_file', 'resolution', 'correction', 'plan'));
alter table jcm.plan_versions add column ledger_batch bigint;
alter table jcm.plan_versions add column ledger_seq integer;
alter table jcm.plan_versions disable trigger append_only;
update jcm.plan_versions set ledger_batch = 0, ledger_seq = 0;
alter table jcm.plan_versions enable trigger append_only;

-- Each meter as each plan version has it, one row per (meter, version), written by the database
-- itself when a version is inserted (no role inserts here directly). jcm.meters is the mirror of
-- the newest version; a reading's unit is the one of the version its batch was validated against.
create table jcm.meter_versions (
    version    integer not null references jcm.plan_versions(version),
    meter_id   text not null,
    project    text,
    parameter  text,
    kind       text,
    unit       text,
    primary key (meter_id, version)
);
create trigger append_only before update or delete on jcm.meter_versions for each row execute function jcm.refuse_change();
create trigger append_only_truncate before truncate on jcm.meter_versions for each statement execute function jcm.refuse_change();

create function jcm.expand_meter_versions() returns trigger language plpgsql security definer set search_path = pg_catalog, jcm as $$
begin
    insert into jcm.meter_versions (version, meter_id, project, parameter, kind, unit)
    select new.version, e->>'id', e->>'project', e->>'parameter', e->>'kind', e->>'unit'
    from jsonb_array_elements(coalesce(new.plan->'meters', '[]'::jsonb)) e
    where e->>'id' is not null
    on conflict do nothing;
    return null;
end $$;
create trigger meters_of_version after insert on jcm.plan_versions for each row execute function jcm.expand_meter_versions();

insert into jcm.meter_versions (version, meter_id, project, parameter, kind, unit)
select v.version, e->>'id', e->>'project', e->>'parameter', e->>'kind', e->>'unit'
from jcm.plan_versions v, jsonb_array_elements(coalesce(v.plan->'meters', '[]'::jsonb)) e
where e->>'id' is not null
on conflict do nothing;

-- What verifiers read: each reading with its meter as the plan version of its batch had it (a
-- unit changed later, kWh to MWh, does not relabel readings stored in kWh); jcm.meters where the
-- batch names no version (written before version 3) or the version does not name the meter.
create or replace view jcm.readings_view as
select coalesce(v.project, m.project) as project, m.id as meter_id, coalesce(v.parameter, m.parameter) as parameter, r.ts, r.value,
       coalesce(v.unit, m.unit) as unit, r.raw_value, r.raw_unit, r.status, r.reasons, r.batch, b.kind as batch_kind, b.source,
       b.sha256 as batch_sha256, r.extra
from jcm.readings r
join jcm.meters m on m.key = r.meter
join jcm.batches b on b.id = r.batch
left join jcm.meter_versions v on v.meter_id = m.id and v.version = b.plan_version;
