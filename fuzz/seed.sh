#!/usr/bin/env bash
# Build the starting corpora under fuzz/corpus/ from the repository's fixtures.
# Needs a built binary: `cargo build --release` at the root first.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/stance
c=fuzz/corpus
mkdir -p "$c"/{analyzer,vectorizer,labelled,table,lines,model,pipeline,quotes}

csvs=(tests/fixtures/*.csv tests/bad-input/*.csv)
i=0
for f in "${csvs[@]}"; do
    i=$((i + 1))
    # Each target reads its settings from the first bytes, then the payload.
    { printf '\x00'; cat "$f"; } >"$c/labelled/csv$i"
    { printf '\x01'; cat "$f"; } >"$c/labelled/jsonl-named$i"
    { printf '\x0c'; cat "$f"; } >"$c/labelled/lossy-skip$i"
    { printf '\x00'; cat "$f"; } >"$c/table/csv$i"
    { printf '\x00'; cat "$f"; } >"$c/lines/plain$i"
    { printf '\x02'; cat "$f"; } >"$c/lines/short$i"
    { printf '\x3f\x03'; cat "$f"; } >"$c/analyzer/en$i"
    { printf '\x00\x12'; cat "$f"; } >"$c/analyzer/raw$i"
    { printf '\x2f\x03\x00\x03'; cat "$f"; } >"$c/vectorizer/words$i"
    { printf '\x0f\x00\x25\x12'; cat "$f"; } >"$c/vectorizer/chars$i"
    { printf '\x2f\x03\x00\x03\x0%d' $((i % 5)); cat "$f"; } >"$c/pipeline/p$i"
done
printf '\x01{"text":"we will respond","label":"threat","split":"train"}\n{"text":"talks","label":1}\n' >"$c/labelled/jsonl"
printf '\x3f\x03We won'\''t back down; Russia\xe2\x80\x99s army can'\''t, cannot. 1,200 troops \xf0\x9f\x98\x8a \xe5\x81\x9c\xe7\x81\xab' >"$c/analyzer/contractions"

for f in tests/fixtures/articles/*.txt tests/bad-input/articles*/*.txt; do
    i=$((i + 1))
    { printf '\x00'; cat "$f"; } >"$c/quotes/article$i"
    { printf '\x03'; cat "$f"; } >"$c/quotes/scare-short$i"
done
printf '\x01%s' "$(printf '"%.0s' $(seq 1 300))" >"$c/quotes/marks"
printf '\x01He said "never closed\n\n\xe2\x80\x9cOpen\n\xe2\x80\x9cAgain,\xe2\x80\x9d she said. \x27Single\x27 rock \xe2\x80\x99n\xe2\x80\x99 roll' >"$c/quotes/unbalanced"

# Small models of every kind and setting family, without their checksum: the model
# target appends a valid one so mutations reach the parser behind it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for args in "--model nb" "--model cnb" "--model svm" "--model logreg --nbsvm" \
    "--char-ngrams 2-4 --model nb" "--language none --no-negation --stop-words" \
    "--ngrams 1-3 --min-df 2 --max-features 20 --model nb" "--language french --no-sublinear-tf --model nb"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    "$bin" train --data tests/fixtures/tiny.csv $args -o "$tmp/m$n.model" 2>/dev/null
    head -c -32 "$tmp/m$n.model" >"$c/model/m$n"
done
cp tests/bad-input/*.model "$c/model/"
echo "corpora in $c: $(find "$c" -type f | wc -l) files"
