-- jcm-ingestd schema, version 7: no foreign-key checks on the rows every poll writes.
-- A poll writes a batch and its ledger link; at 10,000 polls a second, checking
-- ledger.batch -> batches and batches.plan_version -> plan_versions for each of them cost the
-- server a fifth of its time. Both keys are written by the daemon in the transaction that
-- inserts the row they point to (or read from it), all four tables are append-only, and
-- `verify` of the whole database (and the `links` check of docs/verification.md) names a link
-- whose batch row is missing. readings.batch never had a foreign key, for the same reason.
alter table jcm.ledger drop constraint if exists ledger_batch_fkey;
alter table jcm.batches drop constraint if exists batches_plan_version_fkey;
