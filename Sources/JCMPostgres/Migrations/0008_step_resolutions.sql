-- jcm-ingestd schema, version 8: how an operator resolves a counter step the calculation holds,
-- and the unit table that converts a meter's values to its parameter's unit in SQL.

-- A resolution is a correction that says how to read the step that ends at the reading it names
-- (meter_id, ts, batch), instead of replacing its value. docs/methodologies.md, "Held steps".
--   rollover:    the register wrapped: credited rollover - previous + value
--   reset:       the register restarted from zero: credited value
--   confirmed:   the step is real as read (a rise above the meter's capacity, say): credited as read
--   replacement: the meter was replaced between the two readings: the old register ended at
--                old_final, the new one started at new_start: credited
--                (old_final - previous) + (value - new_start)
alter table jcm.corrections
    add column resolution text check (resolution in ('rollover', 'reset', 'confirmed', 'replacement')),
    add column old_final  numeric,
    add column new_start  numeric,
    add constraint corrections_resolution_shape check (
        (resolution is null or value is null)
        and ((resolution = 'replacement') = (old_final is not null and new_start is not null))
        and (resolution is not null or (old_final is null and new_start is null)));

-- The units a meter or a parameter may be in, as MeasurementUnit.all (Unit.swift) lists them:
-- how many of the dimension's base unit one of them is. A test keeps the two equal.
create table jcm.units (
    symbol    text primary key,
    dimension text not null,
    factor    numeric not null check (factor > 0)
);
insert into jcm.units (symbol, dimension, factor) values
    ('J', 'energy', 1), ('Wmin', 'energy', 60), ('kJ', 'energy', 1000), ('MJ', 'energy', 1000000), ('GJ', 'energy', 1000000000),
    ('Wh', 'energy', 3600), ('kWh', 'energy', 3600000), ('MWh', 'energy', 3600000000), ('GWh', 'energy', 3600000000000),
    ('W', 'power', 1), ('kW', 'power', 1000), ('MW', 'power', 1000000), ('GW', 'power', 1000000000),
    ('L', 'volume', 1), ('kL', 'volume', 1000), ('m3', 'volume', 1000),
    ('kg', 'mass', 1), ('t', 'mass', 1000),
    ('kgCO2', 'emissions', 1), ('tCO2', 'emissions', 1000);

-- value in unit `from_unit` expressed in `to_unit`: exact whenever the quotient terminates within
-- 30 decimal places, else rounded there, as ExactDecimal.converted(from:to:) does (a
-- non-terminating quotient has no tie, so PostgreSQL's rounding and Swift's half-even agree).
-- Null when the two units are not of one dimension.
create function jcm.convert_unit(value numeric, from_unit text, to_unit text) returns numeric
language sql immutable as $$
    select case when from_unit = to_unit then value
                else trim_scale(round(value * f.factor * 1.0000000000000000000000000000000000000000 / t.factor, 30)) end
    from jcm.units f, jcm.units t
    where f.symbol = from_unit and t.symbol = to_unit and f.dimension = t.dimension
$$;
