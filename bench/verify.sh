#!/usr/bin/env bash
# Benchmark of `jcm-ingestd verify` (issue: ready for verification). Ingests a report of
# METERS x STEPS readings (default 1,000 x 10,000 = 10,000,000) into a fresh PostgreSQL cluster,
# then times `verify` over all of it and prints rows/s (target >= 200,000) and verify's peak
# memory (it streams: it must not grow with the table; compare a run with fewer STEPS).
# Usage: bench/verify.sh [METERS] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh
meters=${1:-1000}
steps=${2:-10000}
source bench/cluster.sh -c max_wal_size=8GB
psql "$conn dbname=postgres" -qc "create database ingest"

echo "generating $((meters * steps)) readings ($meters meters x $steps timestamps)"
python3 bench/gen_report.py "$meters" "$steps" "$work/report.csv" "$work/bench.toml" "$conn dbname=ingest"
t0=$(date +%s.%N)
"$bin" ingest -c "$work/bench.toml" "$work/report.csv" | sed 's/^/  /'
t1=$(date +%s.%N)
rm -f "$work/report.csv"
psql "$conn dbname=ingest" -qc "vacuum analyze"
psql "$conn dbname=ingest" -Atc "select 'links: ' || count(*) || ', ledger size: ' || pg_size_pretty(pg_total_relation_size('jcm.ledger')) || ', readings size: ' || pg_size_pretty(pg_total_relation_size('jcm.readings')) from jcm.ledger"

t2=$(date +%s.%N)
/usr/bin/time -f "%M %U %S" -o "$work/rss" "$bin" verify -c "$work/bench.toml" --public-key "$("$bin" key -c "$work/bench.toml" | awk '/^ed25519/ {print $2}')" | sed 's/^/  /'
t3=$(date +%s.%N)
rows=$(psql "$conn dbname=ingest" -Atc "select count(*) from jcm.readings")
python3 - "$t0" "$t1" "$t2" "$t3" "$rows" $(cat "$work/rss") <<'PY'
import sys
t0, t1, t2, t3, rows, rss_kb, user, sys_s = map(float, sys.argv[1:])
print(f"ingest : {t1 - t0:7.1f} s  {rows / (t1 - t0):10,.0f} rows/s")
print(f"verify : {t3 - t2:7.1f} s  {rows / (t3 - t2):10,.0f} rows/s  (target >= 200,000)  peak RSS {rss_kb / 1024:.0f} MB  CPU {user + sys_s:.1f} s")
PY
