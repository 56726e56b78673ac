#!/usr/bin/env bash
# Benchmark of the report path (issue: backbone). Generates a report of METERS x STEPS readings
# (default 1,000 x 1,000 = 1,000,000), then on one fresh PostgreSQL cluster:
#   1. `jcm-ingestd ingest` into a fresh database (validation, provenance, binary COPY), and
#   2. `psql \copy` of the same CSV into a table of the same rows with the same unique key,
# and prints both wall times, their ratio (target <= 1.5) and jcm-ingestd's peak memory
# (target < 200 MB). Usage: bench/ingest-vs-copy.sh [METERS] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh
meters=${1:-1000}
steps=${2:-1000}
source bench/cluster.sh -c max_wal_size=4GB
psql "$conn dbname=postgres" -qc "create database ingest" -c "create database copy"

echo "generating $((meters * steps)) readings ($meters meters x $steps timestamps)"
python3 bench/gen_report.py "$meters" "$steps" "$work/report.csv" "$work/bench.toml" "$conn dbname=ingest"
ls -l "$work/report.csv" | awk '{printf "report: %.1f MB\n", $5/1048576}'
# Schema and meters in place before timing: both sides start from empty tables.
"$bin" migrate -c "$work/bench.toml" >/dev/null
psql "$conn dbname=copy" -qc "create table readings (meter_id text not null, ts timestamptz not null, value numeric not null, unit text not null, primary key (meter_id, ts))"
sync

t0=$(date +%s.%N)
/usr/bin/time -f "%M %U %S" -o "$work/rss" "$bin" ingest -c "$work/bench.toml" "$work/report.csv" | sed 's/^/  /'
t1=$(date +%s.%N)
psql "$conn dbname=copy" -qc "\\copy readings from '$work/report.csv' with (format csv, header)"
t2=$(date +%s.%N)

rows_ingest=$(psql "$conn dbname=ingest" -Atc "select count(*) from jcm.readings")
rows_copy=$(psql "$conn dbname=copy" -Atc "select count(*) from readings")
python3 - "$t0" "$t1" "$t2" "$rows_ingest" "$rows_copy" $(cat "$work/rss") <<'PY'
import sys
t0, t1, t2, ri, rc, rss_kb, user, sys_s = map(float, sys.argv[1:])
ingest, copy = t1 - t0, t2 - t1
print(f"jcm-ingestd ingest : {ingest:7.2f} s  {ri/ingest:10,.0f} rows/s  rows={int(ri):,}  peak RSS {rss_kb/1024:.0f} MB  CPU {user + sys_s:.1f} s")
print(f"psql \\copy         : {copy:7.2f} s  {rc/copy:10,.0f} rows/s  rows={int(rc):,}")
print(f"ratio ingest/copy  : {ingest/copy:7.2f}  (target <= 1.5; peak RSS target < 200 MB)")
PY
