#!/usr/bin/env bash
# What each change to the built-in models bought on labelled real news, one change at a
# time: the models before this work (from git), the new corpus with the old settings, then
# character 4-grams, actor marks (stance) and polarity terms (sentiment), calibration, and
# the stored class prior. Prints scripts/realnews.py's tables for each step.
#
#   scripts/realnews-ablation.sh [--data FILE]     (default ../shared/realnews/dev.csv)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=(); [ "${1:-}" = "--data" ] && DATA=(--data "$2")
cargo build --release --quiet
S=target/release/stance
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# The built-in models before the real-news corpus (the commit before it landed).
git show 3428f01:models/stance.model > "$T/old-stance.model"
git show 3428f01:models/sentiment.model > "$T/old-sentiment.model"
train() { # task, name, settings...
  local task=$1 name=$2; shift 2
  "$S" train --data datasets/quotes.csv --label-column "$task" --split train --seed 42 \
    "$@" -o "$T/$name-$task.model" --force 2>/dev/null
}
report() { # title, stance model, sentiment model, extra realnews.py args...
  echo "### $1"; echo
  python3 scripts/realnews.py "${DATA[@]}" --stance-model "$2" --sentiment-model "$3" "${@:4}"
  echo
}
report "before: the old built-in models" "$T/old-stance.model" "$T/old-sentiment.model"
train stance corpus; train sentiment corpus
report "corpus: the new rows, old settings (nblr, word 1-2-grams)" \
  "$T/corpus-stance.model" "$T/corpus-sentiment.model"
train stance char --char-ngrams 4-4; train sentiment char --char-ngrams 4-4
report "+ character 4-grams" "$T/char-stance.model" "$T/char-sentiment.model"
train stance feat --char-ngrams 4-4 --marks; train sentiment feat --char-ngrams 4-4 --polarity
report "+ actor marks (stance), polarity terms (sentiment)" \
  "$T/feat-stance.model" "$T/feat-sentiment.model"
train stance cal --char-ngrams 4-4 --marks --calibrate
train sentiment cal --char-ngrams 4-4 --polarity --calibrate
report "+ calibration (prior: training shares)" "$T/cal-stance.model" "$T/cal-sentiment.model" \
  --prior train --sentiment-prior train
report "+ the stored prior: the built-in models as shipped" models/stance.model models/sentiment.model
