-- jcm-ingestd schema, version 12: a declared period's numbers use the plan version it froze
-- (monitoring_periods.plan_version, version 10): a capacity, certificate or unit changed after
-- the declaration changes no number of the period. Periods declared before version 10 froze
-- none and use the newest.
create or replace function jcm.period_plan_version(p_period integer) returns integer
language sql stable as $$
    select coalesce((select plan_version from jcm.monitoring_periods where id = p_period),
                    (select max(version) from jcm.plan_versions))
$$;
