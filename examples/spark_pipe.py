#!/usr/bin/env python3
"""Score a news archive on Apache Spark with nothing installed on the executors: each
partition's JSONL lines are piped through the `stance` binary, shipped with `--files`.

usage:
  spark-submit --files stance examples/spark_pipe.py INPUT OUTPUT [--force]
  python examples/spark_pipe.py --master 'local[2]' --binary target/release/stance INPUT OUTPUT

INPUT is JSONL articles (`id`, `text`, optional `date`), a file or a directory. OUTPUT is
Parquet with the columns of `stance score --format jsonl`, the rows `mapInPandas` in
spark_score.py gives. For a cluster, build a binary that needs no shared libraries, since
the executors' system may differ from the build machine's:

  RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --target x86_64-unknown-linux-gnu

and ship target/x86_64-unknown-linux-gnu/release/stance with `--files`: Spark puts it,
executable, in each executor's working directory, where `./stance` finds it (in local mode,
where the driver is the executor, `SparkFiles.get("stance")` does). The built-in
models are inside the binary; a model file goes along with `--files my.model` and
`--stance-model my.model` in the command below.
"""

import argparse

from pyspark import SparkFiles
from pyspark.sql import SparkSession

# The columns of `stance score --format jsonl`, in its (sorted) key order.
QUOTE_COLUMNS = ("article string, date string, end long, kind string, partial boolean, "
                 "quote string, sentiment string, sentiment_confidence double, speaker string, "
                 "speaker_title string, stance string, stance_confidence double, start long")


def pipe_command(binary, *args):
    """The command each partition runs. `stance score` refuses input without an article
    (exit 2), and a partition can be empty (an empty file, more partitions than lines), so
    the binary only starts once a first line has come."""
    score = " ".join([binary, "score", "-", "--format", "jsonl", *args])
    script = f'IFS= read -r first || exit 0; {{ printf "%s\\n" "$first"; cat; }} | exec {score}'
    # RDD.pipe splits its command with shlex, so the script is one quoted argument.
    return "sh -c '" + script.replace("'", "'\\''") + "'"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--binary",
                    help="the stance binary on the executors (default: the one --files shipped)")
    ap.add_argument("--force", action="store_true", help="replace existing output")
    ap.add_argument("--master", help="e.g. local[2], when not started by spark-submit")
    a = ap.parse_args()
    builder = SparkSession.builder.appName("stance-pipe")
    if a.master:
        builder = builder.master(a.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    binary = a.binary
    if binary is None:
        # `--files` puts the binary in each executor's working directory; in local mode the
        # executor is the driver, which keeps such files in a directory of its own.
        binary = SparkFiles.get("stance") if sc.master.startswith("local") else "./stance"
    lines = sc.textFile(a.input)
    rows = lines.pipe(pipe_command(binary), checkCode=True)
    quotes = spark.read.schema(QUOTE_COLUMNS).json(rows)
    quotes.write.mode("overwrite" if a.force else "errorifexists").parquet(a.output)
    spark.stop()


if __name__ == "__main__":
    main()
