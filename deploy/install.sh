#!/usr/bin/env bash
# Installs jcm-ingestd on a production host (Debian): the binary with its resources (the SQL
# migrations), the systemd unit, a starting configuration, the service user and its folders.
# Run from the repository as root: deploy/install.sh. Re-running upgrades the binary and unit and
# keeps an existing /etc/jcm-ingestd/config.toml.
#   deploy/install.sh --deb [FILE.deb]   installs the Debian package instead (built by
#   deploy/package-deb.sh when no file is given): /usr/bin, /lib/systemd/system, no Swift needed
#   on a host that gets only the .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
if [ "${1:-}" = "--deb" ]; then
  deb=${2:-}
  if [ -z "$deb" ]; then source deploy/deps.sh; deb=$(deploy/package-deb.sh | tail -1); fi
  # apt resolves the package's Depends (libcurl4, libpq5); a path must look like one to apt.
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$(realpath "$deb")"
  jcm-ingestd check-config --config /etc/jcm-ingestd/config.toml
  echo "installed $(jcm-ingestd --version); start with: systemctl enable --now jcm-ingestd"
  exit 0
fi
source deploy/deps.sh

# The same flags as deploy/package-deb.sh, so the two share one release build.
swift build -c release --product jcm-ingestd -Xswiftc -static-stdlib
bindir=$(swift build -c release --show-bin-path)

install -m 0755 "$bindir/jcm-ingestd" /usr/local/bin/jcm-ingestd
# Bundle.module finds the migrations beside the executable.
rm -rf /usr/local/bin/jcm-ingestd_JCMPostgres.resources
cp -r "$bindir/jcm-ingestd_JCMPostgres.resources" /usr/local/bin/

id jcm-ingestd >/dev/null 2>&1 || useradd --system --home-dir /var/lib/jcm-ingestd --shell /usr/sbin/nologin jcm-ingestd
install -d -m 0750 -o jcm-ingestd -g jcm-ingestd /var/lib/jcm-ingestd /var/lib/jcm-ingestd/incoming
install -d -m 0755 /etc/jcm-ingestd /usr/local/share/doc/jcm-ingestd
[ -e /etc/jcm-ingestd/config.toml ] || install -m 0640 -g jcm-ingestd config/jcm-ingestd.toml /etc/jcm-ingestd/config.toml
# The database password, if the server wants one, goes here (read by systemd, LoadCredential=).
[ -e /etc/jcm-ingestd/db-password ] || install -m 0600 /dev/null /etc/jcm-ingestd/db-password
install -m 0644 README.md docs/*.md /usr/local/share/doc/jcm-ingestd/
# Methodology definitions a project's `calculation` names (relative to the configuration).
install -d -m 0755 /etc/jcm-ingestd/methodologies
install -m 0644 config/methodologies/*.toml /etc/jcm-ingestd/methodologies/
install -m 0644 systemd/jcm-ingestd.service /etc/systemd/system/jcm-ingestd.service

/usr/local/bin/jcm-ingestd check-config --config /etc/jcm-ingestd/config.toml
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  echo "installed; start with: systemctl enable --now jcm-ingestd"
else
  echo "installed (systemd is not running here; the unit is in /etc/systemd/system)"
fi
