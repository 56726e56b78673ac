#!/usr/bin/env bash
# Installs what building, running and testing jcm-ingestd need on Debian: the libcurl and libpq
# headers, the PostgreSQL server (initdb, pg_ctl) for the embedded cluster and the tests, and the
# openssl tool (the TLS tests make a certificate and serve it with s_server), and nginx (the
# upload tests serve report folders with its autoindex), python3 (a hostile upload server in the
# tests) and util-linux's prlimit (the daemon under a descriptor limit in the tests). For the tests
# (test.sh sets JCM_DEPS_TESTS=1) also prometheus (promtool checks and unit-tests the alert rules)
# and what building and checking the Debian package needs: lintian, binutils (strip), systemd
# (systemd-sysusers in its postinst, systemd-analyze verify), and LibreOffice Calc (headless) with
# openpyxl, which read and recompute report's xlsx workbooks, XlsxWriter (an independent writer of
# the .xlsx report files the tests ingest), and headless Chromium with a font and Pillow, which load
# report's HTML page, screenshot it and check the picture.
# Sourced by demo.sh and test.sh; does nothing when everything is already there.
set -euo pipefail

need=()
packages=(libcurl4-openssl-dev libpq-dev postgresql pkg-config openssl nginx-light python3 util-linux)
# (libreoffice-calc-nogui: the tests recompute report's xlsx formulas with headless LibreOffice)
[ -z "${JCM_DEPS_TESTS:-}" ] || packages+=(prometheus lintian binutils systemd libreoffice-calc-nogui python3-openpyxl python3-xlsxwriter chromium fonts-dejavu-core python3-pil)
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The tests read the daemon's signed checkpoints with an independent reader
# (deploy/check_checkpoint.py), which needs the `cryptography` package from PyPI.
if ! python3 -c 'import cryptography' 2>/dev/null; then
  python3 -m pip --version >/dev/null 2>&1 || { sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends python3-pip >/dev/null; }
  python3 -m pip install --quiet --break-system-packages cryptography
fi
# The tests read report's xlsx workbooks with an independent reader (deploy/check_xlsx.py):
# `openpyxl` from PyPI.
if ! python3 -c 'import openpyxl' 2>/dev/null; then
  python3 -m pip --version >/dev/null 2>&1 || { sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq; DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends python3-pip >/dev/null; }
  python3 -m pip install --quiet --break-system-packages openpyxl
fi
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null || { echo "swift not found (expected on PATH or in /opt/swift/usr/bin)" >&2; exit 1; }
