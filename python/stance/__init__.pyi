# Type stubs of the `stance` package (the docstrings are in __init__.py).
import os
from typing import Any, Iterable, Mapping, Sequence, Union

import numpy as np
import numpy.typing as npt

_Path = Union[str, "os.PathLike[str]"]
_Article = Union[str, Mapping[str, Any]]
_ModelRef = Union["Model", _Path, None]
_Range = Union[tuple[int, int], Sequence[int], str]

QUOTE_COLUMNS: tuple[str, ...]

class Model:
    @classmethod
    def builtin(cls, task: str = "stance", *, prior: str = "model") -> Model: ...
    @classmethod
    def load(cls, path: _Path, *, prior: str = "model") -> Model: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def info(self) -> dict[str, Any]: ...
    def predict(self, texts: Iterable[str]) -> list[str]: ...
    def predict_proba(self, texts: Iterable[str]) -> npt.NDArray[np.float32]: ...
    def save(self, path: _Path, force: bool = False) -> None: ...

def extract(
    text: str,
    date: str | None = None,
    *,
    id: str | None = None,
    keep_scare_quotes: bool = False,
    max_quote_chars: int = 5000,
) -> list[dict[str, Any]]: ...
def score(
    texts_or_articles: Iterable[_Article],
    by: str = "quote",
    *,
    stance_model: _ModelRef = None,
    sentiment_model: _ModelRef = None,
    prior: str = "model",
    sentiment_prior: str = "model",
    all_quotes: bool = False,
    explain: bool = False,
    keep_scare_quotes: bool = False,
    max_quote_chars: int = 5000,
) -> list[dict[str, Any]]: ...
def score_frame(
    df: Any,
    text_col: str = "text",
    id_col: str | None = None,
    date_col: str | None = None,
    by: str = "quote",
    *,
    stance_model: _ModelRef = None,
    sentiment_model: _ModelRef = None,
    prior: str = "model",
    sentiment_prior: str = "model",
    all_quotes: bool = False,
    explain: bool = False,
    keep_scare_quotes: bool = False,
    max_quote_chars: int = 5000,
) -> Any: ...
def train(
    texts: Iterable[str],
    labels: Iterable[Any],
    *,
    model: str = "nblr",
    nbsvm: bool = False,
    ngrams: _Range = (1, 2),
    char_ngrams: _Range | None = None,
    min_df: int | None = None,
    max_df: float = 1.0,
    max_features: int | None = None,
    sublinear_tf: bool = True,
    alpha: float = 0.1,
    c: float | None = None,
    class_weight: str = "none",
    max_iter: int = 1000,
    language: str = "english",
    negation: bool = True,
    stop_words: bool = False,
    marks: bool = False,
    polarity: bool = False,
    polarity_list: _Path | None = None,
    seed: int = 42,
    calibrate: bool = False,
    calibration_fraction: float = 0.1,
    prior: str = "train",
) -> Model: ...
