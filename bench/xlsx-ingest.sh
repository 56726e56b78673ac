#!/usr/bin/env bash
# Benchmark of .xlsx report files (issue: the verifier's deliverables, xlsx input). Generates a
# report of METERS x STEPS readings (default 1,000 x 1,000 = 1,000,000 rows) as CSV and as an
# .xlsx twin (openpyxl, date cells), then `jcm-ingestd ingest`s each into a fresh database and
# prints wall time, rows/s and peak RSS (target: the 1M-row sheet under 200 MB, streamed).
# Usage: bench/xlsx-ingest.sh [METERS] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
JCM_DEPS_TESTS=1 source deploy/deps.sh
meters=${1:-1000}
steps=${2:-1000}
source bench/cluster.sh -c max_wal_size=4GB
psql "$conn dbname=postgres" -qc "create database csv" -c "create database xlsx"

echo "generating $((meters * steps)) readings ($meters meters x $steps timestamps)"
python3 bench/gen_report.py "$meters" "$steps" "$work/report.csv" "$work/csv.toml" "$conn dbname=csv"
sed "s/dbname=csv/dbname=xlsx/" "$work/csv.toml" >"$work/xlsx.toml"
/usr/bin/python3 bench/xlsx_from_csv.py "$work/report.csv" "$work/report.xlsx"
ls -l "$work/report.csv" "$work/report.xlsx" | awk '{printf "%s: %.1f MB\n", $9, $5/1048576}'
"$bin" migrate -c "$work/csv.toml" >/dev/null
"$bin" migrate -c "$work/xlsx.toml" >/dev/null
sync

run() {  # name config file
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M %U %S" -o "$work/rss" "$bin" ingest -c "$2" --timezone UTC "$3" | sed 's/^/  /'
  t1=$(date +%s.%N)
  rows=$(psql "$conn dbname=$1" -Atc "select count(*) from jcm.readings")
  python3 - "$1" "$t0" "$t1" "$rows" $(cat "$work/rss") <<'PY'
import sys
name = sys.argv[1]
t0, t1, rows, rss_kb, user, sys_s = map(float, sys.argv[2:])
s = t1 - t0
print(f"{name:5}: {s:7.2f} s  {rows/s:10,.0f} rows/s  rows={int(rows):,}  peak RSS {rss_kb/1024:.0f} MB  CPU {user + sys_s:.1f} s")
PY
}
run csv "$work/csv.toml" "$work/report.csv"
run xlsx "$work/xlsx.toml" "$work/report.xlsx"
# A spreadsheet number has no trailing zeros (1000.500 is 1000.5), so values compare by amount.
same="select md5(string_agg(meter_id||ts||trim_scale(value)||unit||status, ',' order by meter_id, ts)) from jcm.readings_view"
a=$(psql "$conn dbname=csv" -Atc "$same")
b=$(psql "$conn dbname=xlsx" -Atc "$same")
[ "$a" = "$b" ] && echo "same readings in both databases ($a)" || { echo "the databases differ: $a vs $b"; exit 1; }
