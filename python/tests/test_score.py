"""stance.score and stance.score_frame: the rows of `stance score --format jsonl`."""

import glob
import os
import sys
import threading
import time

import pytest

import stance
from conftest import ROOT, cli_error, jsonl, read_articles

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "articles")


def fixture_records():
    recs = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.txt"))):
        with open(path, encoding="utf-8", newline="") as f:
            recs.append({"id": os.path.relpath(path, ROOT), "text": f.read()})
    return recs


@pytest.mark.parametrize("by", ["quote", "article", "speaker"])
def test_rows_equal_the_command_lines_on_the_fixture_articles(cli, by):
    _, out, _ = cli("score", os.path.relpath(FIXTURES, ROOT), "--by", by, "--format", "jsonl")
    want = jsonl(out)
    assert len(want) > 5
    assert stance.score(fixture_records(), by=by) == want


@pytest.mark.parametrize("by", ["quote", "article", "speaker"])
def test_rows_equal_the_command_lines_on_generated_jsonl(cli, articles_dir, by):
    _, out, _ = cli("score", articles_dir, "--by", by, "--format", "jsonl")
    want = jsonl(out)
    got = stance.score(read_articles(articles_dir), by=by)
    assert len(got) == len(want) and got == want


def test_options_give_the_rows_of_the_matching_flags(cli, articles_dir):
    path = articles_dir / "part-00000.jsonl"
    recs = read_articles(articles_dir)[:100]
    flags = [
        (["--all-quotes"], {"all_quotes": True}),
        (["--explain"], {"explain": True}),
        (["--keep-scare-quotes", "--all-quotes"], {"keep_scare_quotes": True, "all_quotes": True}),
        (["--max-quote-chars", "60"], {"max_quote_chars": 60}),
        (["--prior", "uniform", "--sentiment-prior", "train"],
         {"prior": "uniform", "sentiment_prior": "train"}),
    ]
    for args, kwargs in flags:
        _, out, _ = cli("score", path, "--format", "jsonl", *args)
        assert stance.score(recs, **kwargs) == jsonl(out), args


def test_plain_strings_are_articles_named_by_their_position():
    rows = stance.score(['"We will strike back," the general said.', "no quotes", '"Talks are welcome," she said.'])
    assert [r["article"] for r in rows] == ["0", "2"]
    assert list(rows[0]) == sorted(stance.QUOTE_COLUMNS)
    assert rows[0]["stance"] in ("threatening", "conciliatory", "neutral")
    assert 0 < rows[0]["stance_confidence"] <= 1


def test_record_values_are_read_as_a_jsonl_line_gives_them(cli, tmp_path):
    import datetime

    text = 'date 2020-01-01\n"We will not back down," the mayor said.'
    line = '{"id": 17, "text": %s, "date": "2024-05-06"}\n' % __import__("json").dumps(text)
    (tmp_path / "a.jsonl").write_text(line, encoding="utf-8")
    _, out, _ = cli("score", tmp_path / "a.jsonl", "--format", "jsonl")
    want = jsonl(out)
    assert want[0]["article"] == "17" and want[0]["date"] == "2024-05-06"
    assert stance.score([{"id": 17, "text": text, "date": "2024-05-06"}]) == want
    assert stance.score([{"id": 17, "text": text, "date": datetime.date(2024, 5, 6)}]) == want
    # No date key: the prefix's date, as the command line reads it.
    assert stance.score([{"id": "x", "text": text}])[0]["date"] == "2020-01-01"


def test_a_model_path_or_object_replaces_a_built_in_one(cli, tmp_path, articles_dir):
    m = stance.train(["we will strike", "we will talk", "strike them now", "talk to them now"] * 3,
                     ["threat", "offer", "threat", "offer"] * 3)
    m.save(tmp_path / "tiny.model")
    path = articles_dir / "part-00001.jsonl"
    _, out, _ = cli("score", path, "--format", "jsonl", "--stance-model", tmp_path / "tiny.model")
    recs = read_articles(articles_dir)[100:200]
    assert stance.score(recs, stance_model=tmp_path / "tiny.model") == jsonl(out)
    assert stance.score(recs, stance_model=m) == jsonl(out)
    _, out, _ = cli("score", path, "--format", "jsonl", "--by", "article",
                    "--stance-model", tmp_path / "tiny.model")
    assert stance.score(recs, by="article", stance_model=m) == jsonl(out)


def test_bad_input_raises_value_error_with_the_command_lines_message(cli, tmp_path):
    code, _, err = cli("score", "--prior", "neutral=2", "tests/fixtures/articles", check=False)
    assert code == 2
    with pytest.raises(ValueError) as e:
        stance.score(["x"], prior="neutral=2")
    assert str(e.value) == cli_error(err)
    (tmp_path / "bad.model").write_bytes(b"not a model")
    code, _, err = cli("score", "--stance-model", tmp_path / "bad.model", "tests/fixtures/articles",
                       check=False)
    assert code == 2
    with pytest.raises(ValueError) as e:
        stance.score(["x"], stance_model=tmp_path / "bad.model")
    assert str(e.value) == cli_error(err)
    with pytest.raises(ValueError, match='no "text" key'):
        stance.score([{"id": "a"}])
    with pytest.raises(ValueError, match="not a string"):
        stance.score([{"text": 3}])
    with pytest.raises(ValueError, match="expected \"quote\", \"article\" or \"speaker\""):
        stance.score(["x"], by="paragraph")
    with pytest.raises(ValueError, match="explain=True needs by=\"quote\""):
        stance.score(["x"], by="speaker", explain=True)
    with pytest.raises(ValueError, match="prior for a Model object"):
        stance.score(["x"], stance_model=stance.Model.builtin(), prior="uniform")
    with pytest.raises(TypeError):
        stance.score("one string, not a list")
    assert stance.score([]) == [] and stance.score([], by="speaker") == []


def records(df):
    """A frame's rows as dicts, missing values as None (pandas shows them as NaN)."""
    return df.astype(object).where(df.notna(), None).to_dict("records")


def test_score_frame_gives_the_rows_as_a_data_frame(articles_dir):
    pd = pytest.importorskip("pandas")
    recs = read_articles(articles_dir)[:80]
    df = pd.DataFrame(recs)
    got = stance.score_frame(df, text_col="text", id_col="id", date_col="date")
    want = stance.score(recs)
    assert list(got.columns) == sorted(stance.QUOTE_COLUMNS)
    assert records(got) == want
    # The index names the articles when no id column is given; dates may be timestamps.
    df2 = pd.DataFrame({"body": [r["text"] for r in recs]}, index=[r["id"] for r in recs])
    df2["day"] = pd.to_datetime([r.get("date") for r in recs])
    no_dates = [dict(r, date=r.get("date")) for r in recs]
    got2 = stance.score_frame(df2, text_col="body", date_col="day")
    assert records(got2) == stance.score(no_dates)
    by_speaker = stance.score_frame(df, id_col="id", date_col="date", by="speaker")
    assert records(by_speaker) == stance.score(recs, by="speaker")
    empty = stance.score_frame(df.iloc[:0], id_col="id")
    assert len(empty) == 0 and list(empty.columns) == sorted(stance.QUOTE_COLUMNS)
    with pytest.raises(ValueError, match="no column named 'txt'"):
        stance.score_frame(df, text_col="txt")
    with pytest.raises(TypeError, match="unexpected keyword"):
        stance.score_frame(df, colour="red")


def test_score_frame_without_pandas_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        stance.score_frame(object())


def test_scoring_releases_the_gil(articles_dir):
    """Python threads keep running while a long score call works."""
    recs = read_articles(articles_dir) * 20
    done = threading.Event()
    ticks = 0

    def work():
        stance.score(recs)
        done.set()

    t = threading.Thread(target=work)
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    elapsed = time.perf_counter() - start
    assert elapsed > 0.2, "too little work to tell"
    # With the GIL held the loop would not tick at all while Rust scores.
    assert ticks > elapsed * 100, (ticks, elapsed)
