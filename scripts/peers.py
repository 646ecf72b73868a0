#!/usr/bin/env python3
"""Compare stance with Python text classifiers on one train/test split, process to process.

usage:
  peers.py compare TRAIN.csv TEST.csv [options]     the whole comparison; prints a table
  peers.py fit PEER TRAIN.csv MODEL_DIR             fit one peer and save it (a child process)
  peers.py predict PEER MODEL_DIR [--csv TEST.csv]  labels, one per line, for the CSV's texts
                                                    or for stdin's lines (a child process)

Every figure comes from a separate process, timed from start to exit with its peak resident
memory taken from wait4(2): `stance train` and `stance evaluate` for each model kind,
`stance tune` (5-fold cross-validation on the training split, 20 configurations;
--tune-budget 0 skips it) and `stance evaluate` of its pick, and for each peer one Python
process that reads the training CSV, fits and saves the model, and one that loads it and
predicts the test texts. Imports, file reading and model loading are part
of the time, as they are for a user. The children also report their in-process fit and
predict seconds, shown as extra columns.

Peers (settings as commonly used for sentence classification):
  sklearn-logreg     TfidfVectorizer(1-2 grams, sublinear tf) + LogisticRegression(C=10)
  sklearn-linearsvc  the same features + LinearSVC(C=0.5)
  sklearn-mnb        the same features + MultinomialNB(alpha=0.1)
  sklearn-cnb        the same features + ComplementNB(alpha=0.3)
  fasttext           fastText supervised, word bigrams, 25 epochs, lr 0.5
  vw                 Vowpal Wabbit --oaa K --ngram 2 --loss_function logistic -b 22,
                     5 passes over the rows, shuffled before each pass

The compare step itself needs only the standard library; the children need scikit-learn,
fasttext and vowpalwabbit (see `scripts/peers --setup`).
"""

import argparse
import csv
import json
import os
import random
import re
import shlex
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

PEERS = ["sklearn-logreg", "sklearn-linearsvc", "sklearn-mnb", "sklearn-cnb", "fasttext", "vw"]
KINDS = ["nblr", "logreg", "nb", "cnb", "svm"]
# `stance tune`: configurations searched and cross-validation folds (on the training split).
TUNE_BUDGET = 20
TUNE_FOLDS = 5
SEED = 42
# Peer pipelines within this macro-F1 of stance's default model count as comparably accurate.
COMPARABLE_F1 = 0.01

csv.field_size_limit(1 << 30)


# ---------------------------------------------------------------------------------------------
# Data


def read_csv(path, text_col, label_col):
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        missing = [c for c in (text_col, label_col) if c not in (r.fieldnames or [])]
        if missing:
            sys.exit(f"peers.py: {path}: no column {missing[0]!r} (columns: {r.fieldnames})")
        rows = [(row[text_col], row[label_col]) for row in r]
    if not rows:
        sys.exit(f"peers.py: {path}: no data rows")
    return [t for t, _ in rows], [y for _, y in rows]


def read_lines():
    data = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.rstrip("\r") for ln in lines]


def tokens(text):
    """Whitespace tokens for fastText and VW, which do not tokenize: lowercase, punctuation
    split off, and VW's special characters (| and :) removed."""
    text = re.sub(r"[|:]", " ", text.lower())
    text = re.sub(r"([^\w\s'])", r" \1 ", text)
    return " ".join(text.split())


def macro_f1_accuracy(truth, pred):
    """Macro-F1 over the union of true and predicted labels, and accuracy (as scikit-learn)."""
    labels = sorted(set(truth) | set(pred))
    f1s = []
    for lab in labels:
        tp = sum(1 for t, p in zip(truth, pred) if t == lab and p == lab)
        fp = sum(1 for t, p in zip(truth, pred) if t != lab and p == lab)
        fn = sum(1 for t, p in zip(truth, pred) if t == lab and p != lab)
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    acc = sum(1 for t, p in zip(truth, pred) if t == p) / len(truth)
    return sum(f1s) / len(f1s), acc


# ---------------------------------------------------------------------------------------------
# Peers (child processes)


def sklearn_pipeline(name):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB, MultinomialNB
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    est = {
        "sklearn-logreg": lambda: LogisticRegression(C=10, max_iter=2000),
        "sklearn-linearsvc": lambda: LinearSVC(C=0.5),
        "sklearn-mnb": lambda: MultinomialNB(alpha=0.1),
        "sklearn-cnb": lambda: ComplementNB(alpha=0.3),
    }[name]()
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), est)


def fit_peer(name, texts, labels, model_dir):
    """Fit and save; returns in-process fit seconds (the fit call alone)."""
    os.makedirs(model_dir, exist_ok=True)
    if name.startswith("sklearn-"):
        import pickle

        m = sklearn_pipeline(name)
        t0 = time.perf_counter()
        m.fit(texts, labels)
        fit_s = time.perf_counter() - t0
        with open(os.path.join(model_dir, "model.pkl"), "wb") as f:
            pickle.dump(m, f, protocol=pickle.HIGHEST_PROTOCOL)
        return fit_s
    if name == "fasttext":
        import fasttext

        # Labels go in as their index, so any label text survives the round trip.
        names = sorted(set(labels))
        index = {y: i for i, y in enumerate(names)}
        with open(os.path.join(model_dir, "labels.json"), "w", encoding="utf-8") as f:
            json.dump(names, f)
        path = os.path.join(model_dir, "train.txt")
        with open(path, "w", encoding="utf-8") as f:
            for t, y in zip(texts, labels):
                f.write(f"__label__{index[y]} {tokens(t)}\n")
        t0 = time.perf_counter()
        m = fasttext.train_supervised(
            input=path, epoch=25, wordNgrams=2, lr=0.5, verbose=0, thread=os.cpu_count() or 1
        )
        fit_s = time.perf_counter() - t0
        m.save_model(os.path.join(model_dir, "model.bin"))
        os.remove(path)
        return fit_s
    if name == "vw":
        from vowpalwabbit import Workspace

        names = sorted(set(labels))
        index = {y: i + 1 for i, y in enumerate(names)}
        with open(os.path.join(model_dir, "labels.json"), "w", encoding="utf-8") as f:
            json.dump(names, f)
        examples = [f"{index[y]} | {tokens(t)}" for t, y in zip(texts, labels)]
        t0 = time.perf_counter()
        vw = Workspace(
            f"--oaa {len(names)} --ngram 2 --loss_function logistic -b 22 --quiet "
            f"-f {shlex.quote(os.path.join(model_dir, 'model.vw'))}"
        )
        order = list(range(len(examples)))
        rng = random.Random(SEED)
        for _ in range(5):
            rng.shuffle(order)
            for i in order:
                vw.learn(examples[i])
        vw.finish()
        return time.perf_counter() - t0
    sys.exit(f"peers.py: unknown peer {name!r} (known: {', '.join(PEERS)})")


def predict_peer(name, model_dir, texts):
    """Load and predict; returns (labels, in-process predict seconds, load seconds)."""
    t0 = time.perf_counter()
    if name.startswith("sklearn-"):
        import pickle

        with open(os.path.join(model_dir, "model.pkl"), "rb") as f:
            m = pickle.load(f)
        t1 = time.perf_counter()
        pred = [str(p) for p in m.predict(texts)]
    elif name == "fasttext":
        import fasttext

        with open(os.path.join(model_dir, "labels.json"), encoding="utf-8") as f:
            names = json.load(f)
        m = fasttext.load_model(os.path.join(model_dir, "model.bin"))
        t1 = time.perf_counter()
        out, _ = m.predict([tokens(t) for t in texts])
        pred = [names[int(o[0][len("__label__"):])] for o in out]
    elif name == "vw":
        from vowpalwabbit import Workspace

        with open(os.path.join(model_dir, "labels.json"), encoding="utf-8") as f:
            names = json.load(f)
        vw = Workspace(f"-i {shlex.quote(os.path.join(model_dir, 'model.vw'))} -t --quiet")
        t1 = time.perf_counter()
        pred = [names[int(vw.predict(f"| {tokens(t)}")) - 1] for t in texts]
        vw.finish()
    else:
        sys.exit(f"peers.py: unknown peer {name!r} (known: {', '.join(PEERS)})")
    return pred, time.perf_counter() - t1, t1 - t0


def child_fit(a):
    texts, labels = read_csv(a.train, a.text_column, a.label_column)
    fit_s = fit_peer(a.peer, texts, labels, a.model_dir)
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            json.dump({"fit_s": fit_s}, f)


def child_predict(a):
    if a.csv:
        texts, _ = read_csv(a.csv, a.text_column, a.label_column)
    else:
        texts = read_lines()
    pred, predict_s, load_s = predict_peer(a.peer, a.model_dir, texts)
    sys.stdout.write("".join(p + "\n" for p in pred))
    sys.stdout.flush()
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            json.dump({"predict_s": predict_s, "load_s": load_s}, f)


# ---------------------------------------------------------------------------------------------
# Whole-process measurement


class Run:
    """One finished process: wall and CPU (user + system) seconds, peak RSS in MiB, exit
    code, stderr."""

    def __init__(self, cmd, wall, cpu, rss_mb, code, err, timed_out):
        self.cmd, self.wall, self.cpu, self.rss_mb, self.code = cmd, wall, cpu, rss_mb, code
        self.err, self.timed_out = err, timed_out

    @property
    def ok(self):
        return self.code == 0 and not self.timed_out

    def failure(self):
        if self.timed_out:
            return f"stopped after {self.wall:.0f} s (time limit)"
        last = self.err.strip().splitlines()[-1:] or [f"exit code {self.code}"]
        return f"failed (exit {self.code}): {last[0][:160]}"


COMMANDS = []


def show(cmd, stdin=None, stdout=None, env=None):
    s = " ".join(shlex.quote(str(c)) for c in cmd)
    if env:
        s = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()) + " " + s
    if stdin:
        s += f" < {shlex.quote(str(stdin))}"
    if stdout:
        s += f" > {shlex.quote(str(stdout))}"
    return s


def run(cmd, stdin=None, stdout=None, timeout=None, mem_cap_gb=None, env=None):
    """Run a command to completion; time it and take its peak RSS from wait4. `env` adds
    variables; `mem_cap_gb` caps the address space (RLIMIT_AS) so a runaway run fails
    instead of exhausting a shared machine."""
    COMMANDS.append(show(cmd, stdin, stdout, env))
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    fout = open(stdout, "wb") if stdout else subprocess.DEVNULL
    ferr = tempfile.TemporaryFile()

    def limit():
        if mem_cap_gb:
            import resource

            cap = int(mem_cap_gb * (1 << 30))
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    t0 = time.perf_counter()
    p = subprocess.Popen([str(c) for c in cmd], stdin=fin, stdout=fout, stderr=ferr,
                         preexec_fn=limit if mem_cap_gb else None,
                         env={**os.environ, **env} if env else None)
    killed = []
    timer = None
    if timeout:
        timer = threading.Timer(timeout, lambda: (killed.append(1), p.kill()))
        timer.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if timer:
        timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    for f in (fin, fout):
        if f is not subprocess.DEVNULL:
            f.close()
    ferr.seek(0)
    err = ferr.read().decode("utf-8", errors="replace")
    ferr.close()
    cpu = ru.ru_utime + ru.ru_stime
    return Run(cmd, wall, cpu, ru.ru_maxrss / 1024.0, p.returncode, err, bool(killed))


def run_repeated(cmd, repeat, **kw):
    """Median wall time of `repeat` runs; peak RSS is the largest seen."""
    runs = []
    for _ in range(max(1, repeat)):
        r = run(cmd, **kw)
        runs.append(r)
        if not r.ok:
            return r
    best = sorted(runs, key=lambda r: r.wall)[len(runs) // 2]
    best.wall = statistics.median(r.wall for r in runs)
    best.cpu = statistics.median(r.cpu for r in runs)
    best.rss_mb = max(r.rss_mb for r in runs)
    return best


# ---------------------------------------------------------------------------------------------
# The comparison


def make_lines(texts, n, path):
    """`n` lines cycling through the texts, shuffled with a fixed seed, one text per line."""
    flat = [" ".join(t.split()) for t in texts]
    lines = [flat[i % len(flat)] for i in range(n)]
    random.Random(SEED).shuffle(lines)
    with open(path, "w", encoding="utf-8") as f:
        for ln in lines:
            f.write(ln + "\n")
    return sum(len(ln.encode("utf-8")) + 1 for ln in lines)


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def model_header(path):
    """The JSON header of a stance model file (signature, u32 version, u64 length, JSON)."""
    with open(path, "rb") as f:
        head = f.read(25)
        (n,) = struct.unpack("<Q", head[17:25])
        return json.loads(f.read(n))


def compare(train, test, stance, work, python=sys.executable, peers=PEERS, kinds=KINDS,
            text_column="text", label_column="label", predict_lines=200_000, repeat=1,
            timeout=3600, tune_budget=TUNE_BUDGET,
            log=lambda s: print(s, file=sys.stderr, flush=True)):
    """Run everything on one split; returns a dict of rows (see format_compare). With a
    `tune_budget`, `stance tune` also searches that many configurations by 5-fold
    cross-validation on the training split, and its pick is evaluated like the others."""
    os.makedirs(work, exist_ok=True)
    _, truth = read_csv(test, text_column, label_column)
    cols = ["--text-column", text_column, "--label-column", label_column]
    me = os.path.abspath(__file__)
    rows = []
    for k in kinds:
        model = os.path.join(work, f"stance-{k}.model")
        log(f"  stance {k}")
        tr = run_repeated([stance, "train", "--data", train, *cols, "--model", k, "-o", model,
                           "--force"], repeat, timeout=timeout)
        row = {"name": f"stance {k}", "group": "stance", "kind": k, "model": model}
        if not tr.ok:
            rows.append({**row, "error": "train " + tr.failure()})
            continue
        out = os.path.join(work, f"stance-{k}.eval.json")
        ev = run_repeated([stance, "evaluate", "--model", model, "--data", test, *cols,
                           "--format", "json"], repeat, stdout=out, timeout=timeout)
        if not ev.ok:
            rows.append({**row, "error": "evaluate " + ev.failure()})
            continue
        with open(out, encoding="utf-8") as f:
            e = json.load(f)
        rows.append({**row, "macro_f1": e["macro_f1"], "accuracy": e["accuracy"],
                     "train_s": tr.wall, "predict_s": ev.wall, "cpu_s": tr.cpu + ev.cpu,
                     "rss_mb": max(tr.rss_mb, ev.rss_mb)})
    if tune_budget:
        model = os.path.join(work, "stance-tune.model")
        log(f"  stance tune (budget {tune_budget})")
        tr = run_repeated([stance, "tune", "--data", train, *cols, "--folds", str(TUNE_FOLDS),
                           "--budget", str(tune_budget), "-o", model, "--force"], repeat,
                          timeout=timeout)
        row = {"name": "stance tune", "group": "stance", "kind": "tune", "model": model}
        out = os.path.join(work, "stance-tune.eval.json")
        ev = tr.ok and run_repeated([stance, "evaluate", "--model", model, "--data", test,
                                     *cols, "--format", "json"], repeat, stdout=out,
                                    timeout=timeout)
        if not tr.ok:
            rows.append({**row, "error": "tune " + tr.failure()})
        elif not ev.ok:
            rows.append({**row, "error": "evaluate " + ev.failure()})
        else:
            with open(out, encoding="utf-8") as f:
                e = json.load(f)
            tuning = model_header(model)["training"]["tuning"]
            rows.append({**row, "macro_f1": e["macro_f1"], "accuracy": e["accuracy"],
                         "train_s": tr.wall, "predict_s": ev.wall, "cpu_s": tr.cpu + ev.cpu,
                         "rss_mb": max(tr.rss_mb, ev.rss_mb), "winner": tuning["winner"],
                         "cv_macro_f1": tuning["cv_macro_f1_mean"],
                         "budget": tuning["budget"], "folds": tuning["folds"]})
    for p in peers:
        log(f"  {p}")
        model = os.path.join(work, p)
        rep = os.path.join(work, f"{p}.fit.json")
        row = {"name": p, "group": "sklearn" if p.startswith("sklearn-") else "other",
               "model": model}
        tr = run_repeated([python, me, "fit", p, train, model, *cols, "--report", rep], repeat,
                          timeout=timeout)
        if not tr.ok:
            rows.append({**row, "error": "fit " + tr.failure()})
            continue
        out = os.path.join(work, f"{p}.pred.txt")
        prep = os.path.join(work, f"{p}.predict.json")
        ev = run_repeated([python, me, "predict", p, model, "--csv", test, *cols, "--report",
                           prep], repeat, stdout=out, timeout=timeout)
        if not ev.ok:
            rows.append({**row, "error": "predict " + ev.failure()})
            continue
        with open(out, encoding="utf-8") as f:
            pred = f.read().split("\n")[: len(truth)]
        f1, acc = macro_f1_accuracy(truth, pred)
        with open(rep, encoding="utf-8") as f:
            fit_s = json.load(f)["fit_s"]
        with open(prep, encoding="utf-8") as f:
            inproc = json.load(f)
        rows.append({**row, "macro_f1": f1, "accuracy": acc, "train_s": tr.wall,
                     "predict_s": ev.wall, "cpu_s": tr.cpu + ev.cpu,
                     "rss_mb": max(tr.rss_mb, ev.rss_mb),
                     "fit_inproc_s": fit_s, "predict_inproc_s": inproc["predict_s"]})
    result = {"train": train, "test": test, "rows": rows, "predict_lines": None}
    if predict_lines:
        result["predict_lines"] = predict_throughput(rows, test, text_column, label_column,
                                                     stance, work, python, predict_lines,
                                                     repeat, timeout, log)
    return result


def predict_throughput(rows, test, text_column, label_column, stance, work, python, n, repeat,
                       timeout, log):
    """Every fitted model over the same `n` lines from stdin, whole processes."""
    texts, _ = read_csv(test, text_column, label_column)
    lines = os.path.join(work, f"lines-{n}.txt")
    nbytes = make_lines(texts, n, lines)
    me = os.path.abspath(__file__)
    out = os.path.join(work, "predict-out.txt")
    res = {"lines": n, "bytes": nbytes, "file": lines, "rows": []}
    for row in rows:
        if "error" in row:
            continue
        log(f"  {n} lines: {row['name']}")
        if row["group"] == "stance":
            cmd = [stance, "predict", "--model", row["model"], "--format", "jsonl"]
        else:
            cmd = [python, me, "predict", row["name"], row["model"]]
        r = run_repeated(cmd, repeat, stdin=lines, stdout=out, timeout=timeout)
        entry = {"name": row["name"], "group": row["group"]}
        if not r.ok:
            entry["error"] = r.failure()
        elif count_lines(out) != n:
            entry["error"] = f"wrote {count_lines(out)} lines for {n} inputs"
        else:
            entry.update(wall_s=r.wall, cpu_s=r.cpu, rss_mb=r.rss_mb, lines_per_s=n / r.wall)
        res["rows"].append(entry)
    if os.path.exists(out):
        os.remove(out)
    return res


# ---------------------------------------------------------------------------------------------
# Tables


def fmt_ratio(v, best, digits=2):
    return f"{v / best:.{digits}f}×" if best else "—"


METRICS = (("macro_f1", True), ("accuracy", True), ("train_s", False), ("predict_s", False),
           ("cpu_s", False), ("rss_mb", False))


def best_of_peers(rows, metrics):
    """Per metric, the best value among the peers (not stance)."""
    peers = [r for r in rows if "error" not in r and r["group"] != "stance"]
    best = {}
    for key, higher in metrics:
        vals = [r[key] for r in peers]
        best[key] = (max(vals) if higher else min(vals)) if vals else None
    return best


def format_compare(result, title=None):
    """Markdown: the accuracy and speed table, the predict-throughput table, a summary."""
    rows = result["rows"]
    best = best_of_peers(rows, METRICS)
    out = []
    if title:
        out.append(f"### {title}\n")
    out.append(f"Train `{result['train']}`, test `{result['test']}`. Train and predict are "
               "the wall seconds of the training process and of the process that predicts "
               "the test set (stance: `stance train`, `stance evaluate`); CPU is user + "
               "system seconds of both; peak RSS is the larger of the two. In parentheses: "
               "the figure divided by the best peer's (highest F1 and accuracy; lowest "
               "seconds and memory), so 0.10× seconds means ten times faster than the "
               "fastest peer.\n")
    out.append("| model | macro-F1 | accuracy | train s | predict s | CPU s | peak RSS MiB | "
               "fit s in-process | predict s in-process |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            out.append(f"| {r['name']} | {r['error']} | | | | | | | |")
            continue

        def cell(key, fmt, digits=2):
            return f"{r[key]:{fmt}} ({fmt_ratio(r[key], best[key], digits)})"

        inproc = (f"{r['fit_inproc_s']:.3f} | {r['predict_inproc_s']:.3f}"
                  if "fit_inproc_s" in r else "— | —")
        out.append(f"| {r['name']} | {cell('macro_f1', '.4f', 3)} | {cell('accuracy', '.4f', 3)} | "
                   f"{cell('train_s', '.2f')} | {cell('predict_s', '.2f')} | "
                   f"{cell('cpu_s', '.2f')} | {cell('rss_mb', '.0f')} | {inproc} |")
    tuned = next((r for r in rows if r.get("kind") == "tune" and "error" not in r), None)
    if tuned:
        out.append("")
        out.append(f"stance tune: `stance tune --folds {tuned['folds']} --budget "
                   f"{tuned['budget']}` on the training split (its train seconds are the whole "
                   f"search plus the final fit) picked `{tuned['winner']}`, cross-validated "
                   f"macro-F1 {tuned['cv_macro_f1']:.4f}; the test split was not used to "
                   "choose it.")
    pl = result.get("predict_lines")
    if pl:
        pbest = best_of_peers(pl["rows"], (("wall_s", False), ("cpu_s", False),
                                           ("rss_mb", False)))
        out.append("")
        out.append(f"Predicting {pl['lines']:,} lines ({pl['bytes'] / 1e6:.1f} MB: the test "
                   "texts repeated and shuffled) from stdin, one process each, model loading "
                   "included. stance writes JSONL with probabilities "
                   "(`stance predict --model M --format jsonl < lines`); a peer loads its "
                   "saved model and writes one label per line. In parentheses: divided by "
                   "the best peer's figure.\n")
        out.append("| model | wall s | CPU s | lines/s | peak RSS MiB |")
        out.append("|---|---|---|---|---|")
        for r in pl["rows"]:
            if "error" in r:
                out.append(f"| {r['name']} | {r['error']} | | | |")
            else:
                out.append(f"| {r['name']} | {r['wall_s']:.2f} "
                           f"({fmt_ratio(r['wall_s'], pbest['wall_s'])}) | {r['cpu_s']:.2f} "
                           f"({fmt_ratio(r['cpu_s'], pbest['cpu_s'])}) | "
                           f"{r['lines_per_s']:,.0f} | {r['rss_mb']:.0f} "
                           f"({fmt_ratio(r['rss_mb'], pbest['rss_mb'])}) |")
    out.append("")
    out.extend(summary(result))
    return "\n".join(out) + "\n"


def summary(result):
    """The figures the project's targets are stated in."""
    ok = [r for r in result["rows"] if "error" not in r]
    stance = [r for r in ok if r["group"] == "stance"]
    peers = [r for r in ok if r["group"] != "stance"]
    sk = [r for r in peers if r["group"] == "sklearn"]
    default = next((r for r in stance if r.get("kind") == "nblr"), None)
    lines = []
    if stance and peers:
        bs = max(stance, key=lambda r: r["macro_f1"])
        bp = max(peers, key=lambda r: r["macro_f1"])
        lines.append(f"- Best macro-F1: stance {bs['kind']} {bs['macro_f1']:.4f}, best peer "
                     f"{bp['name']} {bp['macro_f1']:.4f} (difference "
                     f"{bs['macro_f1'] - bp['macro_f1']:+.4f}).")
        if default:
            lines.append(f"- With default settings: stance nblr {default['macro_f1']:.4f} "
                         f"(difference {default['macro_f1'] - bp['macro_f1']:+.4f}).")
        tuned = next((r for r in stance if r.get("kind") == "tune"), None)
        if tuned:
            lines.append(f"- With `stance tune`'s pick: {tuned['macro_f1']:.4f} (difference "
                         f"{tuned['macro_f1'] - bp['macro_f1']:+.4f}).")
    if default and sk:
        near = [r for r in sk if r["macro_f1"] >= default["macro_f1"] - COMPARABLE_F1]
        why = (f"macro-F1 within {COMPARABLE_F1} of stance nblr or above" if near else
               f"none is within {COMPARABLE_F1} of stance nblr; fastest of all")
        cand = min(near or sk, key=lambda r: r["train_s"] + r["predict_s"])
        s_t = default["train_s"] + default["predict_s"]
        p_t = cand["train_s"] + cand["predict_s"]
        lines.append(f"- Train + evaluate, whole processes: stance nblr {s_t:.2f} s, fastest "
                     f"comparable scikit-learn pipeline ({why}) {cand['name']} {p_t:.2f} s: "
                     f"**{p_t / s_t:.1f}×** faster.")
        pl = result.get("predict_lines")
        if pl:
            by = {r["name"]: r for r in pl["rows"] if "error" not in r}
            s = by.get("stance nblr")
            c = by.get(cand["name"])
            if s and c:
                lines.append(f"- Predicting {pl['lines']:,} lines from stdin: stance nblr "
                             f"{s['wall_s']:.2f} s, {cand['name']} {c['wall_s']:.2f} s: "
                             f"**{c['wall_s'] / s['wall_s']:.1f}×** faster.")
    return lines


# ---------------------------------------------------------------------------------------------
# Command line


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 1)[1])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--text-column", default="text")
        p.add_argument("--label-column", default="label")

    c = sub.add_parser("compare", help="the whole comparison on one split")
    c.add_argument("train")
    c.add_argument("test")
    c.add_argument("--stance", required=True, help="the stance binary")
    c.add_argument("--work", help="directory for models and outputs (default: a temp dir)")
    c.add_argument("--peers", default=",".join(PEERS))
    c.add_argument("--kinds", default=",".join(KINDS))
    c.add_argument("--predict-lines", type=int, default=200_000,
                   help="lines for the predict comparison; 0 skips it (default 200000)")
    c.add_argument("--repeat", type=int, default=1,
                   help="run each process this many times, report the median (default 1)")
    c.add_argument("--tune-budget", type=int, default=TUNE_BUDGET,
                   help=f"configurations for `stance tune`; 0 skips it (default {TUNE_BUDGET})")
    c.add_argument("--json", help="also write the raw results here")
    c.add_argument("--title")
    common(c)

    f = sub.add_parser("fit", help="fit one peer (child process)")
    f.add_argument("peer", choices=PEERS)
    f.add_argument("train")
    f.add_argument("model_dir")
    f.add_argument("--report")
    common(f)

    p = sub.add_parser("predict", help="predict with one peer (child process)")
    p.add_argument("peer", choices=PEERS)
    p.add_argument("model_dir")
    p.add_argument("--csv", help="predict this CSV's texts instead of stdin's lines")
    p.add_argument("--report")
    common(p)

    a = ap.parse_args()
    if a.cmd == "fit":
        child_fit(a)
    elif a.cmd == "predict":
        child_predict(a)
    else:
        work = a.work or tempfile.mkdtemp(prefix="stance-peers-")
        res = compare(a.train, a.test, a.stance, work, peers=a.peers.split(","),
                      kinds=a.kinds.split(","), text_column=a.text_column,
                      label_column=a.label_column, predict_lines=a.predict_lines,
                      repeat=a.repeat, tune_budget=a.tune_budget)
        res["commands"] = COMMANDS
        if a.json:
            with open(a.json, "w", encoding="utf-8") as fh:
                json.dump(res, fh, indent=1)
        sys.stdout.write(format_compare(res, a.title))
        if not a.work:
            import shutil

            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
