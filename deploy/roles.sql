-- Roles for a shared PostgreSQL. Run as the owner of schema jcm, after `jcm-ingestd migrate`
-- (run by the owner, which alone may change the schema):
--   psql "$OWNER_CONNINFO" -v ingest_password="'…'" -v verifier_password="'…'" -f deploy/roles.sql
-- jcm_ingest: what the daemon needs and nothing more: it adds rows and seals them in jcm.ledger;
--   it never updates or deletes a reading, a rejection, a batch, a report or a link (the configuration mirror, projects and meters,
--   is the one thing it updates).
-- jcm_verifier: reads everything in jcm, changes nothing.

do $$ begin
    if not exists (select from pg_roles where rolname = 'jcm_ingest') then create role jcm_ingest login; end if;
    if not exists (select from pg_roles where rolname = 'jcm_verifier') then create role jcm_verifier login; end if;
end $$;
alter role jcm_ingest password :ingest_password;
alter role jcm_verifier password :verifier_password;

grant usage on schema jcm to jcm_ingest, jcm_verifier;
grant select on all tables in schema jcm to jcm_verifier;
alter default privileges in schema jcm grant select on tables to jcm_verifier;

-- Reads: meter keys, duplicate reports, the newest reading per meter, conflicts on re-sent rows.
grant select on all tables in schema jcm to jcm_ingest;
grant insert on jcm.readings, jcm.rejections, jcm.batches, jcm.reports, jcm.plan_versions, jcm.ledger, jcm.signing_keys, jcm.upload_objects to jcm_ingest;
-- `jcm-ingestd period` and corrections: new rows, never changed (the tables refuse it anyway).
grant insert on jcm.monitoring_periods, jcm.corrections to jcm_ingest;
-- `jcm-ingestd chain resume`: the operator's signed resolution of a halted chain (docs/verification.md).
grant insert on jcm.chain_resolutions, jcm.checkpoints to jcm_ingest;
grant insert, update on jcm.projects, jcm.meters, jcm.meter_state to jcm_ingest;
-- A group of polls takes its batch ids from the sequence at once (nextval, ReadingStore+Groups).
grant usage on sequence jcm.batches_id_seq to jcm_ingest;
-- The staging table of colliding batches is a temporary table.
grant temporary on database :"DBNAME" to jcm_ingest;
