#!/usr/bin/env bash
# Rebuild the built-in models from datasets/quotes.csv (rows with split=train), evaluate them
# on the held-out rows (split=test), and record the test figures in models/metrics.json.
# Same data, same settings, same seed: the same bytes (the training date comes from the
# dataset's last commit through SOURCE_DATE_EPOCH).
set -euo pipefail
cd "$(dirname "$0")/.."
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct -- datasets/quotes.csv 2>/dev/null || echo 0)}"
cargo build --release --quiet
S=target/release/stance
# The default model settings; chosen by 5-fold cross-validation on the train split (see
# models/README.md).
SETTINGS=(--model nblr --ngrams 1-2 --seed 42)
echo "{" > models/metrics.json.tmp
for task in stance sentiment; do
  "$S" train --data datasets/quotes.csv --label-column "$task" --split train "${SETTINGS[@]}" \
    -o "models/$task.model" --force
  "$S" evaluate --model "models/$task.model" --data datasets/quotes.csv --label-column "$task" --split test
  printf '  "%s": %s' "$task" "$("$S" evaluate --model "models/$task.model" --data datasets/quotes.csv \
    --label-column "$task" --split test --format json | tr -d '\n ')" >> models/metrics.json.tmp
  [ "$task" = stance ] && echo "," >> models/metrics.json.tmp
done
printf '\n}\n' >> models/metrics.json.tmp
mv models/metrics.json.tmp models/metrics.json
