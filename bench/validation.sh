#!/usr/bin/env bash
# Microbenchmark of the validator against the monitoring plan: 1,000,000 readings of 1,000
# meters with every rule on, on one core (target: at least 1,000,000 readings/s). Pinned to one
# CPU; five rounds, the median quoted. Usage: bench/validation.sh [READINGS] [METERS]
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh
swift build -c release --product validation-bench -Xswiftc -static-stdlib 2>&1 | tail -1  # one release build with the daemon's
taskset -c "$(( $(nproc) - 1 ))" .build/release/validation-bench "${1:-1000000}" "${2:-1000}"
