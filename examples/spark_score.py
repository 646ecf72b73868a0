#!/usr/bin/env python3
"""Score a news archive on Apache Spark with the `stance` Python package.

usage:
  spark-submit examples/spark_score.py INPUT OUTPUT [--speakers DIR] [--format jsonl|parquet]
      [--stance-model FILE] [--sentiment-model FILE] [--force]
  python examples/spark_score.py --master 'local[2]' INPUT OUTPUT ...   (no spark-submit)

INPUT is a directory (or file) of JSONL articles, one object per line with `id`, `text` and
optional `date`, as `stance score` reads them; or Parquet with those columns (`--format
parquet`, or a path ending in .parquet). Every quote is scored on the executors with
`mapInPandas` and written to OUTPUT as Parquet, one row per quote with the columns of
`stance score --format jsonl`. `--speakers DIR` also writes the `stance score --by speaker`
roll-up, computed as a Spark aggregation over the quote rows (one Parquet file).

The executors need the `stance` package (`pip install .` from a clone, or the wheel that
`pip wheel .` builds) in the Python that PYSPARK_PYTHON names. The built-in models are
compiled into the package, so nothing else travels; a model file given with
`--stance-model` / `--sentiment-model` is shipped to every executor by Spark
(`SparkContext.addFile`) and loaded there once per partition.
"""

import argparse
import os

from pyspark import SparkFiles
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (BooleanType, DoubleType, LongType, StringType, StructField,
                               StructType)

# The columns of `stance score --format jsonl`, in its (sorted) key order.
QUOTE_SCHEMA = StructType([
    StructField("article", StringType()),
    StructField("date", StringType()),
    StructField("end", LongType()),
    StructField("kind", StringType()),
    StructField("partial", BooleanType()),
    StructField("quote", StringType()),
    StructField("sentiment", StringType()),
    StructField("sentiment_confidence", DoubleType()),
    StructField("speaker", StringType()),
    StructField("speaker_title", StringType()),
    StructField("stance", StringType()),
    StructField("stance_confidence", DoubleType()),
    StructField("start", LongType()),
])

ARTICLE_SCHEMA = "id string, text string, date string"


def score_quotes(articles, stance_model=None, sentiment_model=None):
    """One row per quote (QUOTE_SCHEMA) from a DataFrame of `id`, `text`, `date`.

    `stance_model` and `sentiment_model` are names of files added with `addFile`, or None
    for the built-in models.
    """

    def score_batches(batches):
        import stance

        # The built-in models are loaded once per Python worker (the package keeps them);
        # a model file once per partition, from where Spark put it on this executor.
        st = stance.Model.load(SparkFiles.get(stance_model)) if stance_model else None
        se = stance.Model.load(SparkFiles.get(sentiment_model)) if sentiment_model else None
        for pdf in batches:
            yield stance.score_frame(pdf, text_col="text", id_col="id", date_col="date",
                                     stance_model=st, sentiment_model=se)

    return articles.select("id", "text", "date").mapInPandas(score_batches, schema=QUOTE_SCHEMA)


def speaker_rollup(quotes, stance_labels, sentiment_labels):
    """`stance score --by speaker` as a Spark aggregation over quote rows.

    Per speaker: quotes, articles, counts per stance and sentiment label, first and last
    date. Then, as the command line does, a one-word speaker (`Putin`) joins the row of the
    one full name of two or more capitalised words ending in it (`Vladimir Putin`); with
    two such names it stays a row of its own. Most quoted first, then by name (unknown
    first).
    """

    def counts(column, labels):
        return [F.sum(F.when(F.col(column) == l, 1).otherwise(0)).alias(f"{column}__{l}")
                for l in labels]

    per = quotes.groupBy("speaker").agg(
        F.count(F.lit(1)).alias("quotes"),
        F.countDistinct("article").alias("articles"),
        *counts("stance", stance_labels),
        *counts("sentiment", sentiment_labels),
        F.min("date").alias("first_date"),
        F.max("date").alias("last_date"),
    )
    # Java's \p{IsUppercase} is Rust's char::is_uppercase: a word is capitalised when its
    # first character is upper case. (\z: `$` would also match before a final newline.)
    full = (per.select(F.col("speaker").alias("full"))
            .where(F.col("full").rlike(r"^\p{IsUppercase}[^ ]*( \p{IsUppercase}[^ ]*)+\z"))
            .withColumn("last", F.element_at(F.split("full", " "), -1)))
    unique = (full.withColumn("n", F.count(F.lit(1)).over(Window.partitionBy("last")))
              .where("n = 1").drop("n"))
    single = F.col("speaker").rlike(r"^\p{IsUppercase}[^ ]*\z")
    canon = (per.join(unique, single & (F.col("speaker") == F.col("last")), "left")
             .withColumn("speaker", F.coalesce("full", "speaker")))
    sums = [F.sum(c).alias(c) for c in per.columns
            if c in ("quotes", "articles") or "__" in c]
    merged = canon.groupBy("speaker").agg(*sums, F.min("first_date").alias("first_date"),
                                          F.max("last_date").alias("last_date"))
    return merged.select(
        "speaker",
        F.col("quotes").cast("long").alias("quotes"),
        F.col("articles").cast("long").alias("articles"),
        F.struct(*[F.col(f"stance__{l}").cast("long").alias(l) for l in stance_labels])
        .alias("stance"),
        F.struct(*[F.col(f"sentiment__{l}").cast("long").alias(l) for l in sentiment_labels])
        .alias("sentiment"),
        "first_date",
        "last_date",
    ).orderBy(F.desc("quotes"), F.asc_nulls_first("speaker"))


def read_articles(spark, path, fmt=None):
    """Articles as `id`, `text`, `date` (strings; `date` null where absent)."""
    fmt = fmt or ("parquet" if path.rstrip("/").endswith(".parquet") else "jsonl")
    if fmt == "parquet":
        df = spark.read.parquet(path)
        if "date" not in df.columns:
            df = df.withColumn("date", F.lit(None).cast("string"))
        return df.select(F.col("id").cast("string"), "text", F.col("date").cast("string"))
    # A schema, so Spark reads the files once instead of twice (inferring it first).
    return spark.read.schema(ARTICLE_SCHEMA).json(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output", help="Parquet directory of quote rows")
    ap.add_argument("--speakers", help="also write the roll-up by speaker here (Parquet)")
    ap.add_argument("--format", choices=["jsonl", "parquet"])
    ap.add_argument("--stance-model", help="model file (default: the built-in stance model)")
    ap.add_argument("--sentiment-model", help="model file (default: the built-in one)")
    ap.add_argument("--force", action="store_true", help="replace existing output")
    ap.add_argument("--master", help="e.g. local[2], when not started by spark-submit")
    a = ap.parse_args()

    builder = SparkSession.builder.appName("stance-score")
    if a.master:
        builder = builder.master(a.master)
    spark = builder.getOrCreate()
    names = []
    for path in (a.stance_model, a.sentiment_model):
        if path:
            spark.sparkContext.addFile(path)
        names.append(os.path.basename(path) if path else None)

    quotes = score_quotes(read_articles(spark, a.input, a.format), *names)
    mode = "overwrite" if a.force else "errorifexists"
    if a.speakers:
        # Scored once, read twice.
        quotes = quotes.cache()
    quotes.write.mode(mode).parquet(a.output)
    if a.speakers:
        import stance

        st = stance.Model.load(a.stance_model) if a.stance_model else stance.Model.builtin("stance")
        se = (stance.Model.load(a.sentiment_model) if a.sentiment_model
              else stance.Model.builtin("sentiment"))
        rows = speaker_rollup(quotes, st.labels, se.labels)
        rows.coalesce(1).write.mode(mode).parquet(a.speakers)
    spark.stop()


if __name__ == "__main__":
    main()
