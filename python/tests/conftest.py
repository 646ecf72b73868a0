"""Shared fixtures: the repository, the `stance` binary the Python results are compared
with, and generated articles (scripts/articles.py)."""

import csv
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def stance_bin():
    """The command line to compare with: $STANCE_BIN, else target/release/stance."""
    return os.environ.get("STANCE_BIN") or os.path.join(ROOT, "target", "release", "stance")


@pytest.fixture(scope="session")
def cli():
    """Run the command line; returns (exit code, stdout, stderr)."""
    path = stance_bin()
    if not os.path.exists(path):
        pytest.fail(f"no stance binary at {path}: run `cargo build --release` or set STANCE_BIN")

    def run(*args, input=None, check=True):
        p = subprocess.run([path, *map(str, args)], input=input, capture_output=True,
                           text=True, cwd=ROOT)
        if check and p.returncode != 0:
            raise AssertionError(f"stance {' '.join(map(str, args))} exited {p.returncode}: {p.stderr}")
        return p.returncode, p.stdout, p.stderr

    return run


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def cli_error(stderr):
    """The message of the command line's one error line."""
    lines = [l for l in stderr.splitlines() if l.startswith("error: ")]
    assert lines, stderr
    return lines[-1][len("error: "):]


@pytest.fixture(scope="session")
def articles_dir(tmp_path_factory):
    """300 generated articles in 3 JSONL files."""
    out = tmp_path_factory.mktemp("gen") / "articles"
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "articles.py"), "--n", "300",
                    "--seed", "7", "--files", "3", "-o", str(out)], check=True,
                   capture_output=True)
    return out


def read_articles(directory):
    """The records of every JSONL file of a directory, in the order `stance score` reads
    them (files sorted by name)."""
    recs = []
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            recs.extend(json.loads(l) for l in f if l.strip())
    return recs


@pytest.fixture(scope="session")
def quote_texts():
    """600 statements of the corpus's test split."""
    with open(os.path.join(ROOT, "datasets", "quotes.csv"), encoding="utf-8", newline="") as f:
        rows = [r["text"] for r in csv.DictReader(f) if r["split"] == "test"]
    return rows[:600]
