-- jcm-ingestd schema, version 15: a period's report reads its series at a cost that lets a month
-- of 1,000 meters be reported in a minute (bench/report.sh, docs/schema.md). Same rules, same
-- results (0009, 0014); only how PostgreSQL evaluates them changes.
--
-- jcm.part_until, jcm.rfc3339 and jcm.slot_of were declared immutable but call extract() and
-- to_char() on timestamptz, which PostgreSQL marks stable: it then refuses to inline them and
-- runs each as a query of its own per reading (two per reading for a period's share, two per
-- dataset row, one per reading in jcm.gaps). Declared stable, their bodies are inlined into the
-- calling query. The bodies are those of 0009, unchanged.

create or replace function jcm.part_until(p_amount numeric, p_from timestamptz, p_to timestamptz, p_at timestamptz) returns numeric
language sql stable as $$
    select case when p_amount is null then null
                when p_from is null or p_at >= p_to then p_amount
                when p_at <= p_from then 0
                else trim_scale(div(p_amount * (extract(epoch from p_at) - extract(epoch from p_from)) * 100000000000000000000,
                                    extract(epoch from p_to) - extract(epoch from p_from)) * 0.00000000000000000001) end
$$;
create or replace function jcm.rfc3339(p_ts timestamptz) returns text
language sql stable as $$
    select to_char(p_ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
           || coalesce('.' || nullif(rtrim(to_char(extract(microseconds from p_ts)::bigint % 1000000, 'FM000000'), '0'), ''), '') || 'Z'
$$;
create or replace function jcm.slot_of(p_ts timestamptz, p_anchor timestamptz, p_interval interval) returns bigint
language sql stable as $$
    select ceil((extract(epoch from p_ts) - extract(epoch from coalesce(p_anchor, 'epoch'::timestamptz)))
                / extract(epoch from p_interval))::bigint
$$;

-- jcm.series_steps as in 0014, with three changes of plan, not of result:
-- - the latest correction of each reading and the latest resolution of each step are looked up
--   once per query (hash joins on the project's corrections) instead of by a subquery per
--   reading;
-- - the window that puts each meter's readings in time order sorts the readings' own columns;
--   the meter's plan (certificates, capacity, units: most of the row's width) joins after it;
-- - the period's readings of all the project's meters are read by one bitmap scan (each page
--   once) instead of one scan per meter (each page once per meter).
create or replace function jcm.series_steps(p_project text, p_head bigint, p_plan integer, p_from timestamptz, p_to timestamptz)
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
        select mm.key, mm.id, mm.parameter, mm.kind, coalesce(mv.unit, mm.unit) as unit, mm.rollover, mm.expected_interval,
               extract(epoch from mm.expected_interval) * 1000000 as interval_us,
               pm.capacity_per_hour as cap, pm.max_permissible_error_pct as mpe,
               coalesce(pm.calibration_required, false) as cal_req, coalesce(pp.unit, mv.unit, mm.unit) as parameter_unit,
               mm.unit as current_unit,
               mm.unit is distinct from coalesce(mv.unit, mm.unit)
                 or exists (select 1 from jcm.meter_versions o where o.meter_id = mm.id and o.unit is distinct from coalesce(mv.unit, mm.unit))
                 as units_vary,
               coalesce(cc.cal_from, '{}') as cal_from, coalesce(cc.cal_until, '{}') as cal_until,
               coalesce(cc.cal_found, '{}') as cal_found
        from jcm.meters mm
        left join jcm.meter_versions mv on mv.version = p_plan and mv.meter_id = mm.id
        left join (select c.meter_id, array_agg(c.calibrated order by c.calibrated) as cal_from,
                          array_agg(c.valid_until order by c.calibrated) as cal_until,
                          array_agg(c.as_found_error_pct order by c.calibrated) as cal_found
                   from cals c group by c.meter_id) cc on cc.meter_id = mm.id
        left join jcm.plan_meters pm on pm.version = p_plan and pm.id = mm.id
        left join jcm.plan_parameters pp on pp.version = p_plan and pp.project = mm.project and pp.id = mm.parameter
        where mm.project = p_project and mm.kind in ('cumulative', 'interval')
    ),
    -- Not materialized: each use below filters it by meter and time, so the index on
    -- (meter, ts) serves it rather than a scan of every reading.
    fixes as materialized (
        select distinct on (cm.key, c.ts, c.batch) cm.key, c.ts, c.batch, c.id, c.value
        from jcm.corrections c join jcm.meters cm on cm.id = c.meter_id
        where cm.project = p_project and c.resolution is null
        order by cm.key, c.ts, c.batch, c.id desc
    ),
    resolutions as materialized (
        select distinct on (c.meter_id, c.ts) c.meter_id, c.ts, c.id, c.resolution, c.old_final, c.new_start
        from jcm.corrections c join jcm.meters cm on cm.id = c.meter_id
        where cm.project = p_project and c.resolution is not null
        order by c.meter_id, c.ts, c.id desc
    ),
    cr as not materialized (
        select r.meter, r.ts, coalesce(c.value, r.value) as value, r.status, r.reasons, r.batch, r.seq, r.raw_value, r.raw_unit,
               c.id as corrected, c.id is not null and c.value is null as excluded
        from jcm.readings r
        left join fixes c on c.key = r.meter and c.ts = r.ts and c.batch = r.batch
        where p_head is null or r.batch in (select batch from sealed)
    ),
    -- A period's readings of all its meters in one bitmap scan, each table page read once (a
    -- logger's file puts a timestamp's readings of every meter on the same page, so a scan per
    -- meter read each page once per meter); the nearest reading on each side per meter.
    xr as (
        (select cr.* from cr where cr.meter = any (array(select m.key from m)) and cr.ts > p_from and cr.ts <= p_to
                                and not cr.excluded)
        union all
        (select e.* from m cross join lateral (
            (select * from cr where cr.meter = m.key and cr.ts <= p_from and not cr.excluded order by cr.ts desc limit 1)
            union all
            (select * from cr where cr.meter = m.key and cr.ts > p_to and not cr.excluded order by cr.ts limit 1)
        ) e)
    ),
    r as (
        select m.key, x.ts,
               -- In the period's unit: a reading keeps the unit of the plan version it was written
               -- under (its batch's), so a later kWh -> MWh change does not relabel it.
               case when not m.units_vary then x.value
                    else jcm.convert_unit(x.value, coalesce((select v.unit from jcm.batches b
                                                             join jcm.meter_versions v on v.version = b.plan_version and v.meter_id = m.id
                                                             where b.id = x.batch), m.current_unit), m.unit) end as value,
               x.status, x.reasons, x.batch, x.seq, x.raw_value, x.raw_unit, x.corrected
        from xr x join m on m.key = x.meter
    ),
    -- The window sorts the readings alone; each meter's plan joins them after, not through the sort.
    x as (
        select m.*, o.ts, o.value, o.status, o.reasons, o.batch, o.seq, o.raw_value, o.raw_unit, o.corrected, o.prev, o.prev_ts
        from (select r.*, lag(r.value) over w as prev, lag(r.ts) over w as prev_ts
              from r window w as (partition by r.key order by r.ts)) o
        join m on m.key = o.key
    ),
    s as (
        select x.*, res.id as resolved, res.resolution, res.old_final, res.new_start,
               case when x.kind = 'interval' then coalesce(x.ts - x.expected_interval, x.prev_ts) else x.prev_ts end as t0,
               case when x.kind = 'interval' then x.interval_us else extract(epoch from x.ts - x.prev_ts) * 1000000 end as us
        from x
        left join resolutions res on res.meter_id = x.id and res.ts = x.ts
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
           case when l.lapsed then greatest(st.mpe, (select abs(c.found) from unnest(st.cal_from, st.cal_found) c(calibrated, found)
                                                      where c.calibrated > st.t0 order by c.calibrated limit 1)) end,
           st.status, st.reasons, st.batch, st.seq, st.raw_value, st.raw_unit, st.corrected, st.resolved
    from st
    cross join lateral (select st.cal_req and st.t0 is not null and not (
        exists (select 1 from unnest(st.cal_from, st.cal_until) c(calibrated, valid_until)
                where c.calibrated <= st.t0 and st.ts <= c.valid_until)
        or exists (select 1 from unnest(st.cal_from, st.cal_until) a(calibrated, valid_until),
                                 unnest(st.cal_from, st.cal_until) b(calibrated, valid_until)
                   where a.calibrated <= st.t0 and st.ts <= b.valid_until
                     and b.calibrated <= a.valid_until and a.valid_until < b.valid_until)) as lapsed) l
$$;
