# Sourced by the report benchmarks: a private PostgreSQL cluster in a fresh temporary folder
# ($work), run as postgres when we are root, stopped and removed at exit; $conn reaches it.
# Usage: source bench/cluster.sh [extra server options]
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
work=$(mktemp -d /tmp/jcm-bench-XXXXXX)
chmod 755 "$work"
# JCM_BIN: another build to measure (a baseline's, built with its own --scratch-path .build-base
# and the same flags) with these same scripts; unset, this tree's release build, made now with
# the flags the package ships with (deploy/package-deb.sh: the Swift runtime linked in), so the
# figures are the shipped daemon's and the benchmarks share one release build with it.
bin=${JCM_BIN:-.build/release/jcm-ingestd}
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() { as_pg "$pgbin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

[ -n "${JCM_BIN:-}" ] || swift build -c release --product jcm-ingestd -Xswiftc -static-stdlib 2>&1 | tail -1

mkdir -p "$work/data" "$work/run" "$work/log"
[ "$(id -u)" -eq 0 ] && chown postgres "$work/data" "$work/run" "$work/log"
as_pg "$pgbin/initdb" -D "$work/data" -U bench --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/log/server.log" -o "-c listen_addresses='' -k $work/run $*" -w start >/dev/null
conn="host=$work/run user=bench"
