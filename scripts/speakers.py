#!/usr/bin/env python3
"""Quote and speaker figures for `stance extract` over a directory of gold articles.

usage: scripts/speakers.py [--bin target/release/stance] [--verbose] DIR_OR_FILE...

Each ARTICLE.txt has ARTICLE.json beside it: {"required": [{"quote", "speaker"}],
"optional": [...]} (the layout of tests/fixtures/articles). The script runs
`stance extract FILE --format jsonl` (scare quotes left out, as by default) and prints:
- quote precision, recall and F1: an extracted quote matches a gold quote when their word
  sets overlap enough (Jaccard >= 0.7, or one holds nearly all the other's words and they
  are of similar length); an extracted quote matching only an optional gold quote counts
  neither way;
- speaker accuracy over the matched required quotes: right when the last word of the gold
  speaker is one of the words of the extracted speaker (a gold `null` speaker wants none).
"""
import argparse
import json
import os
import re
import subprocess
import sys

WORD = re.compile(r"[a-z0-9]+")


def words(text):
    return WORD.findall((text or "").lower())


def similar(gold, got):
    a, b = set(words(gold)), set(words(got))
    if not a or not b:
        return 0.0
    shared = len(a & b)
    jaccard = shared / len(a | b)
    la, lb = len(words(gold)), len(words(got))
    close_length = min(la, lb) / max(la, lb) >= 0.6
    contained = shared / min(len(a), len(b)) if close_length else 0.0
    return max(jaccard, 0.9 * contained)


def speaker_right(gold, got):
    g = words(gold)
    if not g:
        # A gold quote with no speaker is right only when none is given.
        return not words(got)
    return g[-1] in words(got)


def articles(paths):
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.endswith(".txt"):
                    yield os.path.join(p, name)
        else:
            yield p


def extract(binary, path):
    run = subprocess.run([binary, "extract", path, "--format", "jsonl"],
                         capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        sys.exit(f"speakers.py: extract failed on {path}: {run.stderr.strip()}")
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="target/release/stance")
    ap.add_argument("--verbose", action="store_true", help="print every miss")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    tp = fp = fn = right = matched = files = 0
    for path in articles(args.paths):
        gold_path = path[:-4] + ".json"
        if not os.path.exists(gold_path):
            continue
        files += 1
        with open(gold_path, encoding="utf-8") as f:
            gold = json.load(f)
        got = extract(args.bin, path)
        name = os.path.basename(path)
        taken = set()
        for g in gold["required"]:
            scores = [(similar(g["quote"], o["quote"]), i) for i, o in enumerate(got) if i not in taken]
            best, i = max(scores, default=(0.0, -1))
            if best < 0.7:
                fn += 1
                if args.verbose:
                    print(f"  missed   {name}: {g['quote'][:70]!r}")
                continue
            taken.add(i)
            tp += 1
            matched += 1
            ok = speaker_right(g["speaker"], got[i].get("speaker"))
            right += ok
            if args.verbose and not ok:
                print(f"  speaker  {name}: gold {g['speaker']!r}, got {got[i].get('speaker')!r}")
        every = gold["required"] + gold.get("optional", [])
        for i, o in enumerate(got):
            if i in taken or any(similar(g["quote"], o["quote"]) >= 0.7 for g in every):
                continue
            fp += 1
            if args.verbose:
                print(f"  spurious {name}: {o['quote'][:70]!r}")
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    acc = right / matched if matched else 0.0
    print(f"articles {files}  quotes: P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  "
          f"speakers: {right}/{matched} = {acc:.3f}")


if __name__ == "__main__":
    main()
