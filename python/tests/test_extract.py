"""stance.extract: the rows of `stance extract --format jsonl`."""

import glob
import os

import pytest

import stance
from conftest import ROOT, jsonl

FIXTURES = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "articles", "*.txt")))


def read(path):
    # newline="": offsets count the characters as the command line reads them, \r included.
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def test_extract_rows_equal_the_command_lines_on_every_fixture_article(cli):
    assert len(FIXTURES) >= 10
    for path in FIXTURES:
        rel = os.path.relpath(path, ROOT)
        _, out, _ = cli("extract", rel, "--format", "jsonl")
        assert stance.extract(read(path), id=rel) == jsonl(out), rel


def test_offsets_index_the_python_string_and_the_date_prefix_is_read():
    text = 'date 2024-03-01\n“Nous négocierons,” said Éloïse Marchand. He called it “a very bad deal for us”.'
    rows = stance.extract(text)
    assert [r["quote"] for r in rows] == ["Nous négocierons,", "a very bad deal for us"]
    for r in rows:
        assert text[r["start"]:r["end"]] == r["quote"]
        assert r["date"] == "2024-03-01" and r["article"] is None
    assert rows[0]["speaker"] == "Éloïse Marchand" and rows[0]["kind"] == "direct"
    assert rows[1]["kind"] == "partial" and rows[1]["partial"] is True


def test_a_date_given_wins_over_the_prefix_and_an_id_names_the_article():
    rows = stance.extract('date 2024-03-01\n"We will talk," she said.', "2025-01-02", id="x1")
    assert [(r["date"], r["article"]) for r in rows] == [("2025-01-02", "x1")]


def test_scare_quotes_and_over_long_quotes_follow_the_options():
    text = 'The so-called "reform" passed. "' + "word " * 50 + '," he said.'
    assert [r["kind"] for r in stance.extract(text)] == ["direct"]
    assert [r["kind"] for r in stance.extract(text, keep_scare_quotes=True)] == ["scare", "direct"]
    assert stance.extract(text, max_quote_chars=100) == []


def test_extract_refuses_what_is_not_one_text():
    with pytest.raises(TypeError, match="expected a string"):
        stance.extract(["two", "texts"])
    assert stance.extract("") == []
