-- jcm-ingestd schema, version 11: the status at a glance in SQL (what `jcm-ingestd status`
-- prints): each meter's last reading, state, completeness and calibration; each chain's head.
-- Views only; nothing is stored. Completeness is computed here rather than through
-- jcm.completeness so that this view keeps its meaning whatever that function becomes.

-- One row per configured meter (polled or fed by reports).
--   state: 'down' (its last 3 polls or more failed: jcm.meter_state.down_since), 'late' (polled,
--   answering, but its newest reading is older than 3 expected intervals), 'no data' (polled,
--   no reading yet), 'up', or 'report-fed' (no url: its data comes when files are dropped).
--   completeness_today: readings since 00:00 UTC against the intervals due since then.
--   completeness_period: the same from period_from (the end of the project's last declared
--   monitoring period, else its monitoring_start) until now; null when neither is known.
--   calibration_valid_until: the end (exclusive) of the meter's certificate that started
--   already and ends last, in the newest plan version; null when it has none.
create view jcm.meter_status as
with plan as (select v.plan from jcm.plan_versions v order by v.version desc limit 1),
cal as (
    select pm ->> 'id' as meter_id, c.certificate, c.valid_until,
           row_number() over (partition by pm ->> 'id' order by c.valid_until desc) as n
    from plan, jsonb_array_elements(plan.plan -> 'meters') as pm,
         jsonb_to_recordset(pm -> 'calibrations') as c(certificate text, calibrated timestamptz, valid_until timestamptz)
    where c.calibrated <= now()
),
day as (select date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' as starts)
select m.project, m.id as meter_id, m.parameter, m.kind, m.unit, m.url is not null as polled, m.expected_interval,
       last.ts as last_reading_at, last.value as last_value, last.status as last_status,
       case
         when m.url is null then 'report-fed'
         when s.down_since is not null then 'down'
         when last.ts is null then 'no data'
         when m.expected_interval is not null and last.ts < now() - 3 * m.expected_interval then 'late'
         else 'up'
       end as state,
       s.down_since, s.last_error, s.last_poll_at,
       round(least(today.received, today.expected)::numeric / nullif(today.expected, 0), 4) as completeness_today,
       cur.period_from,
       round(least(period.received, period.expected)::numeric / nullif(period.expected, 0), 4) as completeness_period,
       cal.valid_until as calibration_valid_until, cal.certificate as calibration_certificate
from jcm.meters m
cross join day
left join jcm.meter_state s on s.meter_id = m.id
left join lateral (select r.ts, r.value, r.status from jcm.readings r where r.meter = m.key order by r.ts desc limit 1) last on true
left join lateral (
    select greatest(floor(extract(epoch from now() - day.starts) / extract(epoch from m.expected_interval)), 0)::bigint as expected,
           (select count(*) from jcm.readings r where r.meter = m.key and r.ts >= day.starts and r.ts < now()) as received
    where m.expected_interval is not null) today on true
left join lateral (
    select greatest((select max(p.ends) from jcm.monitoring_periods p where p.project = m.project),
                    (select pr.monitoring_start from jcm.projects pr where pr.id = m.project)) as period_from) cur on true
left join lateral (
    select greatest(floor(extract(epoch from now() - cur.period_from) / extract(epoch from m.expected_interval)), 0)::bigint as expected,
           (select count(*) from jcm.readings r where r.meter = m.key and r.ts >= cur.period_from and r.ts < now()) as received
    where m.expected_interval is not null and cur.period_from is not null) period on true
left join cal on cal.meter_id = m.id and cal.n = 1;

-- Each project's newest ledger link (its chain head), and '' for records that name no
-- configured meter. One index lookup per project, however long the chains.
create view jcm.chain_heads as
select l.project, l.seq, encode(l.chain_hash, 'hex') as chain_hash, l.batch, l.sealed_at, l.key_id
from (select id from jcm.projects union all select '') p
cross join lateral (select * from jcm.ledger l where l.project = p.id order by l.seq desc limit 1) l;

-- The newest signed checkpoint as JSON, or null: when the schema has no jcm.checkpoints
-- (migration 10), when it has none yet. Its row is shown whole, whatever its columns, newest by
-- the first of seq, id, created_at, signed_at it has, else by position (it is append-only).
-- Dynamic SQL, so this function (and a dashboard panel over it) works with or without that table.
create function jcm.last_checkpoint() returns jsonb language plpgsql stable as $$
declare
    col text;
    result jsonb;
begin
    if to_regclass('jcm.checkpoints') is null then return null; end if;
    select c.column_name into col from information_schema.columns c
    where c.table_schema = 'jcm' and c.table_name = 'checkpoints' and c.column_name in ('seq', 'id', 'created_at', 'signed_at')
    order by array_position(array['seq', 'id', 'created_at', 'signed_at'], c.column_name::text) limit 1;
    execute format('select to_jsonb(c) from jcm.checkpoints c order by %s desc limit 1', coalesce(quote_ident(col), 'ctid'))
    into result;
    return result;
end $$;
