#!/usr/bin/env python3
"""The daemon's configuration for the polling benchmarks: METERS cumulative meters polled every
second at http://127.0.0.H:9107/meters/N, spread over HOSTS loopback addresses (H = N % HOSTS + 1).
Usage: fleet_config.py METERS PATH CONNINFO STATE_DIR [HOSTS]"""
import sys

meters, path, conn, state = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
hosts = int(sys.argv[5]) if len(sys.argv) > 5 else 1
with open(path, "w") as c:
    c.write(f'[database]\nurl = "{conn}"\n\n[daemon]\nstate_dir = "{state}"\nlog_level = "warning"\n\n')
    c.write('[metrics]\nlisten = "127.0.0.1:9467"\n\n[[project]]\nid = "IN-JP-0001"\nmethodology = "IN_AM001 ver01.0"\n\n')
    for m in range(1, meters + 1):
        c.write(f'[[meter]]\nid = "SIM-{m:05d}"\nproject = "IN-JP-0001"\nparameter = "EG_p"\nkind = "cumulative"\nunit = "kWh"\n'
                f'url = "http://127.0.0.{m % hosts + 1}:9107/meters/{m}"\ninterval = "1s"\njson.value = "energy.total_wh"\n'
                f'json.unit = "Wh"\njson.timestamp = "ts"\n\n')
