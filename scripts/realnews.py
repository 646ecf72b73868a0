#!/usr/bin/env python3
"""The built-in (or given) models on labelled real news quotes, per slice.

Reads a CSV with `text,stance,sentiment,slice` (the project measures on a set of real news
quotes that is not in the repository: `../shared/realnews/dev.csv` beside a clone), runs
`stance evaluate` on each slice for both tasks, and prints one markdown table per task:
macro-F1, per-class precision and recall, the false-alarm rate (neutral quotes given another
stance), and expected calibration error. With VADER installed (`pip install vadersentiment`)
the sentiment table has VADER's macro-F1 beside the model's (compound >= 0.05 positive,
<= -0.05 negative, else neutral: its authors' thresholds).

    scripts/realnews.py [--data FILE] [--stance-model M] [--sentiment-model M]
                        [--prior P] [--sentiment-prior P] [--bin PATH]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(ROOT, "..", "shared", "realnews", "dev.csv")


def evaluate(binary, path, task, model, prior):
    cmd = [binary, "evaluate", "--data", path, "--label-column", task, "--format", "json",
           "--prior", prior]
    cmd += ["--model", model] if model else ["--task", task]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def read_rows(data, binary):
    """The labelled quotes of `data`, once it and the built binary are there (else exits)."""
    if not os.path.exists(data):
        sys.exit(f"{data}: no such file; give --data a CSV with text,stance,sentiment,slice")
    if not os.path.exists(binary):
        sys.exit(f"{binary}: build it first (cargo build --release)")
    with open(data, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def macro_f1(gold, pred, labels):
    """Macro-F1 of the predicted labels `pred` against `gold` over `labels`."""
    f1s = []
    for l in labels:
        tp = sum(p == l and g == l for p, g in zip(pred, gold))
        wrong = sum((p == l) != (g == l) for p, g in zip(pred, gold))
        f1s.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
    return sum(f1s) / len(f1s)


def vader_macro_f1(rows):
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    sia = SentimentIntensityAnalyzer()
    labels = ["negative", "neutral", "positive"]
    pred = []
    for r in rows:
        c = sia.polarity_scores(r["text"])["compound"]
        pred.append("positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral")
    return macro_f1([r["sentiment"] for r in rows], pred, labels)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--stance-model")
    ap.add_argument("--sentiment-model")
    ap.add_argument("--prior", default="model", help="stance model's prior (see --help of evaluate)")
    ap.add_argument("--sentiment-prior", default="model")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "stance"))
    a = ap.parse_args()
    rows = read_rows(a.data, a.bin)
    slices = sorted({r["slice"] for r in rows})
    groups = [(s, [r for r in rows if r["slice"] == s]) for s in slices] + [("all", rows)]
    tmp = tempfile.mkdtemp()
    tables = {"stance": [], "sentiment": []}
    for name, part in groups:
        path = os.path.join(tmp, f"{name}.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["text", "stance", "sentiment"], extrasaction="ignore")
            w.writeheader()
            w.writerows(part)
        for task, model, prior in (("stance", a.stance_model, a.prior),
                                   ("sentiment", a.sentiment_model, a.sentiment_prior)):
            e = evaluate(a.bin, path, task, model, prior)
            pc = e["per_class"]
            cells = [name, str(len(part)), f"{e['macro_f1']:.3f}"]
            if task == "stance":
                cells.append(f"{1 - pc['neutral']['recall']:.3f}")
                for l in ("threatening", "conciliatory"):
                    cells.append(f"{pc[l]['precision']:.2f} / {pc[l]['recall']:.2f}")
            else:
                for l in ("negative", "neutral", "positive"):
                    cells.append(f"{pc[l]['precision']:.2f} / {pc[l]['recall']:.2f}")
                v = vader_macro_f1(part)
                cells.append("-" if v is None else f"{v:.3f}")
            cells.append(f"{e['ece']:.3f}")
            tables[task].append(cells)
    print("stance\n")
    print("| slice | quotes | macro-F1 | false alarms | threatening P / R | conciliatory P / R | ECE |")
    print("|---|---|---|---|---|---|---|")
    for c in tables["stance"]:
        print("| " + " | ".join(c) + " |")
    print("\nsentiment\n")
    print("| slice | quotes | macro-F1 | negative P / R | neutral P / R | positive P / R | VADER macro-F1 | ECE |")
    print("|---|---|---|---|---|---|---|---|")
    for c in tables["sentiment"]:
        print("| " + " | ".join(c) + " |")


if __name__ == "__main__":
    main()
