#!/usr/bin/env bash
# Fuzzes the decoders that read untrusted bytes (JSON, report JSON and CSV, Prometheus text,
# TOML and the configuration reader, the JSON meter mapping) with libFuzzer for SECONDS.
#
#   bench/fuzz.sh [SECONDS] [extra libFuzzer flags...]     (default 60 s)
#
# Builds .build/fuzz/jcm-fuzz from JCMCore's sources and bench/fuzz/FuzzDecoders.swift with
# `swiftc -sanitize=fuzzer,address` (libFuzzer ships with the Swift toolchain for Linux), runs it
# on the seeds in bench/fuzz/seeds plus what earlier runs found (.build/fuzz/corpus), and prints
# libFuzzer's summary: inputs run, and any crash with the input saved as .build/fuzz/crash-*.
# Exit 0: no crash; non-zero: libFuzzer found one (replay: .build/fuzz/jcm-fuzz FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
out=.build/fuzz
mkdir -p "$out/corpus"

# JCMCore without its ledger (it needs swift-crypto, and no decoder uses it).
mapfile -t sources < <(find Sources/JCMCore -name '*.swift' ! -path '*/Ledger/*' | sort)
if [[ ! -x "$out/jcm-fuzz" ]] || [[ -n "$(find Sources/JCMCore bench/fuzz -newer "$out/jcm-fuzz" -name '*.swift')" ]]; then
    echo "building $out/jcm-fuzz (${#sources[@]} files)..." >&2
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name JCMCore \
        "${sources[@]}" bench/fuzz/FuzzDecoders.swift -o "$out/jcm-fuzz"
fi

# -rss_limit_mb: ASan's shadow memory plus a 1 MiB input stays far below it; a decoder that
# blows up on a small input is a finding.
exec "$out/jcm-fuzz" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
    -artifact_prefix="$out/" -print_final_stats=1 "$@" "$out/corpus" bench/fuzz/seeds
