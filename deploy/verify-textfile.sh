#!/usr/bin/env bash
# Runs `jcm-ingestd verify` and writes its outcome for node_exporter's textfile collector, so
# the JcmVerifyFinding and JcmVerifyNotRun alerts (deploy/prometheus/jcm-ingestd.rules.yml) see
# it: jcm_verify_findings (lines that name something added, changed or deleted, or a chain that
# does not match) and jcm_verify_last_run_timestamp_seconds. Run it from a timer, as a role that
# can read schema jcm:
#   deploy/verify-textfile.sh /etc/jcm-ingestd/config.toml /var/lib/prometheus/node-exporter
set -uo pipefail
config=${1:-/etc/jcm-ingestd/config.toml}
dir=${2:-/var/lib/prometheus/node-exporter}
bin=${JCM_INGESTD:-jcm-ingestd}

out=$("$bin" verify --config "$config" 2>/dev/null)
rc=$?
case $rc in
  0) findings=0 ;;
  # Exit 1: one line per finding, then the "NOT INTACT: N findings" summary.
  1) findings=$(printf '%s\n' "$out" | sed -n 's/^NOT INTACT: \([0-9]*\) findings.*/\1/p') ;;
  *) echo "verify failed to run (exit $rc); nothing written" >&2; exit "$rc" ;;
esac
tmp="$dir/.jcm-verify.prom.$$"
cat > "$tmp" <<EOT
# HELP jcm_verify_findings Findings of the last jcm-ingestd verify (0: intact).
# TYPE jcm_verify_findings gauge
jcm_verify_findings ${findings:-1}
# HELP jcm_verify_last_run_timestamp_seconds Unix time the last jcm-ingestd verify finished.
# TYPE jcm_verify_last_run_timestamp_seconds gauge
jcm_verify_last_run_timestamp_seconds $(date +%s)
EOT
mv "$tmp" "$dir/jcm-verify.prom"
