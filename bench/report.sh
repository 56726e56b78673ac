#!/usr/bin/env bash
# Benchmark of `jcm-ingestd report --format xlsx` and `--format html` (issue 21): ingests METERS x STEPS readings
# (default 1,000 x 2,880 = 2,880,000: a month of 15-minute readings from 1,000 meters) into a
# fresh PostgreSQL cluster, declares the month as a period, then writes its Monitoring Report
# Sheet and prints the time and the peak RSS of `report` (goals: under 60 s and 300 MB; the
# Dataset sheet is streamed, so memory must not grow with STEPS: compare a run with fewer).
# Usage: bench/report.sh [METERS] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh
meters=${1:-1000}
steps=${2:-2880}
source bench/cluster.sh -c max_wal_size=8GB
psql "$conn dbname=postgres" -qc "create database ingest"

echo "generating $((meters * steps)) readings ($meters meters x $steps timestamps)"
python3 bench/gen_report.py "$meters" "$steps" "$work/report.csv" "$work/bench.toml" "$conn dbname=ingest"
# The shipped PV methodology computes the period's result.
sed -i "s|^monitoring_start = .*|&\ncalculation = \"$PWD/config/methodologies/pv-grid.toml\"\nvalues = { EF_grid = \"0.7\" }|" \
  "$work/bench.toml"
t0=$(date +%s.%N)
"$bin" ingest -c "$work/bench.toml" "$work/report.csv" | sed 's/^/  /'
t1=$(date +%s.%N)
rm -f "$work/report.csv"
psql "$conn dbname=ingest" -qc "vacuum analyze"
end=$(python3 -c "import datetime as d; print((d.datetime(2026,1,1,tzinfo=d.timezone.utc)+d.timedelta(minutes=15*$steps)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
"$bin" period declare -c "$work/bench.toml" --project IN-JP-0001 --name MR-1 --start 2026-01-01T00:00:00Z \
  --end "$end" | sed 's/^/  /'

t2=$(date +%s.%N)
status=0
/usr/bin/time -f "%M %U %S" -o "$work/rss" "$bin" report -c "$work/bench.toml" --project IN-JP-0001 --period MR-1 \
  --format xlsx -o "$work/MR-1.xlsx" 2>&1 | sed 's/^/  /' || status=$?
t3=$(date +%s.%N)
[ "$status" -eq 0 ] || [ "$status" -eq 3 ] || { echo "report failed ($status)"; exit 1; }
# The HTML page: one pass over the same dataset, a bounded chart per meter.
/usr/bin/time -f "%M %U %S" -o "$work/rss-html" "$bin" report -c "$work/bench.toml" --project IN-JP-0001 \
  --period MR-1 --format html -o "$work/MR-1.html" 2>/dev/null || true
t3h=$(date +%s.%N)
# The same report as JSON: what the database's part of the report costs, to tell it from the
# workbook's.
/usr/bin/time -f "%M %U %S" -o "$work/rss-json" "$bin" report -c "$work/bench.toml" --project IN-JP-0001 \
  --period MR-1 --format json -o "$work/MR-1.json" 2>/dev/null || true
t4=$(date +%s.%N)
rows=$(psql "$conn dbname=ingest" -Atc "select count(*) from jcm.readings")
size=$(stat -c %s "$work/MR-1.xlsx")
html_size=$(stat -c %s "$work/MR-1.html")
python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$rows" "$size" $(tail -1 "$work/rss") $(tail -1 "$work/rss-json") \
  "$t3h" "$html_size" $(tail -1 "$work/rss-html") <<'PY'
import sys
(t0, t1, t2, t3, t4, rows, size, rss_kb, user, sys_s, jrss_kb, juser, jsys,
 t3h, hsize, hrss_kb, huser, hsys) = map(float, sys.argv[1:])
print(f"ingest      : {t1 - t0:7.1f} s  {rows / (t1 - t0):10,.0f} rows/s")
print(f"report xlsx : {t3 - t2:7.1f} s  {rows / (t3 - t2):10,.0f} rows/s  (goal < 60 s)  peak RSS {rss_kb / 1024:.0f} MB"
      f" (goal < 300 MB)  CPU {user + sys_s:.1f} s  file {size / 1e6:.1f} MB")
print(f"report html : {t3h - t3:7.1f} s  {rows / (t3h - t3):10,.0f} rows/s  (goal < 60 s)  peak RSS {hrss_kb / 1024:.0f} MB"
      f" (goal < 300 MB)  CPU {huser + hsys:.1f} s  file {hsize / 1e6:.1f} MB")
print(f"report json : {t4 - t3h:7.1f} s  peak RSS {jrss_kb / 1024:.0f} MB  CPU {juser + jsys:.1f} s  (the same queries)")
PY
