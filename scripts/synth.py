#!/usr/bin/env python3
"""Synthetic labelled short texts for scaling benchmarks.

usage: synth.py --rows N [--seed S] [--doc-seed D] [--text-out FILE] [--stats-out FILE] -o OUT.csv

Writes a CSV (header text,label) of N texts of about 20 words each. The words are invented
and follow a Zipf-Mandelbrot law over a 50,000-word vocabulary, so a few short words are
very common and most words are rare, as in real text. Three labels (a, b, c) each have their
own set of topic words that replace a small share of the common draws, so a classifier can
learn something but cannot be perfect.

`--seed` fixes the vocabulary and the topic words (the "language"); `--doc-seed` (default
seed + 1) fixes the documents. A test set for the same language is another --doc-seed.

Every invented word ends in k, p, b or x and has no y, so no Snowball English rule changes
it and no stance analysis filter touches it: the terms stance sees are exactly the words
written here. `--stats-out` writes JSON with rows, words, bytes and the exact number of
distinct word 1-2-grams per text summed over texts (the non-zeros of the TF-IDF matrix).

Only the standard library is used; the output is the same on every run with the same
arguments.
"""

import argparse
import bisect
import csv
import json
import math
import random
import sys

VOCAB = 50_000
LABELS = ("a", "b", "c")
LABEL_SHARE = (0.40, 0.35, 0.25)
TOPIC_WORDS = 1_000
# Share of tokens drawn from the label's topic words rather than the common distribution.
TOPIC_RATE = 0.12
MEAN_LEN = 20
CONSONANTS = "bdfghjklmnprstvz"
VOWELS = "aeiou"
FINALS = "kpbx"


def invent_vocabulary(rng):
    """Invented words by frequency rank: frequent words get fewer syllables."""
    seen = set()
    words = []
    while len(words) < VOCAB:
        rank = len(words)
        syllables = 1 + min(3, int(math.log10(rank + 1) * 0.6))
        w = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(syllables))
        w += rng.choice(FINALS)
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def cumulative(weights):
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def draw(rng, cum):
    return bisect.bisect_left(cum, rng.random() * cum[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--doc-seed", type=int)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--text-out", help="also write the texts alone, one per line")
    ap.add_argument("--stats-out", help="write counts as JSON")
    a = ap.parse_args()
    if a.rows < 1:
        sys.exit("synth.py: --rows must be at least 1")

    lang = random.Random(a.seed)
    words = invent_vocabulary(lang)
    # Zipf-Mandelbrot: p(r) ~ 1 / (r + 2.7)^1.0, the usual fit for English word counts.
    common = cumulative([1.0 / (r + 2.7) for r in range(VOCAB)])
    # Topic words come from the middle of the frequency range (not function words, not
    # hapaxes), with their own Zipf law inside each topic.
    topics = [lang.sample(range(100, 20_000), TOPIC_WORDS) for _ in LABELS]
    topic_cum = cumulative([1.0 / (r + 1.0) for r in range(TOPIC_WORDS)])
    label_cum = cumulative(LABEL_SHARE)

    rng = random.Random(a.seed + 1 if a.doc_seed is None else a.doc_seed)
    rows = n_words = n_bytes = nnz = 0
    out = open(a.output, "w", newline="", encoding="utf-8")
    txt = open(a.text_out, "w", encoding="utf-8") if a.text_out else None
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["text", "label"])
    for _ in range(a.rows):
        y = draw(rng, label_cum)
        topic = topics[y]
        # Length: a rounded normal around MEAN_LEN, at least 4 words.
        n = max(4, int(round(rng.gauss(MEAN_LEN, 6))))
        toks = []
        for _ in range(n):
            if rng.random() < TOPIC_RATE:
                toks.append(words[topic[draw(rng, topic_cum)]])
            else:
                toks.append(words[draw(rng, common)])
        nnz += len(set(toks)) + len(set(zip(toks, toks[1:])))
        text = " ".join(toks)
        text = text[0].upper() + text[1:] + "."
        w.writerow([text, LABELS[y]])
        if txt:
            txt.write(text + "\n")
        rows += 1
        n_words += n
        n_bytes += len(text) + 1
    out.close()
    if txt:
        txt.close()
    if a.stats_out:
        with open(a.stats_out, "w", encoding="utf-8") as f:
            json.dump(
                {"rows": rows, "words": n_words, "text_bytes": n_bytes, "nnz": nnz, "seed": a.seed,
                 "doc_seed": a.seed + 1 if a.doc_seed is None else a.doc_seed},
                f,
            )
            f.write("\n")


if __name__ == "__main__":
    main()
