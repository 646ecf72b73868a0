#!/usr/bin/env python3
"""How far the built-in models' recipe can go on labelled real news quotes.

Two ceilings, both measured on a CSV with `text,stance,sentiment,slice` (by default
`../shared/realnews/dev.csv` beside a clone, which is not in the repository):

1. **Best prior.** The models' probabilities under their training shares, re-weighted by
   every class prior on a grid of 0.01 steps, and the best prior chosen *on the answers*:
   for stance the largest lower of threat and offer recall on the `conflict` slice with at
   most 8% false alarms over all quotes, for sentiment the best macro-F1. No prior a user
   could pick does better on this sample.
2. **Real quotes in training.** Five-fold cross-validation over the real quotes: each fold
   trains the built-in recipe on the corpus's train split plus the other four folds
   (repeated `--repeat` times), and predicts its own; near-duplicate quotes (word-set
   Jaccard >= 0.5) stay in one fold. The pooled predictions then get the best prior as in 1.
   This says what labelled real quotes of the same kind would buy. Nothing of them is
   written anywhere but a temporary directory.

    scripts/realnews-ceiling.py [--data FILE] [--repeat N] [--bin PATH]
"""
import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from realnews import DEFAULT_DATA, ROOT, macro_f1, read_rows  # noqa: E402 (after the path)
LABELS = {
    "stance": ["conciliatory", "neutral", "threatening"],
    "sentiment": ["negative", "neutral", "positive"],
}
# The built-in recipe (scripts/train-defaults.sh) without the stored prior: the prior is
# what part 1 searches.
RECIPE = ["--model", "nblr", "--ngrams", "1-2", "--char-ngrams", "4-4", "--calibrate",
          "--seed", "42"]
EXTRA = {"stance": ["--marks"], "sentiment": ["--polarity"]}


def probabilities(binary, model, texts, task=None):
    """Each text's probabilities under the model's training shares, in LABELS order."""
    cmd = [binary, "predict", "--format", "jsonl", "--prior", "train"]
    cmd += ["--model", model] if model else ["--task", task]
    out = subprocess.run(cmd, input="".join(t.replace("\n", " ") + "\n" for t in texts),
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return [json.loads(line)["probabilities"] for line in out]


def best_prior(task, probs, rows):
    """The grid prior that does best on the answers, and its figures."""
    labels = LABELS[task]
    gold = [labels.index(r[task]) for r in rows]
    p = [[q[l] for l in labels] for q in probs]
    everything = range(len(rows))
    conflict = [i for i, r in enumerate(rows) if r["slice"] == "conflict"]
    neutral = [i for i in everything if gold[i] == 1]
    best = None
    for a in range(1, 99):
        for c in range(1, 99 - a):
            w = (a / 100, (100 - a - c) / 100, c / 100)
            pred = [max(range(3), key=lambda k: p[i][k] * w[k]) for i in everything]
            if task == "sentiment":
                key = (macro_f1(gold, pred, range(3)),)
                figures = {"macro-F1": key[0]}
            else:
                fa = sum(pred[i] != 1 for i in neutral) / len(neutral)
                if fa > 0.08:
                    continue
                rec = [sum(1 for i in conflict if gold[i] == k and pred[i] == k)
                       / max(1, sum(1 for i in conflict if gold[i] == k)) for k in (2, 0)]
                f1 = macro_f1([gold[i] for i in conflict], [pred[i] for i in conflict],
                              range(3))
                key = (min(rec), f1)
                figures = {"threat R": rec[0], "offer R": rec[1], "conflict F1": f1,
                           "false alarms": fa}
            if best is None or key > best[0]:
                best = (key, figures, dict(zip(labels, w)))
    return best[1], best[2]


def folds_of(rows, k=5, seed=7):
    """k folds, near-duplicates (word-set Jaccard >= 0.5) kept together."""
    words = [set(re.findall(r"[a-z']+", r["text"].lower())) for r in rows]
    parent = list(range(len(rows)))

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in range(len(rows)):
        for j in range(i):
            if words[i] and words[j] and \
                    len(words[i] & words[j]) / len(words[i] | words[j]) >= 0.5:
                parent[root(i)] = root(j)
    groups = {}
    for i in range(len(rows)):
        groups.setdefault(root(i), []).append(i)
    groups = list(groups.values())
    random.Random(seed).shuffle(groups)
    return [[i for g in groups[f::k] for i in g] for f in range(k)]


def cross_validated(binary, task, rows, repeat, tmp):
    """Pooled out-of-fold probabilities of the recipe trained with the other folds' quotes."""
    with open(os.path.join(ROOT, "datasets", "quotes.csv"), newline="", encoding="utf-8") as f:
        corpus = [r for r in csv.DictReader(f) if r["split"] == "train"]
    probs = [None] * len(rows)
    for fold in folds_of(rows):
        held = set(fold)
        data, model = os.path.join(tmp, "train.csv"), os.path.join(tmp, "fold.model")
        with open(data, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["text", task])
            w.writerows([r["text"], r[task]] for r in corpus)
            for i, r in enumerate(rows):
                if i not in held:
                    w.writerows([[r["text"].replace("\n", " "), r[task]]] * repeat)
        done = subprocess.run([binary, "train", "--data", data, "--label-column", task,
                               "-o", model, "--force", "--quiet"] + RECIPE + EXTRA[task],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"training a fold failed:\n{done.stderr}")
        for i, p in zip(fold, probabilities(binary, model, [rows[i]["text"] for i in fold])):
            probs[i] = p
    return probs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=3, help="copies of each real training quote")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "stance"))
    a = ap.parse_args()
    rows = read_rows(a.data, a.bin)
    print("| task | models | figures at the best prior (chosen on the answers) | that prior |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for task in ("stance", "sentiment"):
            runs = [("built-in", probabilities(a.bin, None, [r["text"] for r in rows], task)),
                    (f"+ real quotes in training (5-fold, x{a.repeat})",
                     cross_validated(a.bin, task, rows, a.repeat, tmp))]
            for name, probs in runs:
                figures, prior = best_prior(task, probs, rows)
                shown = ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
                weights = ", ".join(f"{k}={v:.2f}" for k, v in prior.items())
                print(f"| {task} | {name} | {shown} | {weights} |")


if __name__ == "__main__":
    main()
