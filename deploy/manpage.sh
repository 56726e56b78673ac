#!/usr/bin/env bash
# Writes jcm-ingestd(1) in roff from the command's own help: the overview, then each command's
# --help. (argument-parser's generate-manual plugin needs a sandboxed plugin build; the help
# text is the same source.) Usage: deploy/manpage.sh BINARY VERSION > jcm-ingestd.1
set -euo pipefail
bin=$1
version=$2
esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/"; }
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}" +%Y-%m-%d)
cat <<EOT
.TH JCM-INGESTD 1 "$date" "jcm-ingestd $version" "User Commands"
.SH NAME
jcm-ingestd \\- collect JCM project monitoring data into PostgreSQL
.SH SYNOPSIS
.B jcm-ingestd
.I command
.RI [ options ]
.SH DESCRIPTION
.nf
EOT
"$bin" --help | esc
echo ".fi"
for cmd in run check-config migrate ingest verify key status period report simulate; do
  echo ".SH COMMAND: ${cmd^^}"
  echo ".nf"
  "$bin" help "$cmd" | esc
  echo ".fi"
done
cat <<EOT
.SH FILES
.TP
.I /etc/jcm-ingestd/config.toml
The configuration (every key documented in it).
.TP
.I /var/lib/jcm-ingestd
State: the embedded database, the spool, the ledger's signing key.
.TP
.I /usr/share/jcm-ingestd
roles.sql, methodologies, Grafana provisioning and dashboard, Prometheus alert rules.
.SH SEE ALSO
/usr/share/doc/jcm-ingestd/README.md, operations.md, configuration.md, schema.md
EOT
