#!/usr/bin/env python3
"""Run every whole-process benchmark of stance and write BENCHMARKS.md.

usage: bench.py --stance BIN [--data DIR] [--sizes 10000,100000,1000000] [--out BENCHMARKS.md]
                [--work DIR] [--skip-peers] [--skip-scaling] [--repeat N] ...

1. Peers: for each DIR/<name>/{train,test}.csv, stance against scikit-learn, fastText and
   Vowpal Wabbit (scripts/peers.py compare), and the 200,000-line predict comparison.
2. Scaling: synthetic short texts (scripts/synth.py) at each size; for every model kind the
   training time and peak memory of `stance train`, held-out macro-F1 on 10,000 other texts,
   and the throughput of `stance predict` over the training texts beside `wc -w` on the same
   file.
3. Stages: the criterion benchmarks (`cargo bench --bench pipeline`).
4. BENCHMARKS.md: the tables, the machine, the commit measured and every command run.

Normally started by `scripts/bench`, which builds stance and picks the Python environment.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import time

# Import the sibling without leaving a __pycache__ in the repository.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

ORDER = ["mr", "subj", "cr", "mpqa", "sst2"]
TEST_ROWS = 10_000
# Runs of `wc -w` and of the scoring pass over each synthetic file (their median counts).
WC_RUNS = 3


def sh(cmd, cwd=None):
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""


def loadavg():
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def machine(root, python):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = sh(["free", "-m"]).splitlines()
    total = next((ln.split()[1] for ln in mem if ln.startswith("Mem:")), "unknown")
    versions = sh([python, "-c",
                   "import importlib.metadata as m\n"
                   "for p in ('scikit-learn','numpy','scipy','fasttext-wheel','vowpalwabbit'):\n"
                   "    try: print(p, m.version(p))\n"
                   "    except Exception: print(p, 'not installed')"])
    commit = sh(["git", "rev-parse", "HEAD"], cwd=root) or "unknown"
    dirty = sh(["git", "status", "--porcelain", "--untracked-files=no", "--", "src",
                "scripts", "benches", "Cargo.toml", "Cargo.lock"], cwd=root)
    return {
        "cpu": cpu,
        "cores": sh(["nproc"]) or str(os.cpu_count()),
        "memory_mib": total,
        "kernel": f"{platform.system()} {platform.release()}",
        "rustc": sh(["rustc", "--version"]),
        "python": sh([python, "--version"]),
        "packages": versions.replace("\n", ", "),
        "commit": commit + (" with uncommitted changes" if dirty else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def human(n):
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else (
        f"{n // 1000}k" if n % 1000 == 0 else str(n))


class Units:
    """Finished pieces of a run (one data set, one generated size, one model kind at one
    size), each saved in WORK/units/ with the commands that produced it. With --resume, a
    piece measured by the same commit with the same settings is read back instead of
    measured again, so a run stopped part-way (hours on a busy machine) can continue. A
    piece whose processes failed for any reason other than the time limit is measured
    again."""

    def __init__(self, work, commit, resume):
        self.dir = os.path.join(work, "units")
        os.makedirs(self.dir, exist_ok=True)
        # Uncommitted changes make the commit an unreliable key: never reuse then.
        self.key = None if " with " in commit else commit
        self.resume = resume
        self.reused = []

    def get(self, name, settings, measure, log, fresh=False):
        """The saved result of `name`, or `measure()`; `fresh` forces measuring."""
        path = os.path.join(self.dir, name + ".json")
        if self.resume and self.key and not fresh and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                saved = json.load(f)
            if (saved["key"] == self.key and saved["settings"] == settings
                    and not failed(saved["result"])):
                log(f"  (reusing {name} from an earlier run of this commit)")
                self.reused.append(f"{name} ({saved.get('date', 'date unknown')})")
                peers.COMMANDS.extend(saved["commands"])
                return saved["result"]
        start = len(peers.COMMANDS)
        result = measure()
        date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        write_atomic(path, json.dumps({"key": self.key, "settings": settings, "result": result,
                                       "date": date, "commands": peers.COMMANDS[start:]},
                                      indent=1))
        return result


def failed(result):
    """Whether a saved result holds an error other than a time-limit stop."""
    if isinstance(result, dict):
        for k, v in result.items():
            if k.endswith("error") and "time limit" not in str(v):
                return True
            if failed(v):
                return True
    elif isinstance(result, list):
        return any(failed(v) for v in result)
    return False


def scaling(stance, work, sizes, kinds, timeout, mem_cap_gb, units, log):
    os.makedirs(work, exist_ok=True)
    synth = os.path.join(os.path.dirname(os.path.abspath(__file__)), "synth.py")
    test = os.path.join(work, "test.csv")
    out = {"sizes": []}

    def generate_test():
        g = peers.run([sys.executable, synth, "--rows", TEST_ROWS, "--doc-seed", 1000,
                       "-o", test])
        return {} if g.ok else {"error": g.failure()}

    t = units.get("synth-test", {"rows": TEST_ROWS}, generate_test, log,
                  fresh=not os.path.exists(test))
    if "error" in t:
        raise SystemExit(f"bench.py: generating the test set: {t['error']}")
    for n in sizes:
        log(f"scaling: {n} rows")
        csv_path = os.path.join(work, f"synth-{human(n)}.csv")
        txt = os.path.join(work, f"synth-{human(n)}.txt")
        stats_path = os.path.join(work, f"synth-{human(n)}.json")

        def generate():
            g = peers.run([sys.executable, synth, "--rows", n, "-o", csv_path, "--text-out",
                           txt, "--stats-out", stats_path])
            if not g.ok:
                raise SystemExit(f"bench.py: generating {n} rows: {g.failure()}")
            with open(stats_path, encoding="utf-8") as f:
                stats = json.load(f)
            # `wc -w` in the C and C.UTF-8 locales; the faster is the floor.
            wc = []
            for loc in ("C", "C.UTF-8"):
                r = peers.run_repeated(["wc", "-w", txt], WC_RUNS, env={"LC_ALL": loc})
                if r.ok:
                    wc.append({"locale": loc, "wall_s": r.wall})
            return {"stats": stats, "wc": wc}

        gen = units.get(f"synth-{human(n)}", {"rows": n}, generate, log,
                        fresh=not (os.path.exists(csv_path) and os.path.exists(txt)))
        entry = {"rows": n, "stats": gen["stats"], "wc": gen["wc"], "kinds": []}
        for k in kinds:
            log(f"  {k}")

            def measure(k=k):
                return scale_one(stance, work, n, k, csv_path, txt, test, timeout, mem_cap_gb)

            settings = {"rows": n, "kind": k, "timeout": timeout, "mem_cap_gb": mem_cap_gb,
                        "predict_runs": WC_RUNS}
            entry["kinds"].append(units.get(f"scale-{k}-{human(n)}", settings, measure, log))
        out["sizes"].append(entry)
    return out


def scale_one(stance, work, n, k, csv_path, txt, test, timeout, mem_cap_gb):
    """Train one model kind on n rows, evaluate it on the test set, predict the n texts."""
    model = os.path.join(work, f"{k}-{human(n)}.model")
    row = {"kind": k}
    tr = peers.run([stance, "train", "--data", csv_path, "--model", k, "-o", model, "--force"],
                   timeout=timeout, mem_cap_gb=mem_cap_gb)
    row.update(train_s=tr.wall, train_cpu_s=tr.cpu, train_rss_mb=tr.rss_mb)
    if not tr.ok:
        row["error"] = tr.failure()
        if mem_cap_gb and not tr.timed_out:
            row["error"] += f" (address space capped at {mem_cap_gb:g} GiB)"
        return row
    for line in tr.err.splitlines():
        if " features -> " in line:
            row["features"] = int(line.split(" features -> ")[0].rsplit(", ", 1)[1])
    ev_out = os.path.join(work, f"{k}-{human(n)}.eval.json")
    ev = peers.run([stance, "evaluate", "--model", model, "--data", test, "--format", "json"],
                   stdout=ev_out, timeout=timeout)
    if ev.ok:
        with open(ev_out, encoding="utf-8") as f:
            row["test_macro_f1"] = json.load(f)["macro_f1"]
    else:
        row["evaluate_error"] = ev.failure()
    pred_out = os.path.join(work, "predict-out.jsonl")
    # The median of as many runs as `wc -w` gets, so that both sides are timed alike.
    pr = peers.run_repeated([stance, "predict", "--model", model, "--format", "jsonl"],
                            WC_RUNS, stdin=txt, stdout=pred_out, timeout=timeout,
                            mem_cap_gb=mem_cap_gb)
    if pr.ok and peers.count_lines(pred_out) == n:
        row.update(predict_s=pr.wall, predict_cpu_s=pr.cpu, predict_rss_mb=pr.rss_mb)
    else:
        row["predict_error"] = (pr.failure() if not pr.ok else
                                f"wrote {peers.count_lines(pred_out)} lines for {n}")
    if os.path.exists(pred_out):
        os.remove(pred_out)
    os.remove(model)
    return row


def format_scaling(sc, time_target=60.0, rss_target_mb=2048.0):
    out = []
    out.append("Synthetic texts from `scripts/synth.py`: about 20 invented words each, drawn "
               "from a Zipf-Mandelbrot law over 50,000 words, three labels (40/35/25 %) whose "
               "topic words replace about 12 % of the draws. Non-zeros are the exact number "
               "of distinct word 1-2-grams per text, summed (the generator's words pass "
               "through stance's analysis unchanged). Held-out macro-F1 is on 10,000 other "
               "texts of the same language.\n")
    out.append("**Training** (`stance train --data synth-N.csv --model K`, one process):\n")
    out.append("| rows | model | wall s | CPU s | µs per row | peak RSS MiB | features | "
               "non-zeros | RSS bytes per non-zero | held-out macro-F1 |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for e in sc["sizes"]:
        n, nnz = e["rows"], e["stats"]["nnz"]
        for r in e["kinds"]:
            if "error" in r:
                out.append(f"| {n:,} | {r['kind']} | {r['error']} | {r['train_cpu_s']:.1f} | | "
                           f"{r['train_rss_mb']:.0f} | | {nnz:,} | | |")
                continue
            f1 = f"{r['test_macro_f1']:.4f}" if "test_macro_f1" in r else "—"
            feats = f"{r['features']:,}" if "features" in r else "—"
            out.append(f"| {n:,} | {r['kind']} | {r['train_s']:.2f} | {r['train_cpu_s']:.2f} | "
                       f"{r['train_s'] / n * 1e6:.1f} | {r['train_rss_mb']:.0f} | {feats} | "
                       f"{nnz:,} | {r['train_rss_mb'] * 1048576 / nnz:.0f} | {f1} |")
    out.append("")
    out.append("**Scoring** (`stance predict --model M --format jsonl < synth-N.txt`, the "
               "training texts one per line, model loading included; median of 3 runs) beside "
               "`wc -w` on the same file (the faster of the C and C.UTF-8 locales, median of "
               "3 runs each):\n")
    out.append("| rows | MB | `wc -w` s | `wc -w` MB/s | model | predict s | CPU s | lines/s | "
               "MB/s | % of `wc -w` | peak RSS MiB |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for e in sc["sizes"]:
        n, mb = e["rows"], e["stats"]["text_bytes"] / 1e6
        wc = min(e["wc"], key=lambda w: w["wall_s"]) if e["wc"] else None
        wc_s = f"{wc['wall_s']:.3f}" if wc else "—"
        wc_mbs = f"{mb / wc['wall_s']:.0f}" if wc else "—"
        for r in e["kinds"]:
            if "predict_s" not in r:
                why = r.get("error") or r.get("predict_error", "")
                out.append(f"| {n:,} | {mb:.1f} | {wc_s} | {wc_mbs} | {r['kind']} | {why} "
                           "| | | | | |")
                continue
            mbs = mb / r["predict_s"]
            pct = f"{100 * mbs / (mb / wc['wall_s']):.0f} %" if wc else "—"
            out.append(f"| {n:,} | {mb:.1f} | {wc_s} | {wc_mbs} | {r['kind']} | "
                       f"{r['predict_s']:.2f} | {r['predict_cpu_s']:.2f} | "
                       f"{n / r['predict_s']:,.0f} | {mbs:.1f} | {pct} | "
                       f"{r['predict_rss_mb']:.0f} |")
    biggest = max(sc["sizes"], key=lambda e: e["rows"]) if sc["sizes"] else None
    if biggest:
        out.append("")
        n = biggest["rows"]
        for r in biggest["kinds"]:
            if "error" in r:
                out.append(f"- {r['kind']} at {n:,} rows: {r['error']}; peak RSS "
                           f"{r['train_rss_mb']:.0f} MiB.")
                continue
            ok_t = r["train_s"] < time_target
            ok_m = r["train_rss_mb"] < rss_target_mb
            out.append(f"- {r['kind']} at {n:,} rows: {r['train_s']:.1f} s "
                       f"({'under' if ok_t else 'over'} {time_target:.0f} s), peak RSS "
                       f"{r['train_rss_mb']:.0f} MiB ({'under' if ok_m else 'over'} "
                       f"{rss_target_mb / 1024:.0f} GiB).")
    return "\n".join(out) + "\n"


def format_targets(results):
    """One line per data set with the figures the targets are stated in."""
    n = next((r["predict_lines"]["lines"] for _, r in results if r.get("predict_lines")), 0)
    out = ["| data | best stance macro-F1 | best peer macro-F1 | stance − peer | "
           "defaults (nblr) − peer | `stance tune` − peer | "
           f"train + evaluate speed-up | predict speed-up ({n:,} lines) |",
           "|---|---|---|---|---|---|---|---|"]
    for name, res in results:
        ok = [r for r in res["rows"] if "error" not in r]
        st = [r for r in ok if r["group"] == "stance"]
        pe = [r for r in ok if r["group"] != "stance"]
        sk = [r for r in pe if r["group"] == "sklearn"]
        if not st or not pe:
            out.append(f"| {name} | — | — | — | — | — | — | — |")
            continue
        bs = max(st, key=lambda r: r["macro_f1"])
        bp = max(pe, key=lambda r: r["macro_f1"])
        speed = pred = "—"
        d = next((r for r in st if r.get("kind") == "nblr"), None)
        if d and sk:
            near = [r for r in sk if r["macro_f1"] >= d["macro_f1"] - peers.COMPARABLE_F1]
            c = min(near or sk, key=lambda r: r["train_s"] + r["predict_s"])
            speed = (f"{(c['train_s'] + c['predict_s']) / (d['train_s'] + d['predict_s']):.1f}× "
                     f"vs {c['name']}")
            pl = res.get("predict_lines")
            if pl:
                by = {r["name"]: r for r in pl["rows"] if "error" not in r}
                if "stance nblr" in by and c["name"] in by:
                    pred = (f"{by[c['name']]['wall_s'] / by['stance nblr']['wall_s']:.1f}× "
                            f"vs {c['name']}")
        t = next((r for r in st if r.get("kind") == "tune"), None)
        dd, td = (f"{r['macro_f1'] - bp['macro_f1']:+.4f}" if r else "—" for r in (d, t))
        out.append(f"| {name} | {bs['macro_f1']:.4f} ({bs['kind']}) | {bp['macro_f1']:.4f} "
                   f"({bp['name']}) | {bs['macro_f1'] - bp['macro_f1']:+.4f} | {dd} | {td} | "
                   f"{speed} | {pred} |")
    return "\n".join(out) + "\n"


def criterion(root, log):
    """Run the criterion stage benchmarks; read back this run's estimates."""
    log("criterion: cargo bench --bench pipeline")
    start = time.time()
    r = peers.run(["cargo", "bench", "--quiet", "--bench", "pipeline"])
    if not r.ok:
        return {"error": r.failure()}
    rows = []
    base = os.path.join(root, "target", "criterion")
    for dirpath, _, files in os.walk(base):
        if os.path.basename(dirpath) != "new" or "benchmark.json" not in files:
            continue
        est_path = os.path.join(dirpath, "estimates.json")
        if os.path.getmtime(est_path) < start:
            continue
        with open(os.path.join(dirpath, "benchmark.json"), encoding="utf-8") as f:
            b = json.load(f)
        with open(est_path, encoding="utf-8") as f:
            e = json.load(f)
        rows.append({"id": b["full_id"], "throughput": b.get("throughput"),
                     "mean_ns": e["mean"]["point_estimate"],
                     "lo_ns": e["mean"]["confidence_interval"]["lower_bound"],
                     "hi_ns": e["mean"]["confidence_interval"]["upper_bound"]})
    order = ["tokenize", "vectorize", "train", "predict"]
    rows.sort(key=lambda x: (order.index(x["id"].split("/")[0])
                             if x["id"].split("/")[0] in order else len(order), x["id"]))
    return {"rows": rows}


def fmt_ns(ns):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div:
            return f"{ns / div:.3g} {unit}"
    return f"{ns:.3g} ns"


def format_criterion(cr):
    if "error" in cr:
        return f"`cargo bench` {cr['error']}\n"
    out = ["In-process timings of each stage on `datasets/quotes.csv` (stance labels; train "
           "split for fitting, test split for predicting), from `cargo bench --bench "
           "pipeline` (criterion; mean and its 95 % interval). Training benchmarks fit on "
           "features computed beforehand; `pipeline_nblr` includes vectorizing.\n",
           "| benchmark | mean | 95 % interval | throughput |", "|---|---|---|---|"]
    for r in cr["rows"]:
        t = r["throughput"] or {}
        secs = r["mean_ns"] / 1e9
        if "Bytes" in t:
            thr = f"{t['Bytes'] / secs / 1e6:.2f} MB/s"
        elif "Elements" in t:
            unit = "rows" if r["id"].startswith("train/") else "texts"
            thr = f"{t['Elements'] / secs:,.0f} {unit}/s"
        else:
            thr = "—"
        out.append(f"| {r['id']} | {fmt_ns(r['mean_ns'])} | {fmt_ns(r['lo_ns'])} – "
                   f"{fmt_ns(r['hi_ns'])} | {thr} |")
    return "\n".join(out) + "\n"


# scripts/bench-python measures the Python package and Spark and writes its section between
# these markers; a run of this script keeps that section as it was.
KEPT_BEGIN, KEPT_END = "<!-- python-spark:begin -->", "<!-- python-spark:end -->"


def kept_section(path):
    """The marked section of the current file, markers included, or None."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    if KEPT_BEGIN not in text or KEPT_END not in text:
        return None
    body = text.split(KEPT_BEGIN, 1)[1].split(KEPT_END, 1)[0]
    return KEPT_BEGIN + body + KEPT_END


def write_atomic(path, text):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stance", required=True)
    ap.add_argument("--data", help="directory of <name>/train.csv + test.csv")
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--kinds", default=",".join(peers.KINDS))
    ap.add_argument("--out", default="BENCHMARKS.md")
    ap.add_argument("--work", default="target/bench")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--predict-lines", type=int, default=200_000)
    ap.add_argument("--tune-budget", type=int, default=peers.TUNE_BUDGET,
                    help="configurations for `stance tune` per data set; 0 skips it")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds before a process is stopped (default 1800)")
    ap.add_argument("--mem-cap-gb", type=float, default=12,
                    help="address-space cap for scaling runs, GiB (default 12)")
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--skip-scaling", action="store_true")
    ap.add_argument("--skip-criterion", action="store_true")
    ap.add_argument("--resume", action="store_true",
                    help="reuse pieces an interrupted run of the same commit finished")
    ap.add_argument("--invocation", help="the command that started the run, for the record")
    a = ap.parse_args()

    def log(s):
        print(s, file=sys.stderr, flush=True)

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    kinds = a.kinds.split(",")
    facts = machine(root, sys.executable)
    load_before = loadavg()
    units = Units(a.work, facts["commit"], a.resume)
    results = []
    if not a.skip_peers:
        if not a.data or not os.path.isdir(a.data):
            raise SystemExit(f"bench.py: no data directory {a.data!r} (use --data or "
                             "--skip-peers)")
        names = [n for n in ORDER if os.path.isdir(os.path.join(a.data, n))]
        names += sorted(n for n in os.listdir(a.data)
                        if n not in ORDER and os.path.isfile(os.path.join(a.data, n, "train.csv")))
        for name in names:
            log(f"peers: {name}")
            d = os.path.join(a.data, name)
            train, test = os.path.join(d, "train.csv"), os.path.join(d, "test.csv")

            def measure(train=train, test=test, name=name):
                res = peers.compare(train, test, a.stance, os.path.join(a.work, name),
                                    kinds=kinds, predict_lines=a.predict_lines,
                                    repeat=a.repeat, timeout=a.timeout,
                                    tune_budget=a.tune_budget, log=log)
                res["load"] = loadavg()
                return res

            settings = {"train": train, "test": test, "kinds": kinds,
                        "predict_lines": a.predict_lines, "repeat": a.repeat,
                        "timeout": a.timeout, "tune_budget": a.tune_budget}
            results.append((name, units.get(f"peers-{name}", settings, measure, log)))
    sc = None
    if not a.skip_scaling:
        sizes = [int(s) for s in a.sizes.split(",") if s]
        sc = scaling(a.stance, os.path.join(a.work, "scaling"), sizes, kinds, a.timeout,
                     a.mem_cap_gb, units, log)
    cr = None if a.skip_criterion else criterion(root, log)
    with open(os.path.join(a.work, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"machine": facts, "peers": results, "scaling": sc, "criterion": cr}, f,
                  indent=1)

    md = ["# Benchmarks", ""]
    md.append("Generated by `scripts/bench`; do not edit by hand. Every figure is one run on "
              "the machine below (the median of several when `--repeat` says so), measured "
              "process to process: wall seconds from start to exit, CPU seconds (user + "
              "system) and peak resident memory from `wait4(2)`.\n")
    md.append("## Machine and versions\n")
    md.append(f"- CPU: {facts['cpu']}, {facts['cores']} cores; memory {facts['memory_mib']} MiB")
    md.append(f"- {facts['kernel']}; {facts['rustc']}; {facts['python']}")
    md.append(f"- Peers: {facts['packages']}")
    md.append(f"- stance commit measured: `{facts['commit']}`")
    md.append(f"- Date: {facts['date']}; load average (1, 5, 15 min) at the start: "
              f"{load_before}, at the end: {loadavg()}. On a shared machine the load shows "
              "how much other work competed for the cores; CPU seconds are less affected "
              "by it than wall seconds.")
    if units.reused:
        md.append("- Resumed run (`--resume`): these pieces were measured earlier by the same "
                  "commit, at the times given: " + ", ".join(units.reused) + ".")
    md.append("")
    if results:
        md.append("## stance and its peers\n")
        md.append("Peers: scikit-learn `TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)` "
                  "with `LogisticRegression(C=10, max_iter=2000)`, `LinearSVC(C=0.5)`, "
                  "`MultinomialNB(alpha=0.1)` or `ComplementNB(alpha=0.3)`; fastText "
                  "supervised (`epoch=25, wordNgrams=2, lr=0.5`, all cores); Vowpal Wabbit "
                  "(`--oaa K --ngram 2 --loss_function logistic -b 22`, 5 passes, shuffled "
                  "before each). stance uses every model kind's defaults, and `stance tune` "
                  f"(`--folds {peers.TUNE_FOLDS} --budget N`, N in the invocation below, "
                  f"{peers.TUNE_BUDGET} unless given) picks settings by cross-validation on "
                  "the training split alone; the summary gives the best stance figure (model "
                  "kind or `tune`) and the defaults' beside it. A peer's train "
                  "process reads the CSV, fits and saves the model (pickle, fastText or VW "
                  "file); its predict process loads the model and predicts the test CSV, as "
                  "`stance train` and `stance evaluate` do. \"Comparable\" scikit-learn "
                  f"pipelines are those within {peers.COMPARABLE_F1} macro-F1 of stance's "
                  "default (`nblr`) or above; when none is, the fastest of all is used.\n")
        md.append("### Summary\n")
        md.append(format_targets(results))
        for name, res in results:
            md.append(peers.format_compare(res, name))
            md.append(f"Load average after this data set: {res['load']}.\n")
    if sc:
        md.append("## Scaling\n")
        md.append(format_scaling(sc))
    if cr:
        md.append("## Pipeline stages\n")
        md.append(format_criterion(cr))
    kept = kept_section(a.out)
    if kept:
        md.append(kept + "\n")
    md.append("## Commands\n")
    md.append("Regenerate this file (builds stance, needs the peers' Python environment from "
              "`scripts/peers --setup`):\n")
    md.append("```sh\n" + (a.invocation or "scripts/bench") + "\n```\n")
    md.append("One split by hand: `scripts/peers TRAIN.csv TEST.csv`.\n")
    md.append("<details><summary>Every process this run started, in order (paths relative "
              "to the repository; `python` is the peers' environment's interpreter)</summary>\n")
    md.append("```sh")
    md.extend(peers.COMMANDS)
    md.append("```\n")
    md.append("</details>")
    text = "\n".join(md) + "\n"
    # Paths relative to the repository, so the file reads the same on every machine.
    text = text.replace(shlex.quote(sys.executable), "python").replace(root + os.sep, "")
    write_atomic(a.out, text)
    log(f"wrote {a.out}")


if __name__ == "__main__":
    main()
