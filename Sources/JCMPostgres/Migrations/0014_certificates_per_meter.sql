-- A period's series, judged interval by interval, looked up each interval's certificates in
-- every certificate of the project (a scan of the plan's calibrations per reading): a month of
-- 1,000 meters took minutes in the lapse check alone. Each meter now carries its own
-- certificates (a few), so the check costs the same per reading whatever the number of meters.
-- The rule is unchanged (0009): an interval is covered by one certificate, or by two that
-- overlap; the as-found error is the next certificate's.
--
-- A period's series is in the unit its plan version gives the meter (jcm.meter_versions, 13),
-- not today's jcm.meters: each reading is converted from the unit of the plan version its batch
-- was written under. Meters whose unit never changed (all but a few) skip the lookup.

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
        select m.*, x.ts,
               -- In the period's unit: a reading keeps the unit of the plan version it was written
               -- under (its batch's), so a later kWh -> MWh change does not relabel it.
               case when not m.units_vary then x.value
                    else jcm.convert_unit(x.value, coalesce((select v.unit from jcm.batches b
                                                             join jcm.meter_versions v on v.version = b.plan_version and v.meter_id = m.id
                                                             where b.id = x.batch), m.current_unit), m.unit) end as value,
               x.status, x.reasons, x.batch, x.seq, x.raw_value, x.raw_unit, x.corrected
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

-- The same for units: each value's conversion joins the two units once per query rather than
-- calling jcm.convert_unit (a query of its own) per value. Same expression, same result: null
-- when the dimensions differ.
create or replace function jcm.period_interval_values(p_period integer)
returns table (meter_id text, parameter text, kind text, unit text, ts_from timestamptz, ts_to timestamptz, delta numeric,
               share numeric, value numeric, parameter_unit text, step text, candidates text, lapsed boolean,
               lapse_error_pct numeric, status text, reasons text[], batch bigint, seq integer, raw_value text, raw_unit text,
               corrected bigint, resolved bigint)
language sql stable as $$
    select s.meter_id, s.parameter, s.kind, s.unit, s.ts_from, s.ts_to, s.delta, sh.share,
           case when s.unit = s.parameter_unit then sh.share
                else trim_scale(round(sh.share * f.factor * 1.0000000000000000000000000000000000000000 / t.factor, 30)) end,
           s.parameter_unit, s.step, s.candidates, s.lapsed,
           s.lapse_error_pct, s.status, s.reasons, s.batch, s.seq, s.raw_value, s.raw_unit, s.corrected, s.resolved
    from jcm.monitoring_periods p
    cross join lateral jcm.series_steps(p.project, coalesce(p.head_seq, 0), jcm.period_plan_version(p.id), p.starts, p.ends) s
    cross join lateral (select jcm.part_until(s.delta, s.ts_from, s.ts_to, p.ends)
                               - jcm.part_until(s.delta, s.ts_from, s.ts_to, p.starts) as share) sh
    left join jcm.units f on f.symbol = s.unit
    left join jcm.units t on t.symbol = s.parameter_unit and t.dimension = f.dimension
    where p.id = p_period and s.ts_to > p.starts
      and (case when s.ts_from is null then s.ts_to <= p.ends else s.ts_from < p.ends end)
$$;
