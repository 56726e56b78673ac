#!/usr/bin/env bash
# Benchmark of polling at fleet scale (issue: meter polling at fleet scale). METERS simulated
# meters on loopback, each polled every second for SECONDS, every reading written to PostgreSQL;
# then the same endpoints through collectd's curl_json plugin and its postgresql writer. For
# each it prints polls per second sustained, missed intervals, CPU seconds per 1,000 polls,
# peak RSS and the median lag between a poll and its row being visible in PostgreSQL.
# Usage: bench/poll-fleet.sh [METERS] [SECONDS] [jcm|collectd|both]   (PERF=1: profile the daemon;
# ENDPOINTS=simulate: the meters are `jcm-ingestd simulate` on Hummingbird instead of nginx)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh
meters=${1:-10000}
seconds=${2:-60}
which=${3:-both}
warmup=10
source bench/cluster.sh -c max_connections=50 -c shared_buffers=512MB -c max_wal_size=4GB
python3 -c 'import psycopg2' 2>/dev/null || true
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop_all; kill "${sim:-}" 2>/dev/null || true; cleanup' EXIT
psql "$conn dbname=postgres" -qc "create database jcm" -c "create database collectd" >/dev/null

# Endpoints: nginx on 16 loopback addresses (gateways on many hosts), answering every meter's
# GET with a counter and a time that advance (its clock in ms), so every poll is a new reading.
# nginx stays the default so that the figures compare with earlier runs. The hand-written
# simulator topped out near 6,700 requests/s; on Hummingbird (ENDPOINTS=simulate) it served
# 10,000 meters' 7,900 polls/s with 0.36 CPU-s per second on a shared 2-core machine, where the
# daemon with PostgreSQL, not the endpoints, was the limit (nginx in the same conditions: 8,500).
hosts=16  # the configurations below spread meters over 127.0.0.1-16 too
mkdir -p "$work/nginx/logs"
{
  echo "worker_processes 1; daemon off; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;"
  echo "events { worker_connections 8192; }"
  echo "http { access_log off; keepalive_requests 10000000; keepalive_timeout 300s; server {"
  for h in $(seq 1 $hosts); do echo "  listen 127.0.0.$h:9107;"; done
  echo '  location ~ ^/meters/(\d+)$ { default_type application/json; return 200 '"'"'{"meter":"$1","ts":$msec,"energy":{"total_wh":$msec}}'"'"'; }'
  echo "} }"
} >"$work/nginx/nginx.conf"
if [ "${ENDPOINTS:-nginx}" = simulate ]; then
  # 0.0.0.0 answers on every 127.0.0.H the configurations spread the meters over.
  "$bin" simulate --meters "$meters" --listen 0.0.0.0:9107 >"$work/simulate.log" 2>&1 &
else
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
fi
sim=$!
until curl -sf 127.0.0.1:9107/meters/1 >/dev/null; do sleep 0.1; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU ticks by thread name, to see which part of a process spends them; threads_delta prints
# the seconds between two snapshots.
threads() { for t in /proc/"$1"/task/*; do echo "$(cat "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done; }
threads_delta() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == FNR {before[$1] += $2; next} {after[$1] += $2}
    END {for (n in after) if (after[n] > before[n]) printf "%s %.2f s  ", n, (after[n] - before[n]) / hz; print ""}' <(echo "$1") <(echo "$2")
}
# The others on the machine during a run: the simulator and every PostgreSQL process.
others() { echo "$(for p in $(pgrep nginx) $(pgrep -f "jcm-ingestd simulate"); do cpu_ticks "$p"; done | awk '{s += $1} END {print s + 0}') $(for p in $(pgrep -u postgres); do cpu_ticks "$p" 2>/dev/null; done | awk '{s += $1} END {print s + 0}')"; }
others_report() {  # before, after (pairs of ticks)
  read -r s0 p0 <<<"$1"; read -r s1 p1 <<<"$2"
  echo "          meanwhile: ${ENDPOINTS:-nginx} $(echo "($s1 - $s0) / $hz" | bc -l | xargs printf %.1f) CPU-s, PostgreSQL $(echo "($p1 - $p0) / $hz" | bc -l | xargs printf %.1f) CPU-s"
}
peak_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

# Samples, every 50 ms in one session, the newest row id visible and the time: a row's lag is
# the first sample that sees it, minus the time it was polled.
sample() {  # table, duration in s
  python3 - "$1" "$2" <<'PY' | psql "$conn dbname=$db" -qAt -F, | grep , >"$work/samples.csv"
import sys
table, secs = sys.argv[1], float(sys.argv[2])
for _ in range(int(secs / 0.05)):
    print(f"select extract(epoch from clock_timestamp()), coalesce(max(id), 0) from {table}; select pg_sleep(0.05);")
PY
}

report() {  # name, polls, window seconds, cpu seconds, peak kB, missed, lag
  python3 - "$@" <<'PY'
import sys
name, polls, secs, cpu, kb, missed, lag = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7]
if not polls:
    print(f"{name}: no polls written"); sys.exit()
print(f"{name:11} {polls/secs:8,.0f} polls/s  missed intervals {missed:>6}  {cpu/polls*1000:.4f} CPU-s/1000 polls  "
      f"peak RSS {kb/1024:6.1f} MB  median lag {float(lag):.3f} s  ({polls:.0f} polls in {secs:.1f} s)")
PY
}

hz=$(getconf CLK_TCK)

run_jcm() {
  db=jcm
  python3 bench/fleet_config.py "$meters" "$work/jcm.toml" "$conn dbname=jcm" "$work/state" "$hosts"
  "$bin" run -c "$work/jcm.toml" 2>"$work/jcm.log" &
  local pid=$!
  pids+=("$pid")
  until curl -sf 127.0.0.1:9467/healthz >/dev/null; do sleep 0.2; done
  sleep "$warmup"
  local c0 t0 c1
  c0=$(cpu_ticks "$pid")
  local o0 th0
  o0=$(others)
  th0=$(threads "$pid")
  t0=$(psql "$conn dbname=jcm" -Atc "select clock_timestamp()")
  # PERF=1: where the daemon spends its CPU, in /tmp/poll-fleet.perf (perf report -i ...);
  # PERF=all: the whole machine's (PostgreSQL's backend and the meters' server too).
  case "${PERF:-}" in
    '') ;;
    all) perf record -q -F 299 -g -a -o /tmp/poll-fleet.perf -- sleep "$seconds" 2>/dev/null & ;;
    *) perf record -q -F 299 -g -p "$pid" -o /tmp/poll-fleet.perf -- sleep "$seconds" 2>/dev/null & ;;
  esac
  sample jcm.batches "$seconds"
  c1=$(cpu_ticks "$pid")
  others_report "$o0" "$(others)"
  echo "          daemon threads: $(threads_delta "$th0" "$(threads "$pid")")"
  local kb
  kb=$(peak_kb "$pid")
  stop_all
  psql "$conn dbname=jcm" -qc "create table samples (at float8, id bigint)" -c "\copy samples from '$work/samples.csv' csv" \
    -c "create index on samples (id, at)"
  local t1
  t1=$(psql "$conn dbname=jcm" -Atc "select to_timestamp(max(at)) from samples")
  read -r polls window missed lag < <(psql "$conn dbname=jcm" -At -F' ' <<SQL
with w as (select '$t0'::timestamptz as t0, '$t1'::timestamptz as t1),
polls as (select b.id, b.received_at from jcm.batches b, w where b.kind = 'poll' and b.http_status = 200 and b.received_at >= w.t0 and b.received_at < w.t1),
inside as (select r.meter, r.ts from jcm.readings r, w where r.ts >= w.t0 and r.ts < w.t1),
gaps as (select ts - lag(ts, 1, w.t0) over (partition by meter order by ts) as gap from inside, w
         union all select w.t1 - max(ts) from inside, w group by meter, w.t1)
select (select count(*) from polls), (select extract(epoch from t1 - t0) from w),
       (select coalesce(sum(greatest(round(extract(epoch from gap)) - 1, 0)), 0)::bigint from gaps where gap > interval '1.5 s')
         + ($meters - (select count(distinct meter) from inside)) * (select round(extract(epoch from t1 - t0)) from w)::bigint,
       (select percentile_cont(0.5) within group (order by (select s.at from samples s where s.id >= p.id order by s.id, s.at limit 1) - extract(epoch from p.received_at)) from polls p)
SQL
  )
  report jcm-ingestd "$polls" "$window" "$(echo "($c1 - $c0) / $hz" | bc -l)" "$kb" "$missed" "$lag"
  cp "$work/jcm.log" /tmp/poll-fleet-jcm.log
  echo "          $(grep -c . "$work/jcm.log") log lines (warnings and above) kept in /tmp/poll-fleet-jcm.log"
}

run_collectd() {
  db=collectd
  command -v collectd >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends collectd-core libyajl2 >/dev/null
  psql "$conn dbname=collectd" -qc "create table collectd_values (id bigserial primary key, ts timestamptz not null, host text,
    plugin_instance text, type text, type_instance text, value float8)" \
    -c "create function collectd_insert(timestamptz, text, text, text, text, text, text[], text[], float8[]) returns void language sql
        as 'insert into collectd_values (ts, host, plugin_instance, type, type_instance, value) values (\$1, \$2, \$4, \$5, \$6, \$9[1])'"
  python3 - "$meters" "$work/collectd.conf" "$work/run" "$work" <<'PY'
import sys
meters, path, sock, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
with open(path, "w") as c:
    # ReadThreads: curl_json fetches each URL with a blocking transfer in a read thread.
    c.write(f'Hostname "bench"\nFQDNLookup false\nBaseDir "{work}"\nPIDFile "{work}/collectd.pid"\nTypesDB "/usr/share/collectd/types.db"\n'
            'Interval 1\nReadThreads 64\nWriteThreads 4\n\n'
            f'LoadPlugin logfile\n<Plugin logfile>\n  LogLevel warning\n  File "{work}/collectd.log"\n</Plugin>\n'
            'LoadPlugin curl_json\nLoadPlugin postgresql\n\n<Plugin curl_json>\n')
    for m in range(1, meters + 1):
        c.write(f'  <URL "http://127.0.0.{m % 16 + 1}:9107/meters/{m}">\n    Instance "SIM-{m:05d}"\n    Timeout 1000\n'
                '    <Key "energy/total_wh">\n      Type "gauge"\n    </Key>\n  </URL>\n')
    c.write('</Plugin>\n\n<Plugin postgresql>\n  <Writer sqlstore>\n'
            '    Statement "SELECT collectd_insert($1, $2, $3, $4, $5, $6, $7, $8, $9);"\n    StoreRates false\n  </Writer>\n'
            f'  <Database collectd>\n    Host "{sock}"\n    User "bench"\n    Writer sqlstore\n    CommitInterval 1\n  </Database>\n</Plugin>\n')
PY
  # Each URL keeps its own connection: as many open files as the hard limit allows.
  (ulimit -n "$(ulimit -Hn)"; exec collectd -f -C "$work/collectd.conf" 2>>"$work/collectd.log") &
  local pid=$!
  pids+=("$pid")
  sleep "$warmup"
  local c0 t0 c1 kb t1
  c0=$(cpu_ticks "$pid")
  local o0
  o0=$(others)
  t0=$(psql "$conn dbname=collectd" -Atc "select clock_timestamp()")
  sample collectd_values "$seconds"
  c1=$(cpu_ticks "$pid")
  others_report "$o0" "$(others)"
  kb=$(peak_kb "$pid")
  stop_all
  psql "$conn dbname=collectd" -qc "create table samples (at float8, id bigint)" -c "\copy samples from '$work/samples.csv' csv" \
    -c "create index on samples (id, at)"
  t1=$(psql "$conn dbname=collectd" -Atc "select to_timestamp(max(at)) from samples")
  read -r polls window missed lag < <(psql "$conn dbname=collectd" -At -F' ' <<SQL
with w as (select '$t0'::timestamptz as t0, '$t1'::timestamptz as t1),
polls as (select v.id, v.ts, v.plugin_instance from collectd_values v, w where v.ts >= w.t0 and v.ts < w.t1),
gaps as (select ts - lag(ts, 1, w.t0) over (partition by plugin_instance order by ts) as gap from polls, w
         union all select w.t1 - max(ts) from polls, w group by plugin_instance, w.t1)
select (select count(*) from polls), (select extract(epoch from t1 - t0) from w),
       (select coalesce(sum(greatest(round(extract(epoch from gap)) - 1, 0)), 0)::bigint from gaps where gap > interval '1.5 s')
         + ($meters - (select count(distinct plugin_instance) from polls)) * (select round(extract(epoch from t1 - t0)) from w)::bigint,
       (select percentile_cont(0.5) within group (order by (select s.at from samples s where s.id >= p.id order by s.id, s.at limit 1) - extract(epoch from p.ts)) from polls p)
SQL
  )
  report collectd "$polls" "$window" "$(echo "($c1 - $c0) / $hz" | bc -l)" "$kb" "$missed" "$lag"
  cp "$work/collectd.log" /tmp/poll-fleet-collectd.log 2>/dev/null || true
  echo "          $(grep -c . /tmp/poll-fleet-collectd.log 2>/dev/null || echo 0) log lines (warnings and above) kept in /tmp/poll-fleet-collectd.log"
}

[ "$which" = collectd ] || run_jcm
[ "$which" = jcm ] || run_collectd
