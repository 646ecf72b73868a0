"""stance: quoted statements in news articles, who said them, their stance and sentiment.

The Python face of the ``stance`` Rust library (the one the ``stance`` command line is built
on): the same functions, the same models, the same rows.

>>> import stance
>>> rows = stance.score(['"We will strike back," the general said.'])
>>> rows[0]["speaker"], rows[0]["stance"]
('the general', 'threatening')

- :func:`extract` finds the quotes of one text, with speakers and character offsets.
- :func:`score` classifies every quote of many articles by stance and sentiment, and rolls
  the rows up by article or speaker: the rows and keys of ``stance score --format jsonl``.
- :func:`score_frame` does the same for a pandas DataFrame.
- :class:`Model` is one model file (or a built-in model): ``predict``, ``predict_proba``,
  ``save``; :func:`train` fits one with ``stance train``'s settings.

Long calls release the GIL and run on all cores. Bad input raises ``ValueError`` with the
message the command line prints.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import numbers
import os

from . import _stance

__all__ = ["Model", "extract", "score", "score_frame", "train", "QUOTE_COLUMNS"]

#: The columns of ``stance score --format jsonl`` (``--by quote``), in the order the command
#: line writes them (keys sorted); ``explain=True`` adds ``stance_ngrams`` and
#: ``sentiment_ngrams``.
QUOTE_COLUMNS = (
    "article",
    "date",
    "end",
    "kind",
    "partial",
    "quote",
    "sentiment",
    "sentiment_confidence",
    "speaker",
    "speaker_title",
    "stance",
    "stance_confidence",
    "start",
)


def _texts(texts, what="texts"):
    """A list of str from any iterable of str (a list, a tuple, a pandas Series)."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{what}: expected a list of strings, got one {type(texts).__name__}")
    return list(texts)


class Model:
    """A fitted text classifier: one model file, or one of the two built-in models.

    Probabilities follow :attr:`labels` (sorted) and sum to 1; they are computed under the
    class prior chosen when the model was loaded (``prior="model"``: the one the file
    carries, else the training shares; see the README's "Class priors").
    """

    __slots__ = ("_m",)

    def __init__(self, native):
        self._m = native

    @classmethod
    def builtin(cls, task: str = "stance", *, prior: str = "model") -> "Model":
        """The built-in ``"stance"`` or ``"sentiment"`` model (compiled into the package).

        ``prior`` is ``"model"``, ``"train"``, ``"uniform"`` or shares such as
        ``"neutral=0.9,threatening=0.05,conciliatory=0.05"``, as ``stance predict --prior``.
        """
        return cls(_stance.Model.builtin(task, prior))

    @classmethod
    def load(cls, path, *, prior: str = "model") -> "Model":
        """The model file at ``path`` (written by ``stance train`` or :meth:`save`)."""
        return cls(_stance.Model.load(os.fspath(path), prior))

    @property
    def labels(self) -> list:
        """The labels, sorted: the column order of :meth:`predict_proba`."""
        return self._m.labels

    @property
    def info(self) -> dict:
        """The model file's header: feature and model settings, labels, training record."""
        return json.loads(self._m.header)

    def predict(self, texts) -> list:
        """The most probable label of each text (``stance predict``), in input order."""
        return self._m.predict(_texts(texts))

    def predict_proba(self, texts):
        """Probabilities as a NumPy ``float32`` array of shape (len(texts), len(labels)).

        The values are the ``f32`` numbers the library computes, bit for bit; ``stance
        predict --format jsonl`` prints the same numbers rounded to six decimals.
        """
        import numpy as np

        texts = _texts(texts)
        raw = self._m.predict_proba(texts)
        # A copy, so the array owns writable memory rather than the immutable bytes.
        return np.frombuffer(raw, dtype=np.float32).reshape(len(texts), len(self.labels)).copy()

    def save(self, path, force: bool = False) -> None:
        """Write the model file atomically. An existing file is replaced only with
        ``force=True``; the command line reads the file with ``--model PATH``."""
        self._m.save(os.fspath(path), bool(force))

    def __repr__(self):
        return f"stance.Model(labels={self.labels!r})"


@functools.lru_cache(maxsize=None)
def _builtin(task, prior):
    # Loading a built-in model takes a few tens of milliseconds; score() is called once per
    # batch (in Spark, per Arrow batch), so each model is loaded once per process.
    return Model.builtin(task, prior=prior)


def _model(m, task, prior):
    if m is None:
        return _builtin(task, prior)
    if isinstance(m, Model):
        if prior != "model":
            raise ValueError(
                f"a prior for a Model object is set when it is loaded: "
                f"Model.load(path, prior={prior!r})"
            )
        return m
    return Model.load(m, prior=prior)


def _field(v):
    """A record value as ``stance score`` reads it from JSONL: strings as they are, numbers
    and booleans as JSON writes them, dates as YYYY-MM-DD, missing values (None, NaN, NaT)
    as absent."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if type(v).__name__ == "NAType":  # pandas.NA, without importing pandas
        return None
    try:
        if v != v:  # NaN, NaT
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, _dt.datetime):
        return v.date().isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, numbers.Real):
        return json.dumps(float(v))
    return str(v)


def _columns(texts_or_articles):
    """Parallel text, id and date lists: a string is an article whose id is its position; a
    mapping is a record with ``text`` and optional ``id`` and ``date``, as a JSONL line."""
    texts, ids, dates = [], [], []
    for i, a in enumerate(_texts(texts_or_articles, "texts_or_articles")):
        if isinstance(a, str):
            texts.append(a)
            ids.append(str(i))
            dates.append(None)
            continue
        try:
            text = a["text"]
        except (KeyError, TypeError, IndexError):
            raise ValueError(
                f'article {i}: no "text" key (give strings, or mappings with "text" and '
                f'optional "id" and "date")'
            ) from None
        if not isinstance(text, str):
            raise ValueError(f'article {i}: "text" is a {type(text).__name__}, not a string')
        ident = _field(a.get("id"))
        texts.append(text)
        ids.append(str(i) if ident is None else ident)
        dates.append(_field(a.get("date")))
    return texts, ids, dates


def extract(
    text: str,
    date: str | None = None,
    *,
    id: str | None = None,
    keep_scare_quotes: bool = False,
    max_quote_chars: int = 5000,
) -> list:
    """Every quoted statement of one article: ``stance extract --format jsonl`` rows.

    Each row has ``quote``, ``speaker`` and ``speaker_title`` (None when unknown), ``start``
    and ``end`` (character offsets: ``text[start:end] == quote``), ``kind`` (``direct``,
    ``partial`` or ``scare``), ``partial``, ``date`` (``date``, else a leading ``date
    YYYY-MM-DD`` line of the text) and ``article`` (``id``).
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected a string, got {type(text).__name__}")
    return _stance.extract(text, _field(id), _field(date), bool(keep_scare_quotes), max_quote_chars)


def score(
    texts_or_articles,
    by: str = "quote",
    *,
    stance_model=None,
    sentiment_model=None,
    prior: str = "model",
    sentiment_prior: str = "model",
    all_quotes: bool = False,
    explain: bool = False,
    keep_scare_quotes: bool = False,
    max_quote_chars: int = 5000,
) -> list:
    """Score articles: the rows of ``stance score --by BY --format jsonl``, as dicts.

    ``texts_or_articles`` holds strings (the article's id is then its position, as a
    string) or mappings like a JSONL line: ``text``, optional ``id`` and ``date``.

    ``by="quote"``: one row per classified quote (direct quotes, and partial quotes of four
    or more words unless ``all_quotes``), keys :data:`QUOTE_COLUMNS`. ``by="article"``: one
    row per article with counts per stance label and its most threatening quote.
    ``by="speaker"``: one row per speaker across all the articles, surnames merged into full
    names, most quoted first.

    ``stance_model`` and ``sentiment_model`` are a :class:`Model`, a model file's path, or
    None for the built-in ones; ``prior`` and ``sentiment_prior`` apply to models loaded
    here (``--prior``, ``--sentiment-prior``). ``explain=True`` adds the n-grams that moved
    each quote most (``--explain``).
    """
    return _score(
        *_columns(texts_or_articles),
        by,
        stance_model=stance_model,
        sentiment_model=sentiment_model,
        prior=prior,
        sentiment_prior=sentiment_prior,
        all_quotes=all_quotes,
        explain=explain,
        keep_scare_quotes=keep_scare_quotes,
        max_quote_chars=max_quote_chars,
    )


def _score(
    texts,
    ids,
    dates,
    by,
    *,
    stance_model=None,
    sentiment_model=None,
    prior="model",
    sentiment_prior="model",
    all_quotes=False,
    explain=False,
    keep_scare_quotes=False,
    max_quote_chars=5000,
):
    st = _model(stance_model, "stance", prior)
    se = _model(sentiment_model, "sentiment", sentiment_prior)
    rows, _left_out = _stance.score(
        texts,
        ids,
        dates,
        by,
        st._m,
        se._m,
        bool(keep_scare_quotes),
        max_quote_chars,
        bool(all_quotes),
        bool(explain),
    )
    return rows


def score_frame(
    df,
    text_col: str = "text",
    id_col: str | None = None,
    date_col: str | None = None,
    by: str = "quote",
    **options,
):
    """:func:`score` for a pandas DataFrame: one row per quote (or article, or speaker) as a
    DataFrame with the columns of ``stance score --format jsonl``.

    ``text_col`` holds the article texts; ``id_col`` the ids (default: the frame's index);
    ``date_col`` the dates (strings, or dates and timestamps, written YYYY-MM-DD). Other
    keyword arguments are :func:`score`'s. Needs pandas.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "stance.score_frame needs pandas, which is not installed: pip install pandas "
            "(stance.score takes plain lists without it)"
        ) from None
    for col in (text_col, id_col, date_col):
        if col is not None and col not in df.columns:
            have = ", ".join(map(str, df.columns))
            raise ValueError(f"no column named {col!r} (columns: {have})")
    texts = df[text_col].tolist()
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise ValueError(f"{text_col}: row {i} is a {type(t).__name__}, not a string")
    ids = df[id_col].tolist() if id_col is not None else df.index.tolist()
    dates = df[date_col].tolist() if date_col is not None else [None] * len(texts)
    ids = [str(i) if f is None else f for i, f in enumerate(map(_field, ids))]
    dates = [_field(d) for d in dates]
    rows = _score(texts, ids, dates, by, **options)
    columns = None
    if by == "quote":
        explain = options.get("explain", False)
        columns = list(QUOTE_COLUMNS) + (["sentiment_ngrams", "stance_ngrams"] if explain else [])
        columns.sort()
    return pd.DataFrame(rows, columns=columns)


def _range(v):
    """An n-gram range as a (lo, hi) tuple, from a tuple or list or ``"LO-HI"``."""
    if v is None:
        return None
    if isinstance(v, str):
        lo, _, hi = v.partition("-")
        try:
            return (int(lo), int(hi or lo))
        except ValueError:
            raise ValueError(f"{v!r}: expected LO-HI, e.g. 1-2") from None
    return tuple(v)


def train(texts, labels, **settings) -> Model:
    """Fit a model on texts and their labels, as ``stance train`` does on a CSV.

    Settings are ``stance train``'s options, named in Python (defaults in brackets):
    ``model`` ["nblr"; "logreg", "nb", "cnb", "svm"], ``nbsvm`` [False], ``ngrams``
    [(1, 2)], ``char_ngrams`` [None, e.g. (2, 5)], ``min_df`` [1; 2 from 100,000 rows],
    ``max_df`` [1.0], ``max_features`` [None], ``sublinear_tf`` [True], ``alpha`` [0.1],
    ``c`` [10; svm 0.5], ``class_weight`` ["none", "balanced"], ``max_iter`` [1000],
    ``language`` ["english"; "none" or a Snowball language], ``negation`` [True],
    ``stop_words`` [False], ``marks`` [False], ``polarity`` [False], ``polarity_list``
    [None; a CSV path], ``seed`` [42], ``calibrate`` [False], ``calibration_fraction``
    [0.1], ``prior`` ["train"; the prior stored in the model]. The same rows and settings
    give the model ``stance train`` gives, bit for bit.
    """
    for key in ("ngrams", "char_ngrams"):
        if key in settings:
            settings[key] = _range(settings[key])
    if "polarity_list" in settings and settings["polarity_list"] is not None:
        settings["polarity_list"] = os.fspath(settings["polarity_list"])
    labels = [_field(v) for v in _texts(labels, "labels")]
    if None in labels:
        raise ValueError(f"labels: row {labels.index(None)} has no label")
    return Model(_stance.train(_texts(texts), labels, **settings))
