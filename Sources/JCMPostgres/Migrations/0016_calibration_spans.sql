-- jcm-ingestd schema, version 16: whether a step's calibration lapsed is found per meter once,
-- not by a subquery per reading. Same rule as 0014, same results; only its cost changes.
--
-- jcm.series_steps as in 0015, but for the lapse: a step from t0 to ts is covered by one
-- certificate valid over it, or by two where the second was issued before the first ran out.
-- 0015 tested that with two subqueries over the meter's certificates for every reading (a
-- month of 1,000 meters: 2.88 million times). The spans such certificates cover are now listed
-- once per meter, in date order with the furthest end reached so far; a reading looks its t0 up
-- by binary search (width_bucket).
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
    -- What covers a step from t0 to ts, as 0014 has it: one certificate valid over the whole
    -- step, or two where the second was issued before the first ran out. Each such span, from
    -- its first certificate's date to its last one's end, per meter in date order with the
    -- furthest end reached by any span that starts by then: a step is covered when the reach of
    -- the last span starting at or before t0 is ts or later.
    spans as materialized (
        select s.meter_id, array_agg(s.f order by s.f) as span_from, array_agg(s.reach order by s.f) as span_reach
        from (select u.meter_id, u.f, max(u.u) over (partition by u.meter_id order by u.f range unbounded preceding) as reach
              from (select c.meter_id, c.calibrated as f, c.valid_until as u from cals c
                    union
                    select a.meter_id, a.calibrated, b.valid_until from cals a join cals b on b.meter_id = a.meter_id
                    where b.calibrated <= a.valid_until and a.valid_until < b.valid_until) u
              where u.f is not null and u.u is not null) s
        group by s.meter_id
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
               coalesce(cc.cal_from, '{}') as cal_from, coalesce(cc.cal_found, '{}') as cal_found,
               coalesce(sp.span_from, '{}') as span_from, coalesce(sp.span_reach, '{}') as span_reach
        from jcm.meters mm
        left join jcm.meter_versions mv on mv.version = p_plan and mv.meter_id = mm.id
        left join (select c.meter_id, array_agg(c.calibrated order by c.calibrated) as cal_from,
                          array_agg(c.as_found_error_pct order by c.calibrated) as cal_found
                   from cals c group by c.meter_id) cc on cc.meter_id = mm.id
        left join spans sp on sp.meter_id = mm.id
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
    cross join lateral (select st.cal_req and st.t0 is not null
                               and not coalesce(st.span_reach[width_bucket(st.t0, st.span_from)] >= st.ts, false) as lapsed) l
$$;
