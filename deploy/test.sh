#!/usr/bin/env bash
# The whole test suite: unit tests and integration tests against a real PostgreSQL cluster the
# tests start themselves (initdb + pg_ctl in a temporary folder) and real HTTP servers on loopback,
# and the Debian package (a release build: the longest step on a 2-core machine).
set -euo pipefail
cd "$(dirname "$0")/.."
JCM_DEPS_TESTS=1 source deploy/deps.sh

swift build --build-tests
# The Debian package, from one release build, before the suite: PackageTests check it (and, as
# root, install it) without building again.
JCM_DEB=$(deploy/package-deb.sh | tail -1)
export JCM_DEB
swift test --skip-build
