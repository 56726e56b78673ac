-- jcm-ingestd schema, version 9: a period's numbers are a function of the stored readings in
-- time order, never of the order they arrived in. docs/methodologies.md states each rule with a
-- worked example; PeriodSeriesTests and the order test check them.
--
-- What changed from versions 3 and 5:
-- - readings flagged out_of_order (late on arrival) are part of the series like any other;
-- - a counter's step is judged on its neighbours in time, against the meter's capacity when it
--   has one; a step plausible as neither rollover nor reset, or above the capacity, is held:
--   listed with its candidate amounts and credited 0 until an operator resolves it
--   (jcm.corrections.resolution, version 8);
-- - a calibration lapse is judged on the whole interval (ts_from, ts_to], not its end alone;
-- - a step that straddles a period boundary is split in proportion to time;
-- - missing intervals are the meter's expected slots that hold no reading.

drop function jcm.period_interval_values(integer);
drop view jcm.interval_values;
drop view jcm.gaps;
drop function jcm.completeness(timestamptz, timestamptz);
drop view jcm.completeness_daily;

-- An instant as RFC 3339 in UTC with as many fractional digits as needed: the one format of
-- every time in `report`'s exports (Timestamp.description in Swift).
create function jcm.rfc3339(p_ts timestamptz) returns text
language sql immutable as $$
    select to_char(p_ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
           || coalesce('.' || nullif(rtrim(to_char(extract(microseconds from p_ts)::bigint % 1000000, 'FM000000'), '0'), ''), '') || 'Z'
$$;

-- A certificate may record the error found when the meter was recalibrated (as found).
create or replace view jcm.plan_calibrations as
select v.version, v.valid_from, v.valid_to, m ->> 'id' as meter_id, c.*
from jcm.plan_history v,
     jsonb_array_elements(v.plan -> 'meters') as m,
     jsonb_to_recordset(m -> 'calibrations') as c(certificate text, calibrated timestamptz, valid_until timestamptz,
                                                   as_found_error_pct numeric);

-- The plan version a period is computed with: the newest one.
create function jcm.period_plan_version(p_period integer) returns integer
language sql stable as $$ select max(version) from jcm.plan_versions $$;

-- The expected slot a reading falls in: slot k of a meter ends at anchor + k × interval and holds
-- the readings of (anchor + (k-1) × interval, anchor + k × interval]. The anchor is the project's
-- monitoring_start, else 1970-01-01T00:00Z.
create function jcm.slot_of(p_ts timestamptz, p_anchor timestamptz, p_interval interval) returns bigint
language sql immutable as $$
    select ceil((extract(epoch from p_ts) - extract(epoch from coalesce(p_anchor, 'epoch'::timestamptz)))
                / extract(epoch from p_interval))::bigint
$$;

-- The part of a step's amount that falls up to instant p_at, in proportion to time: all of it
-- from its end on, none before its start, else cut toward zero at 20 decimal places. A period's
-- part is part_until(its end) - part_until(its start): the earlier period's part is rounded
-- down, and the parts of consecutive periods add up to the whole amount exactly.
create function jcm.part_until(p_amount numeric, p_from timestamptz, p_to timestamptz, p_at timestamptz) returns numeric
language sql immutable as $$
    select case when p_amount is null then null
                when p_from is null or p_at >= p_to then p_amount
                when p_at <= p_from then 0
                else trim_scale(div(p_amount * (extract(epoch from p_at) - extract(epoch from p_from)) * 100000000000000000000,
                                    extract(epoch from p_to) - extract(epoch from p_from)) * 0.00000000000000000001) end
$$;

-- Each reading of a project's counters and interval meters with the step it closes, judged on
-- the series in time order. p_head: only readings sealed by the project's chain up to that link
-- (null: every stored reading). p_from/p_to: the readings in (p_from, p_to] plus the nearest one
-- on each side, so steps across the edges are complete. A reading excluded by a correction
-- (value null) is not part of the series; a corrected value replaces the stored one.
create function jcm.series_steps(p_project text, p_head bigint, p_plan integer, p_from timestamptz, p_to timestamptz)
returns table (meter_id text, parameter text, kind text, unit text, parameter_unit text, ts_from timestamptz, ts_to timestamptz,
               value numeric, delta numeric, step text, candidates text, lapsed boolean, lapse_error_pct numeric,
               status text, reasons text[], batch bigint, seq integer, raw_value text, raw_unit text, corrected bigint, resolved bigint)
language sql stable as $$
    with sealed as materialized (
        select distinct l.batch from jcm.ledger l where l.project = p_project and l.seq <= p_head
    ),
    cals as materialized (
        select c.meter_id, c.calibrated, c.valid_until, c.as_found_error_pct from jcm.plan_calibrations c where c.version = p_plan
    ),
    m as materialized (
        select mm.key, mm.id, mm.parameter, mm.kind, mm.unit, mm.rollover, mm.expected_interval,
               extract(epoch from mm.expected_interval) * 1000000 as interval_us,
               pm.capacity_per_hour as cap, pm.max_permissible_error_pct as mpe,
               coalesce(pm.calibration_required, false) as cal_req, coalesce(pp.unit, mm.unit) as parameter_unit
        from jcm.meters mm
        left join jcm.plan_meters pm on pm.version = p_plan and pm.id = mm.id
        left join jcm.plan_parameters pp on pp.version = p_plan and pp.project = mm.project and pp.id = mm.parameter
        where mm.project = p_project and mm.kind in ('cumulative', 'interval')
    ),
    -- Not materialized: each use below filters it by meter and time, so the index on
    -- (meter, ts) serves it rather than a scan of every reading.
    cr as not materialized (
        select r.meter, r.ts, coalesce(c.value, r.value) as value, r.status, r.reasons, r.batch, r.seq, r.raw_value, r.raw_unit,
               c.id as corrected, c.id is not null and c.value is null as excluded
        from jcm.readings r
        left join lateral (select c.id, c.value from jcm.corrections c join jcm.meters cm on cm.id = c.meter_id
                           where cm.key = r.meter and c.ts = r.ts and c.batch = r.batch and c.resolution is null
                           order by c.id desc limit 1) c on true
        where p_head is null or r.batch in (select batch from sealed)
    ),
    r as (
        select m.*, x.ts, x.value, x.status, x.reasons, x.batch, x.seq, x.raw_value, x.raw_unit, x.corrected
        from m cross join lateral (
            (select * from cr where cr.meter = m.key and cr.ts <= p_from and not cr.excluded order by cr.ts desc limit 1)
            union all
            (select * from cr where cr.meter = m.key and cr.ts > p_from and cr.ts <= p_to and not cr.excluded)
            union all
            (select * from cr where cr.meter = m.key and cr.ts > p_to and not cr.excluded order by cr.ts limit 1)
        ) x
    ),
    x as (
        select r.*, lag(r.value) over w as prev, lag(r.ts) over w as prev_ts
        from r window w as (partition by r.key order by r.ts)
    ),
    s as (
        select x.*, res.id as resolved, res.resolution, res.old_final, res.new_start,
               case when x.kind = 'interval' then coalesce(x.ts - x.expected_interval, x.prev_ts) else x.prev_ts end as t0,
               case when x.kind = 'interval' then x.interval_us else extract(epoch from x.ts - x.prev_ts) * 1000000 end as us
        from x
        left join lateral (select c.id, c.resolution, c.old_final, c.new_start from jcm.corrections c
                           where c.meter_id = x.id and c.ts = x.ts and c.resolution is not null
                           order by c.id desc limit 1) res on true
    ),
    st as (
        select s.*,
            case
              when s.kind = 'interval' then
                case when s.resolution = 'confirmed' or s.cap is null or s.us is null or s.value * 3600000000 <= s.cap * s.us
                     then 'normal' else 'held' end
              when s.prev is null then 'first'
              when s.resolution is not null then s.resolution
              when s.value >= s.prev then
                case when s.cap is null or (s.value - s.prev) * 3600000000 <= s.cap * s.us then 'normal' else 'held' end
              when s.cap is not null then
                case when s.rollover is not null and (s.rollover - s.prev + s.value) * 3600000000 <= s.cap * s.us then 'rollover'
                     when s.value * 3600000000 <= s.cap * s.us then 'reset'
                     else 'held' end
              when s.rollover is not null and 2 * (s.rollover - s.prev + s.value) <= s.rollover then 'rollover'
              else 'reset'
            end as step
        from s
    )
    select st.id, st.parameter, st.kind, st.unit, st.parameter_unit, st.t0, st.ts, st.value,
           case st.step
             when 'first' then null
             when 'held' then 0
             when 'rollover' then st.rollover - st.prev + st.value
             when 'reset' then st.value
             when 'replacement' then (st.old_final - st.prev) + (st.value - st.new_start)
             else case when st.kind = 'interval' then st.value else st.value - st.prev end
           end,
           st.step,
           case when st.step <> 'held' then null
                when st.kind = 'interval' then 'as read ' || st.value
                when st.value >= st.prev then 'as read ' || (st.value - st.prev)
                else concat_ws(', ', 'rollover ' || (st.rollover - st.prev + st.value), 'reset ' || st.value) end,
           l.lapsed,
           case when l.lapsed then greatest(st.mpe, (select abs(c.as_found_error_pct) from cals c
                                                      where c.meter_id = st.id and c.calibrated > st.t0 order by c.calibrated limit 1)) end,
           st.status, st.reasons, st.batch, st.seq, st.raw_value, st.raw_unit, st.corrected, st.resolved
    from st
    cross join lateral (select st.cal_req and st.t0 is not null and not (
        exists (select 1 from cals c where c.meter_id = st.id and c.calibrated <= st.t0 and st.ts <= c.valid_until)
        or exists (select 1 from cals a join cals b on b.meter_id = a.meter_id
                   where a.meter_id = st.id and a.calibrated <= st.t0 and st.ts <= b.valid_until
                     and b.calibrated <= a.valid_until and a.valid_until < b.valid_until)) as lapsed) l
$$;

-- What each reading of a counter or interval meter adds, over every stored reading (sealed or
-- not), with the rules of jcm.series_steps. delta is in the meter's unit; held steps add 0.
create view jcm.interval_values as
select p.id as project, s.meter_id, s.parameter, s.ts_from, s.ts_to, s.delta, s.unit, s.step, s.candidates, s.status, s.reasons, s.batch
from jcm.projects p
cross join lateral jcm.series_steps(p.id, null, (select max(version) from jcm.plan_versions), '-infinity', 'infinity') s;

-- A frozen period's interval values: the series of the readings sealed by the period's chain
-- head, with corrections and resolutions applied. A step belongs to the period as far as its
-- interval (ts_from, ts_to] falls in (starts, ends]: `share` is its part (all of it unless it
-- straddles a boundary), `value` the share in the parameter's unit (parameter_unit).
create function jcm.period_interval_values(p_period integer)
returns table (meter_id text, parameter text, kind text, unit text, ts_from timestamptz, ts_to timestamptz, delta numeric,
               share numeric, value numeric, parameter_unit text, step text, candidates text, lapsed boolean,
               lapse_error_pct numeric, status text, reasons text[], batch bigint, seq integer, raw_value text, raw_unit text,
               corrected bigint, resolved bigint)
language sql stable as $$
    select s.meter_id, s.parameter, s.kind, s.unit, s.ts_from, s.ts_to, s.delta, sh.share,
           jcm.convert_unit(sh.share, s.unit, s.parameter_unit), s.parameter_unit, s.step, s.candidates, s.lapsed,
           s.lapse_error_pct, s.status, s.reasons, s.batch, s.seq, s.raw_value, s.raw_unit, s.corrected, s.resolved
    from jcm.monitoring_periods p
    cross join lateral jcm.series_steps(p.project, coalesce(p.head_seq, 0), jcm.period_plan_version(p.id), p.starts, p.ends) s
    cross join lateral (select jcm.part_until(s.delta, s.ts_from, s.ts_to, p.ends)
                               - jcm.part_until(s.delta, s.ts_from, s.ts_to, p.starts) as share) sh
    where p.id = p_period and s.ts_to > p.starts
      and (case when s.ts_from is null then s.ts_to <= p.ends else s.ts_from < p.ends end)
$$;

-- A meter's expected slots whose end is in (p_from, p_to] (from its project's monitoring_start
-- on), and how many of them hold a reading: one not excluded by a correction and, with p_head,
-- sealed by the project's chain up to that link. docs/methodologies.md, "Missing intervals".
create function jcm.slot_count(p_meter integer, p_from timestamptz, p_to timestamptz, p_head bigint)
returns table (expected bigint, received bigint)
language sql stable as $$
    with m as (
        select mm.key, mm.project, mm.expected_interval as d, coalesce(pr.monitoring_start, 'epoch'::timestamptz) as a,
               greatest(p_from, pr.monitoring_start) as f
        from jcm.meters mm join jcm.projects pr on pr.id = mm.project
        where mm.key = p_meter and mm.expected_interval is not null
    ),
    -- slot_of gives the slot an instant falls in or ends: the first slot ending after f is the
    -- next one when f is itself a slot's end.
    b as (
        select m.*, jcm.slot_of(m.f, m.a, m.d) + case when m.a + m.d * jcm.slot_of(m.f, m.a, m.d) = m.f then 1 else 0 end as first_k,
               jcm.slot_of(p_to, m.a, m.d) - case when m.a + m.d * jcm.slot_of(p_to, m.a, m.d) = p_to then 0 else 1 end as last_k
        from m
    )
    select greatest(b.last_k - b.first_k + 1, 0), (
        select count(distinct jcm.slot_of(r.ts, b.a, b.d)) from jcm.readings r
        where r.meter = b.key and r.ts > b.a + b.d * (b.first_k - 1) and r.ts <= b.a + b.d * b.last_k
          and (p_head is null or r.batch in (select l.batch from jcm.ledger l where l.project = b.project and l.seq <= p_head))
          and coalesce((select c.value is not null from jcm.corrections c join jcm.meters cm on cm.id = c.meter_id
                        where cm.key = r.meter and c.ts = r.ts and c.batch = r.batch and c.resolution is null
                        order by c.id desc limit 1), true))
    from b
$$;

-- A frozen period's slots per counter and interval meter: expected, holding a sealed reading,
-- and missing (the report's missing_intervals).
create function jcm.period_slots(p_period integer)
returns table (meter_id text, expected bigint, received bigint, missing bigint)
language sql stable as $$
    select m.id, c.expected, c.received, c.expected - c.received
    from jcm.monitoring_periods p
    join jcm.meters m on m.project = p.project and m.expected_interval is not null and m.kind in ('cumulative', 'interval')
    cross join lateral jcm.slot_count(m.key, p.starts, p.ends, coalesce(p.head_seq, 0)) c
    where p.id = p_period
$$;

-- Missing intervals between two readings of a meter: the expected slots between theirs that
-- hold no reading (the slot rule of jcm.period_slots), so an extra reading never hides a
-- missing one. The cause is what the database knows of the time in between.
create view jcm.gaps as
select g.project, g.meter_id, g.parameter, g.gap_from, g.gap_to, g.slot - g.prev_slot - 1 as missing_intervals,
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
    select k.*, lag(k.ts) over w as gap_from, k.ts as gap_to, lag(k.slot) over w as prev_slot
    from (
        select m.project, m.id as meter_id, m.parameter, m.url is not null as polled, r.meter, r.ts,
               jcm.slot_of(r.ts, pr.monitoring_start, m.expected_interval) as slot
        from jcm.readings r join jcm.meters m on m.key = r.meter join jcm.projects pr on pr.id = m.project
        where m.expected_interval is not null
    ) k
    window w as (partition by k.meter order by k.ts)
) g
where g.slot - g.prev_slot > 1;

-- Completeness of each meter with an expected interval: of its slots ending in (p_from, p_to],
-- how many hold a reading. For a monitoring period: select * from jcm.completeness(starts, ends).
create function jcm.completeness(p_from timestamptz, p_to timestamptz)
returns table (project text, meter_id text, parameter text, expected bigint, received bigint, completeness numeric)
language sql stable as $$
    select m.project, m.id, m.parameter, c.expected, c.received, round(c.received::numeric / nullif(c.expected, 0), 4)
    from jcm.meters m cross join lateral jcm.slot_count(m.key, p_from, p_to, null) c
    where m.expected_interval is not null
$$;

-- Completeness per meter per UTC day (slots ending in the day), from the first to the last day
-- with a reading.
create view jcm.completeness_daily as
select m.project, m.id as meter_id, m.parameter, d.day::date as day, c.expected, c.received,
       round(c.received::numeric / nullif(c.expected, 0), 4) as completeness
from jcm.meters m
cross join lateral (
    select generate_series(date_trunc('day', min(ts) at time zone 'UTC'), date_trunc('day', max(ts) at time zone 'UTC'), interval '1 day') as day
    from jcm.readings where meter = m.key) d
cross join lateral jcm.slot_count(m.key, d.day at time zone 'UTC', (d.day + interval '1 day') at time zone 'UTC', null) c
where m.expected_interval is not null;
