-- jcm-ingestd schema, version 3: the monitoring plan, versioned; what each batch was validated
-- against; derived interval values, gaps and completeness. docs/schema.md documents each.

alter table jcm.projects add column methodology_version text, add column monitoring_start timestamptz;
alter table jcm.meters add column expected_interval interval, add column rollover numeric;

-- Every distinct plan the daemon ran with. A change is a new row, never an update: the plan in
-- force at any time is the newest version whose valid_from is not after it.
create table jcm.plan_versions (
    version     integer generated always as identity primary key,
    sha256      text not null,                    -- hex SHA-256 of the plan's JSON text as the daemon sent it (jsonb reorders members)
    plan        jsonb not null,                   -- projects, parameters, meters and calibrations
    valid_from  timestamptz not null default now()
);

alter table jcm.batches add column plan_version integer references jcm.plan_versions(version);
-- When a rejected reading was taken, if its timestamp could be read (gaps name rejected data).
alter table jcm.rejections add column ts timestamptz;
create index batches_source_received on jcm.batches (source, received_at);
create index rejections_meter_ts on jcm.rejections (meter_id, ts);

create view jcm.plan_history as
select version, valid_from, lead(valid_from) over (order by version) as valid_to, sha256, plan
from jcm.plan_versions;

create view jcm.plan_parameters as
select v.version, v.valid_from, v.valid_to, p.*
from jcm.plan_history v,
     jsonb_to_recordset(v.plan -> 'parameters') as p(project text, id text, unit text, option text, frequency text, description text);

create view jcm.plan_meters as
select v.version, v.valid_from, v.valid_to, m.*
from jcm.plan_history v,
     jsonb_to_recordset(v.plan -> 'meters') as m(
        id text, project text, parameter text, kind text, unit text, timezone text, expected_interval_s numeric,
        range_min numeric, range_max numeric, expected_min numeric, expected_max numeric,
        capacity text, capacity_per_hour numeric, rollover numeric, max_permissible_error_pct numeric,
        calibration_required boolean, stuck_after_s numeric, production_signal text);

create view jcm.plan_calibrations as
select v.version, v.valid_from, v.valid_to, m ->> 'id' as meter_id, c.*
from jcm.plan_history v,
     jsonb_array_elements(v.plan -> 'meters') as m,
     jsonb_to_recordset(m -> 'calibrations') as c(certificate text, calibrated timestamptz, valid_until timestamptz);

-- What each reading of a cumulative counter or interval meter adds. A counter's delta follows
-- CounterDelta.swift: a drop is a rollover when the way through the modulus is at most half of
-- it, else a reset (the new value is the delta). Sum delta over (ts_from, ts_to] for a period:
-- resets and rollovers are never double counted. The first reading of a counter has no delta.
-- Readings flagged out_of_order (late, older than the counter's newest when they arrived) are
-- left out of a counter's chain, as the validator leaves them out of its state: the next
-- reading's delta spans them, so a late reading never adds a reset that nothing flagged.
create view jcm.interval_values as
select m.project, m.id as meter_id, m.parameter, x.ts_from, x.ts as ts_to,
       case
         when m.kind = 'interval' then x.value
         when x.prev is null then null
         when s.step = 'rollover' then m.rollover - x.prev + x.value
         when s.step = 'reset' then x.value
         else x.value - x.prev
       end as delta,
       m.unit, s.step, x.status, x.reasons, x.batch
from (
    select r.meter, r.ts, r.value, r.status, r.reasons, r.batch,
           lag(r.value) over w as prev,
           coalesce(lag(r.ts) over w, r.ts - mm.expected_interval) as ts_from
    from jcm.readings r join jcm.meters mm on mm.key = r.meter
    where mm.kind = 'interval' or (mm.kind = 'cumulative' and not coalesce('out_of_order' = any(r.reasons), false))
    window w as (partition by r.meter order by r.ts)
) x
join jcm.meters m on m.key = x.meter
cross join lateral (select case
    when m.kind = 'interval' or x.prev is null or x.value >= x.prev then 'normal'
    when m.rollover is not null and m.rollover - x.prev + x.value >= 0 and 2 * (m.rollover - x.prev + x.value) <= m.rollover then 'rollover'
    else 'reset' end as step) s;

-- Missing intervals: two consecutive readings of a meter further apart than 1.5 × its expected
-- interval. The cause is what the database knows of the time in between.
create view jcm.gaps as
select g.project, g.meter_id, g.parameter, g.gap_from, g.gap_to,
       (round(extract(epoch from g.gap_to - g.gap_from) / extract(epoch from g.expected_interval)) - 1)::bigint as missing_intervals,
       case
         when exists (select 1 from jcm.rejections j where j.meter_id = g.meter_id and j.ts > g.gap_from and j.ts < g.gap_to)
           then 'rejected_data'
         when exists (select 1 from jcm.batches b where b.kind = 'poll' and b.source = g.meter_id
                      and b.received_at > g.gap_from and b.received_at < g.gap_to
                      and (b.http_status is null or b.http_status not in (200, 304)))
           then 'meter_down'
         when exists (select 1 from jcm.rejections j join jcm.batches b on b.id = j.batch
                      where j.meter_id = g.meter_id and b.kind = 'poll' and b.received_at > g.gap_from and b.received_at < g.gap_to)
           then 'rejected_data'
         when g.polled and not exists (select 1 from jcm.batches b where b.kind = 'poll' and b.received_at > g.gap_from and b.received_at < g.gap_to)
           then 'daemon_down'
         else null
       end as cause
from (
    select m.project, m.id as meter_id, m.parameter, m.expected_interval, m.url is not null as polled,
           lag(r.ts) over (partition by r.meter order by r.ts) as gap_from, r.ts as gap_to
    from jcm.readings r join jcm.meters m on m.key = r.meter
    where m.expected_interval is not null
) g
where g.gap_to - g.gap_from > g.expected_interval * 1.5;

-- Completeness of each meter with an expected interval over [p_from, p_to): readings received
-- against readings due. For a monitoring period: select * from jcm.completeness('2026-04-01', '2027-04-01').
create function jcm.completeness(p_from timestamptz, p_to timestamptz)
returns table (project text, meter_id text, parameter text, expected bigint, received bigint, completeness numeric)
language sql stable as $$
    select m.project, m.id, m.parameter, e.expected, coalesce(c.n, 0),
           round(least(coalesce(c.n, 0), e.expected)::numeric / nullif(e.expected, 0), 4)
    from jcm.meters m
    cross join lateral (select floor(extract(epoch from p_to - p_from) / extract(epoch from m.expected_interval))::bigint as expected) e
    left join lateral (select count(*) as n from jcm.readings r where r.meter = m.key and r.ts >= p_from and r.ts < p_to) c on true
    where m.expected_interval is not null
$$;

-- Completeness per meter per day (UTC days), from the first to the last day with a reading.
create view jcm.completeness_daily as
select m.project, m.id as meter_id, m.parameter, d.day::date as day, e.expected, n.received,
       round(least(n.received, e.expected)::numeric / nullif(e.expected, 0), 4) as completeness
from jcm.meters m
cross join lateral (
    select generate_series(date_trunc('day', min(ts) at time zone 'UTC'), date_trunc('day', max(ts) at time zone 'UTC'), interval '1 day') as day
    from jcm.readings where meter = m.key) d
cross join lateral (select floor(86400 / extract(epoch from m.expected_interval))::bigint as expected) e
cross join lateral (
    select count(*) as received from jcm.readings r
    where r.meter = m.key and r.ts >= d.day at time zone 'UTC' and r.ts < (d.day + interval '1 day') at time zone 'UTC') n
where m.expected_interval is not null;
