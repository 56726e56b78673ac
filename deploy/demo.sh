#!/usr/bin/env bash
# The demo: builds jcm-ingestd, starts simulated meters on loopback and runs the daemon with
# config/demo.toml against a private PostgreSQL cluster under .state/. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh

# The same flags as deploy/package-deb.sh, so the two share one release build.
swift build -c release --product jcm-ingestd -Xswiftc -static-stdlib
bin=".build/release/jcm-ingestd"
mkdir -p .state/incoming

# The demo's monitoring period starts here, with the daemon: a period from before it would count
# the minutes before as missing intervals.
started=$(date -u +%FT%TZ)
"$bin" simulate --meters 4 --listen 127.0.0.1:9100 &
sim=$!
trap 'kill $sim 2>/dev/null || true; wait $sim 2>/dev/null || true' EXIT

cat <<EOT

  jcm-ingestd demo: 4 meters of 3 simulated gateways polled every 5-10 s, folder .state/incoming
  watched, readings checked against the monitoring plan in config/demo.toml (one meter's
  calibration certificate has lapsed: its readings are flagged calibration_lapsed).

  Look at the data (in another terminal):
    psql "host=$PWD/.state/postgres/run user=jcm dbname=jcm" \\
      -c 'select meter_id, ts, value, unit, status from jcm.readings_view order by ts desc limit 10'
    $bin status -c config/demo.toml      # every meter's state, last reading, completeness

  Drop a report:
    cp docs/examples/report.csv .state/incoming/
    then see .state/incoming/processed/ (or rejected/ with NAME.errors.json)

  Counters and health: curl -s 127.0.0.1:9464/metrics ; curl -s 127.0.0.1:9464/healthz

  After a few minutes, check the ledger, then freeze everything since the start of this demo
  ($started) as a monitoring period and compute its ER:
    $bin verify -c config/demo.toml
    $bin period declare -c config/demo.toml --project IN-JP-0001 --name demo-1 --start $started --end \$(date -u +%FT%TZ)
    $bin report -c config/demo.toml --project IN-JP-0001 --period demo-1
    $bin report -c config/demo.toml --project IN-JP-0001 --period demo-1 --format html -o demo-1.html
  Its Parameters and Meters show what was measured (M2's lapsed calibration deducted); ER is rounded
  down to whole tCO2 as the methodology says, so a period of minutes gives 0 t. report exits
  non-zero when it excludes or holds data: read what it says.

  Ctrl-C stops the daemon, the simulator and the private PostgreSQL.

EOT
# Not exec: the trap must still stop the simulator when the daemon exits.
"$bin" run --config config/demo.toml
