#!/bin/bash
# Runs every fuzz target for SECONDS (default 600) two at a time, corpora in fuzz/corpus/TARGET,
# crashes in fuzz/artifacts/TARGET, logs in fuzz/logs/TARGET.log; prints each target's
# executions. Needs `cargo install cargo-fuzz` and a nightly toolchain; run make-seeds.sh first.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
mkdir -p logs
run() {
    local target=$1 max_len=$2
    mkdir -p "corpus/$target" "artifacts/$target"
    cargo +nightly fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=3072 -timeout=30 -max_len="$max_len" \
        -print_final_stats=1 -artifact_prefix="artifacts/$target/" > "logs/$target.log" 2>&1
    echo "$target: exit $?, $(grep -o 'number_of_executed_units: [0-9]*' "logs/$target.log")"
}
cargo +nightly fuzz build -O
for pair in ooxml:1048576,ole:1048576 rtf:1048576,delimited:262144 ntfs:1200000,carver:1048576 \
    partitions:262144,prefetch:262144 evtx:1048576,hive:1048576; do
    a=${pair%%,*}; b=${pair##*,}
    run "${a%%:*}" "${a##*:}" & run "${b%%:*}" "${b##*:}" & wait
done
