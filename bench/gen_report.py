#!/usr/bin/env python3
"""Writes a canonical CSV report and the matching config: METERS cumulative meters x STEPS
timestamps (15-minute steps), timestamp-major as a data logger exports them."""
import os
import sys
from datetime import datetime, timedelta, timezone

meters, steps, csv_path, config_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
start = datetime(2026, 1, 1, tzinfo=timezone.utc)

with open(config_path, "w") as c:
    # The daemon's state (the ledger's signing key) beside the config, never in /var/lib.
    state = os.path.join(os.path.dirname(os.path.abspath(config_path)), "state")
    c.write('[database]\nurl = "%s"\n\n[daemon]\nlog_level = "warning"\nstate_dir = "%s"\n\n' % (sys.argv[5], state))
    c.write('[[project]]\nid = "IN-JP-0001"\nmethodology = "IN_AM001 ver01.0"\nmonitoring_start = 2025-04-01T00:00:00+05:30\n\n')
    c.write('[[parameter]]\nproject = "IN-JP-0001"\nid = "EG_p"\nunit = "MWh"\noption = "C"\n\n')
    # Every rule of the monitoring plan on: ranges, capacity (spikes), rollover, stuck counter,
    # calibration register (option C).
    for m in range(1, meters + 1):
        c.write('[[meter]]\nid = "IN-JP-0001-PV-M%04d"\nproject = "IN-JP-0001"\nparameter = "EG_p"\n'
                'kind = "cumulative"\nunit = "kWh"\nexpected_interval = "15m"\nrange = [0, 100000000]\n'
                'expected_range = [0, 50000000]\ncapacity = "10 kW"\nrollover = 1000000000\n'
                'max_permissible_error = "0.5%%"\nstuck_after = "6h"\n\n'
                '[[meter.calibration]]\ncertificate = "CAL-%04d"\ncalibrated = 2025-12-01\nvalid_until = 2027-11-30\n\n' % (m, m))

with open(csv_path, "w") as f:
    f.write("meter_id,timestamp,value,unit\n")
    for s in range(steps):
        ts = (start + timedelta(minutes=15 * s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines = []
        for m in range(1, meters + 1):
            # Whole Wh, written in kWh with three decimals, as meters report.
            wh = 1_000_000 * m + s * (500 + m)
            lines.append("IN-JP-0001-PV-M%04d,%s,%d.%03d,kWh\n" % (m, ts, wh // 1000, wh % 1000))
        f.write("".join(lines))
