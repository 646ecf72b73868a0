"""stance.Model and stance.train: the command line's models and numbers."""

import csv
import json
import math
import os
import struct
from decimal import Decimal

import numpy as np
import pytest

import stance
from conftest import ROOT, cli_error


def micros(p):
    """A probability as `stance predict --format jsonl` rounds it: the f32 widened to f64,
    times 10^6, rounded half away from zero (Rust's `round`)."""
    y = float(p) * 1e6
    f = math.floor(y)
    return int(f + 1 if y - f >= 0.5 else f)


def cli_predictions(cli, texts, *args):
    """Labels and probabilities (in millionths, exactly as printed) from `stance predict`."""
    _, out, _ = cli("predict", "--format", "jsonl", *args, input="\n".join(texts) + "\n")
    rows = [json.loads(l, parse_float=Decimal) for l in out.splitlines()]
    assert len(rows) == len(texts)
    return [r["label"] for r in rows], [
        {k: int(v * 1_000_000) for k, v in r["probabilities"].items()} for r in rows
    ]


def assert_same_as_cli(model, cli, texts, *args):
    labels, probs = cli_predictions(cli, texts, *args)
    p = model.predict_proba(texts)
    assert p.dtype == np.float32 and p.shape == (len(texts), len(model.labels))
    assert model.predict(texts) == labels
    got = [{l: micros(v) for l, v in zip(model.labels, row)} for row in p]
    assert got == probs


@pytest.mark.parametrize("task", ["stance", "sentiment"])
def test_built_in_models_give_the_command_lines_labels_and_probabilities(cli, quote_texts, task):
    m = stance.Model.builtin(task)
    assert m.labels == sorted(m.labels) and len(m.labels) == 3
    assert_same_as_cli(m, cli, quote_texts, "--task", task)
    u = stance.Model.builtin(task, prior="uniform")
    assert_same_as_cli(u, cli, quote_texts[:100], "--task", task, "--prior", "uniform")
    assert not np.array_equal(u.predict_proba(quote_texts[:5]), m.predict_proba(quote_texts[:5]))


def test_probabilities_are_rows_that_sum_to_one_and_predict_is_their_argmax(quote_texts):
    m = stance.Model.builtin()
    p = m.predict_proba(quote_texts)
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert [m.labels[i] for i in p.argmax(axis=1)] == m.predict(quote_texts)
    p[0, 0] = 0.5  # the array is the caller's
    assert m.predict_proba([]).shape == (0, 3) and m.predict([]) == []


def training_csv(tmp_path, n=3000):
    with open(os.path.join(ROOT, "datasets", "quotes.csv"), encoding="utf-8", newline="") as f:
        rows = [(r["text"], r["stance"]) for r in csv.DictReader(f) if r["split"] == "train"][:n]
    path = tmp_path / "train.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows)
    return path, [t for t, _ in rows], [l for _, l in rows]


def model_parts(path):
    """A model file's JSON header, and the bytes after it (vocabulary, IDF, weights) less
    the checksum."""
    b = open(path, "rb").read()
    assert b[:13] == b"STANCE-MODEL\n"
    (n,) = struct.unpack("<Q", b[17:25])
    return json.loads(b[25:25 + n]), b[25 + n:-32]


SETTINGS = [
    ([], {}),
    (["--model", "logreg", "--ngrams", "1-3", "--min-df", "2", "--class-weight", "balanced"],
     {"model": "logreg", "ngrams": (1, 3), "min_df": 2, "class_weight": "balanced"}),
    (["--model", "svm", "--char-ngrams", "2-4", "--nbsvm", "--seed", "5"],
     {"model": "svm", "char_ngrams": "2-4", "nbsvm": True, "seed": 5}),
    (["--marks", "--polarity", "--calibrate", "--prior", "uniform", "--language", "none"],
     {"marks": True, "polarity": True, "calibrate": True, "prior": "uniform", "language": "none"}),
]


@pytest.mark.parametrize("args,kwargs", SETTINGS, ids=["defaults", "logreg", "svm", "marks"])
def test_a_model_trained_in_python_is_the_one_the_command_line_trains(cli, tmp_path, quote_texts, args, kwargs):
    csv_path, texts, labels = training_csv(tmp_path)
    cli("train", "--data", csv_path, "-o", tmp_path / "cli.model", *args)
    py = stance.train(texts, labels, **kwargs)
    py.save(tmp_path / "py.model")
    (h_cli, body_cli), (h_py, body_py) = model_parts(tmp_path / "cli.model"), model_parts(tmp_path / "py.model")
    assert body_py == body_cli  # vocabulary, IDF and weights, byte for byte
    for h in (h_cli, h_py):
        del h["training"]["data_file"], h["training"]["data_sha256"], h["training"]["date"]
    assert h_py == h_cli
    # The same probabilities, bit for bit, from either file.
    from_cli = stance.Model.load(tmp_path / "cli.model")
    assert from_cli.predict_proba(quote_texts).tobytes() == py.predict_proba(quote_texts).tobytes()
    # And the command line reads the Python model.
    assert_same_as_cli(py, cli, quote_texts[:200], "--model", tmp_path / "py.model")


def test_a_saved_model_is_never_overwritten_without_force(cli, tmp_path):
    m = stance.train(["we will strike", "we will talk"] * 2, ["t", "c"] * 2)
    path = tmp_path / "m.model"
    m.save(path)
    code, _, err = cli("train", "--data", "tests/fixtures/tiny.csv", "-o", path, check=False)
    assert code == 2
    with pytest.raises(ValueError) as e:
        m.save(path)
    assert str(e.value) == cli_error(err)
    m.save(str(path), force=True)
    assert stance.Model.load(path).labels == ["c", "t"]
    assert stance.Model.load(path).info["training"]["rows"] == 4


def test_bad_model_files_and_settings_raise_value_error_with_the_command_lines_message(cli, tmp_path):
    bad = tmp_path / "bad.model"
    bad.write_bytes(b"STANCE-MODEL\n\x02\x00\x00\x00garbage")
    cases = [
        (("predict", "--model", bad, "x"), lambda: stance.Model.load(bad)),
        (("predict", "--model", tmp_path / "missing.model", "x"),
         lambda: stance.Model.load(tmp_path / "missing.model")),
        (("predict", "--prior", "threatening=1", "x"),
         lambda: stance.Model.builtin("stance", prior="threatening=1")),
        (("train", "--data", "tests/fixtures/tiny.csv", "-o", tmp_path / "o.model", "--ngrams", "3-1"),
         lambda: stance.train(["a"], ["b"], ngrams=(3, 1))),
        (("train", "--data", "tests/fixtures/tiny.csv", "-o", tmp_path / "o.model", "--language", "klingon"),
         lambda: stance.train(["a"], ["b"], language="klingon")),
        (("train", "--data", "tests/fixtures/tiny.csv", "-o", tmp_path / "o.model", "--alpha=-1"),
         lambda: stance.train(["a b", "c d"], ["x", "y"], alpha=-1.0)),
    ]
    for args, call in cases:
        code, _, err = cli(*args, check=False)
        assert code == 2, args
        with pytest.raises(ValueError) as e:
            call()
        assert str(e.value) == cli_error(err), args
    with pytest.raises(ValueError, match="unknown model \"forest\""):
        stance.train(["a", "b"], ["x", "y"], model="forest")
    with pytest.raises(ValueError, match="one label per text"):
        stance.train(["a", "b"], ["x"])
    with pytest.raises(ValueError, match="at least two distinct labels"):
        stance.train(["a", "b"], ["x", "x"])
    with pytest.raises(ValueError, match="unknown built-in model"):
        stance.Model.builtin("topic")
    with pytest.raises(TypeError):
        stance.train(["a", "b"], ["x", "y"], colour="red")
    with pytest.raises(TypeError):
        stance.Model.builtin().predict("one string")


def test_labels_that_are_numbers_are_written_as_a_csv_gives_them():
    m = stance.train(["good film", "bad film", "fine film", "awful film"], [1, 0, 1, 0])
    assert m.labels == ["0", "1"] and m.predict(["good"]) == ["1"]
