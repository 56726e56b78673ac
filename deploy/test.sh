#!/usr/bin/env bash
# The whole test suite: unit tests and integration tests against a real PostgreSQL cluster the
# tests start themselves (initdb + pg_ctl in a temporary folder) and real HTTP servers on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh

swift build --build-tests
swift test --skip-build
