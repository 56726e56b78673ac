-- jcm-ingestd schema, version 2: a poll replayed from the on-disk spool names its spool record,
-- so a replay after a crash cannot write the same response twice.
alter table jcm.batches add column spool_record text unique;
