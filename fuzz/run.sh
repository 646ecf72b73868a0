#!/usr/bin/env bash
# Fuzz one target for a while: fuzz/run.sh TARGET SECONDS [more libFuzzer flags]
# One process, one rayon thread (so a crash is reported with its input), a 10 s timeout
# per input (hangs) and a 1 GB memory cap (unbounded allocations). Under AddressSanitizer
# (256 MB quarantine, redzones) the analyzer and vectorizer targets sit flat at about 590 MB
# once their corpus is loaded (the per-thread analysis memos are bounded), so 512 MB was too
# tight to tell growth from overhead. Crashes land in
# fuzz/artifacts/TARGET/; the corpus grows in fuzz/corpus/TARGET/ (seeded by seed.sh).
set -euo pipefail
cd "$(dirname "$0")"
target=$1
secs=$2
shift 2
[ -d "corpus/$target" ] || ./seed.sh
export RAYON_NUM_THREADS=1
# cargo-fuzz passes nightly-only flags to rustc; this lets a stable toolchain accept them.
export RUSTC_BOOTSTRAP=1
exec cargo fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 "$@"
