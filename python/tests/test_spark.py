"""examples/spark_score.py and examples/spark_pipe.py on PySpark in local mode: their rows
are `stance score`'s rows on the same articles.

Without PySpark or Java these tests are skipped, unless STANCE_REQUIRE_SPARK is set (as
.ci/run sets it), when they fail instead.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, jsonl, stance_bin

N_ARTICLES = 2000


def spark_missing():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed"
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "no Java (java on the PATH or JAVA_HOME)"
    return None


@pytest.fixture(scope="module", autouse=True)
def spark_available():
    why = spark_missing()
    if why and os.environ.get("STANCE_REQUIRE_SPARK"):
        pytest.fail(f"STANCE_REQUIRE_SPARK is set but {why}")
    if why:
        pytest.skip(f"SKIPPED: {why}")


def run_example(name, *args):
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    p = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name),
                        "--master", "local[2]", *map(str, args)],
                       capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-5000:]


def parquet_rows(path):
    import pandas as pd

    df = pd.read_parquet(path)
    return df.astype(object).where(df.notna(), None).to_dict("records")


def by_quote(rows):
    return sorted(rows, key=lambda r: (r["article"], r["start"]))


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """2,000 generated articles in 4 JSONL files (and an empty one), with the command
    line's rows by quote and by speaker."""
    d = tmp_path_factory.mktemp("spark")
    arts = d / "articles"
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "articles.py"), "--n",
                    str(N_ARTICLES), "--seed", "2024", "-o", str(arts)], check=True,
                   capture_output=True)
    (arts / "part-empty.jsonl").write_text("")
    rows = {}
    for by in ("quote", "speaker"):
        p = subprocess.run([stance_bin(), "score", str(arts), "--by", by, "--format", "jsonl"],
                           capture_output=True, text=True, check=True)
        rows[by] = jsonl(p.stdout)
    assert len(rows["quote"]) > 5 * N_ARTICLES
    return d, arts, rows


def test_spark_score_writes_the_command_lines_rows_and_speaker_rollup(archive):
    d, arts, want = archive
    run_example("spark_score.py", arts, d / "quotes", "--speakers", d / "speakers")
    got = parquet_rows(d / "quotes")
    assert len(got) == len(want["quote"])
    assert by_quote(got) == by_quote(want["quote"])
    # Most quoted first, surnames merged into full names: the command line's order too.
    speakers = parquet_rows(d / "speakers")
    assert speakers == want["speaker"]
    assert any(r["speaker"] and " " not in r["speaker"] for r in speakers)


def test_spark_score_reads_parquet_and_ships_a_model_file(archive, tmp_path):
    import pandas as pd

    import stance

    _, arts, _ = archive
    recs = [json.loads(l) for l in open(arts / "part-00000.jsonl", encoding="utf-8")][:200]
    pd.DataFrame(recs).to_parquet(tmp_path / "articles.parquet")
    m = stance.train(["we will strike", "we will talk", "strike them now", "talk to them"] * 3,
                     ["threat", "offer"] * 6)
    m.save(tmp_path / "mine.model")
    run_example("spark_score.py", tmp_path / "articles.parquet", tmp_path / "quotes",
                "--stance-model", tmp_path / "mine.model")
    got = parquet_rows(tmp_path / "quotes")
    assert by_quote(got) == by_quote(stance.score(recs, stance_model=m))
    assert {r["stance"] for r in got} <= {"threat", "offer"}


def test_spark_pipe_through_the_binary_shipped_with_files_gives_the_same_rows(archive):
    """The README's recipe: spark-submit --files stance examples/spark_pipe.py IN OUT."""
    d, arts, want = archive
    spark_submit = os.path.join(os.path.dirname(sys.executable), "spark-submit")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    assert os.path.basename(stance_bin()) == "stance"
    p = subprocess.run([spark_submit, "--master", "local[2]", "--files", stance_bin(),
                        os.path.join(ROOT, "examples", "spark_pipe.py"), str(arts), str(d / "piped")],
                       capture_output=True, text=True, env=env, cwd=d)
    assert p.returncode == 0, p.stderr[-5000:]
    got = parquet_rows(d / "piped")
    assert by_quote(got) == by_quote(want["quote"])
