#!/usr/bin/env python3
"""Synthetic news articles for tests and benchmarks of `stance score`.

usage: articles.py --n N [--seed S] [--files K] -o OUT

Writes N articles as JSONL (`id`, `text`, `date`): one file OUT when it ends in .jsonl,
else K files OUT/part-00000.jsonl ... (default 4) in a new directory. Each article is a
headline and three to nine paragraphs of narration and quotes. The quotes are statements
from datasets/quotes.csv (written for this project), attributed in the patterns of wire
copy: `"...," Title Name said.`, `Name, the title, said: "..."`, `"...," said Surname.`,
`"...," she added.`, a quote split by its attribution, a partial quote inside narration,
and curly marks. People and places are invented from syllables. About one article in ten
has no date, and one in ten gives it as a `date YYYY-MM-DD` line at the top of the text
instead of the `date` key.

Only the standard library is used; the same arguments give the same bytes on every run.
"""

import argparse
import csv
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYLLABLES = ["ka", "ren", "vo", "li", "mar", "to", "sen", "da", "ri", "no", "bel", "ta",
             "shi", "mo", "lu", "fen", "ga", "zo", "pe", "ran", "dor", "vi", "ha", "kel"]
TITLES = ["Foreign Minister", "Defence Minister", "union leader", "ministry spokesman",
          "Mayor", "police chief", "chief executive", "opposition leader", "President",
          "Prime Minister", "senior commander", "party spokeswoman"]
NARRATION = [
    "Talks resumed on {day} after a week of rising tension.",
    "The dispute over {place} has drawn crowds to the capital for three days.",
    "Officials from both sides met behind closed doors in {place} in the afternoon.",
    "Markets fell sharply as the deadline approached.",
    "Negotiators said a draft text was circulating, though no date was set.",
    "Residents of {place} reported long queues at fuel stations.",
    "The announcement came hours before a scheduled vote in parliament.",
    "Analysts in {place} were divided on what the move meant.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def name(rng, parts):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def people(rng, n):
    out, seen = [], set()
    while len(out) < n:
        given, family = name(rng, rng.choice([2, 2, 3])), name(rng, rng.choice([2, 3]))
        if family in seen:
            continue
        seen.add(family)
        out.append((rng.choice(TITLES), f"{given} {family}", family, rng.choice(["he", "she"])))
    return out


def quotes():
    with open(os.path.join(ROOT, "datasets", "quotes.csv"), encoding="utf-8", newline="") as f:
        return [r["text"] for r in csv.DictReader(f)]


def paragraph(rng, q, person, place):
    title, full, last, pronoun = person
    q = q.rstrip(".!?,")
    narr = rng.choice(NARRATION).format(day=rng.choice(DAYS), place=place)
    open_, close = ("\u201c", "\u201d") if rng.random() < 0.2 else ('"', '"')
    k = rng.randrange(7)
    if k == 0:
        s = f"{open_}{q},{close} {title} {full} said."
    elif k == 1:
        s = f"{full}, the {title.lower()}, said: {open_}{q}.{close}"
    elif k == 2:
        s = f"{open_}{q},{close} said {last}."
    elif k == 3:
        s = f"{open_}{q},{close} {pronoun} added."
    elif k == 4:
        words = q.split()
        cut = max(1, len(words) // 2)
        a, b = " ".join(words[:cut]), " ".join(words[cut:])
        s = f"{open_}{a},{close} {last} said. {open_}{b or 'That is all'}.{close}"
    elif k == 5:
        words = q.split()[: rng.choice([2, 4, 5])]
        s = f"{last} called it {open_}{' '.join(words)}{close} in a statement."
    else:
        s = f"{title.capitalize()} {full} told reporters in {place}: {open_}{q}.{close}"
    return f"{narr} {s}"


def article(rng, i, pool, cast):
    place = name(rng, 2)
    n_par = rng.randint(3, 9)
    who = [rng.choice(cast) for _ in range(rng.randint(1, 3))]
    paras = []
    for _ in range(n_par):
        if rng.random() < 0.15:
            paras.append(rng.choice(NARRATION).format(day=rng.choice(DAYS), place=place))
        else:
            paras.append(paragraph(rng, rng.choice(pool), rng.choice(who), place))
    headline = f"{place} dispute deepens as deadline nears"
    text = headline + "\n\n" + "\n\n".join(paras)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    date = f"2024-{month:02d}-{day:02d}"
    u = rng.random()
    rec = {"id": f"a{i:07d}", "text": text, "date": date}
    if u < 0.1:
        rec["date"] = None
    elif u < 0.2:
        rec["text"] = f"date {date}\n{text}"
        del rec["date"]
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, required=True, help="articles")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--files", type=int, default=4, help="JSONL files when OUT is a directory")
    ap.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    pool = quotes()
    cast = people(rng, 300)
    if a.out.endswith(".jsonl"):
        paths = [a.out]
    else:
        os.makedirs(a.out, exist_ok=False)
        paths = [os.path.join(a.out, f"part-{k:05d}.jsonl") for k in range(a.files)]
    per = -(-a.n // len(paths))
    i = 0
    for path in paths:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for _ in range(min(per, a.n - i)):
                f.write(json.dumps(article(rng, i, pool, cast), ensure_ascii=False) + "\n")
                i += 1
    print(f"wrote {a.n} articles to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
