//! `stance._stance`: the native half of the Python package `stance`.
//!
//! Each function converts its Python arguments, calls the `stance` library with the GIL
//! released (the library runs in parallel on rayon's pool, as the command line does), and
//! hands back plain values: rows as dicts with exactly the keys and values of `stance score
//! --format jsonl`, made from the library's own rows (`quote_fields`, the roll-ups'
//! `to_json`), and probabilities as raw `f32` bytes.
//! The public Python API, its docstrings and types are in `python/stance/`.

use std::path::PathBuf;

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PyString};
use rayon::prelude::*;
use stance::features::polarity::Lexicon;
use stance::input::articles::Article;
use stance::models::prior::Prior;
use stance::models::{ClassWeight, ModelKind};
use stance::pipeline::builtin::{self, Task};
use stance::pipeline::options::stemming_language;
use stance::pipeline::{Pipeline, TrainOptions, TrainingMeta};
use stance::score::{
    extract_article, quote_fields, ArticleSummary, Field, ScoreOptions, Scorer, SpeakerRollup,
};
use stance::util::FastMap;

/// Articles scored between two hand-overs of their rows to Python.
const BATCH: usize = 256;

/// Where the articles and training rows of this package say they came from.
const SOURCE: &str = "<python>";

/// A library error as Python raises it: bad input (what the command line exits 2 for) is a
/// `ValueError`, a failing file system an `OSError`, anything else a `RuntimeError`; the
/// message is the one the command line prints.
fn to_py(e: stance::Error) -> PyErr {
    match &e {
        _ if e.is_bad_input() => PyValueError::new_err(e.to_string()),
        stance::Error::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

fn value_error(msg: impl Into<String>) -> PyErr {
    PyValueError::new_err(msg.into())
}

fn task(name: &str) -> PyResult<Task> {
    match name {
        "stance" => Ok(Task::Stance),
        "sentiment" => Ok(Task::Sentiment),
        _ => Err(value_error(format!(
            "unknown built-in model {name:?}: expected \"stance\" or \"sentiment\""
        ))),
    }
}

/// A fitted model: the whole pipeline of one model file, set to predict under one prior.
#[pyclass(frozen, module = "stance._stance")]
struct Model {
    p: Pipeline,
}

impl Model {
    fn with_prior(mut p: Pipeline, prior: &str) -> PyResult<Model> {
        let prior = Prior::parse(prior).map_err(to_py)?;
        p.set_prior(&prior).map_err(to_py)?;
        Ok(Model { p })
    }
}

#[pymethods]
impl Model {
    /// A built-in model (`stance` or `sentiment`) under `prior`.
    #[staticmethod]
    fn builtin(py: Python<'_>, task_name: &str, prior: &str) -> PyResult<Model> {
        let t = task(task_name)?;
        let p = py.detach(|| builtin::builtin(t)).map_err(to_py)?;
        Model::with_prior(p, prior)
    }

    /// The model file at `path` under `prior`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf, prior: &str) -> PyResult<Model> {
        let p = py.detach(|| Pipeline::load(&path)).map_err(to_py)?;
        Model::with_prior(p, prior)
    }

    /// Labels, the order of every probability row.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.p.labels().to_vec()
    }

    /// The model file's JSON header (settings, labels, training record).
    #[getter]
    fn header(&self) -> PyResult<String> {
        serde_json::to_string(&self.p.header).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// The most probable label of each text.
    fn predict(&self, py: Python<'_>, texts: Vec<String>) -> Vec<String> {
        let p = &self.p;
        py.detach(|| {
            p.predict(&texts)
                .into_iter()
                .map(|r| p.labels()[r.label].clone())
                .collect()
        })
    }

    /// Probabilities of every text, row after row in label order, as native-endian `f32`
    /// bytes (len(texts) × len(labels) values).
    fn predict_proba<'py>(&self, py: Python<'py>, texts: Vec<String>) -> Bound<'py, PyBytes> {
        let p = &self.p;
        let bytes: Vec<u8> = py.detach(|| {
            p.predict(&texts)
                .iter()
                .flat_map(|r| r.probabilities.iter().flat_map(|v| v.to_ne_bytes()))
                .collect()
        });
        PyBytes::new(py, &bytes)
    }

    /// Write the model file atomically; an existing file is replaced only with `force`.
    fn save(&self, py: Python<'_>, path: PathBuf, force: bool) -> PyResult<()> {
        let p = &self.p;
        py.detach(|| p.save(&path, force)).map_err(to_py)
    }
}

/// Articles from parallel columns, as a JSONL dump gives them to `stance score`.
fn articles(
    texts: Vec<String>,
    ids: Vec<String>,
    dates: Vec<Option<String>>,
) -> PyResult<Vec<Article>> {
    if ids.len() != texts.len() || dates.len() != texts.len() {
        return Err(value_error(format!(
            "{} texts, {} ids and {} dates: one of each per article",
            texts.len(),
            ids.len(),
            dates.len()
        )));
    }
    Ok(texts
        .into_iter()
        .zip(ids)
        .zip(dates)
        .map(|((text, id), date)| Article::from_record(id, SOURCE.into(), text, date))
        .collect())
}

/// The quotes of one text as `stance extract --format jsonl` rows; `article` is None when
/// no id is given.
#[pyfunction]
fn extract<'py>(
    py: Python<'py>,
    text: String,
    id: Option<String>,
    date: Option<String>,
    keep_scare_quotes: bool,
    max_quote_chars: usize,
) -> PyResult<Bound<'py, PyList>> {
    let named = id.is_some();
    let a = Article::from_record(id.unwrap_or_default(), SOURCE.into(), text, date);
    let e = py.detach(|| extract_article(&a, keep_scare_quotes, max_quote_chars));
    let mut strings = Strings::new();
    let list = PyList::empty(py);
    for q in &e.quotes {
        let row = fields_to_py(py, quote_fields(&a, q, None), &mut strings)?;
        if !named {
            row.set_item("article", py.None())?;
        }
        list.append(row)?;
    }
    Ok(list)
}

/// Score articles given as parallel columns: the rows of `stance score --by BY --format
/// jsonl` as dicts, and the number of short partial quotes left out.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn score<'py>(
    py: Python<'py>,
    texts: Vec<String>,
    ids: Vec<String>,
    dates: Vec<Option<String>>,
    by: &str,
    stance_model: &Model,
    sentiment_model: &Model,
    keep_scare_quotes: bool,
    max_quote_chars: usize,
    all_quotes: bool,
    explain: bool,
) -> PyResult<(Bound<'py, PyList>, usize)> {
    if !matches!(by, "quote" | "article" | "speaker") {
        return Err(value_error(format!(
            "by={by:?}: expected \"quote\", \"article\" or \"speaker\""
        )));
    }
    if explain && by != "quote" {
        return Err(value_error(
            "explain=True needs by=\"quote\": it explains each quote",
        ));
    }
    let arts = articles(texts, ids, dates)?;
    let (st, se) = (&stance_model.p, &sentiment_model.p);
    let scorer = Scorer::new(
        st,
        se,
        ScoreOptions {
            keep_scare_quotes,
            max_quote_chars,
            all_quotes,
            explain,
        },
    );
    let list = PyList::empty(py);
    let mut strings = Strings::new();
    let mut left_out = 0;
    let mut speakers = SpeakerRollup::new();
    // Batches: a few hundred articles are scored without the GIL, then their rows made into
    // Python objects with it, so the library's results never pile up beside Python's.
    for batch in arts.chunks(BATCH) {
        let scored = py.detach(|| {
            let scored: Vec<_> = batch.par_iter().map(|a| scorer.score_article(a)).collect();
            if by == "speaker" {
                for (a, r) in batch.iter().zip(&scored) {
                    speakers.add(a, &r.quotes);
                }
            }
            scored
        });
        for (a, r) in batch.iter().zip(&scored) {
            left_out += r.left_out;
            match by {
                "quote" => {
                    for s in &r.quotes {
                        list.append(fields_to_py(
                            py,
                            quote_fields(a, &s.quote, Some(s)),
                            &mut strings,
                        )?)?;
                    }
                }
                "article" => {
                    let row = ArticleSummary::of(a, &r.quotes, st.labels()).to_json();
                    list.append(json_to_py(py, &row, &mut strings)?)?;
                }
                _ => {}
            }
        }
    }
    if by == "speaker" {
        for row in speakers.finish() {
            list.append(json_to_py(
                py,
                &row.to_json(st.labels(), se.labels()),
                &mut strings,
            )?)?;
        }
    }
    Ok((list, left_out))
}

/// Python strings made once per call for the short strings that repeat from row to row
/// (keys, labels, kinds, dates, ids, speakers): a row's objects cost more to make than
/// the row costs to score.
struct Strings<'py> {
    made: FastMap<String, Bound<'py, PyString>>,
}

impl<'py> Strings<'py> {
    /// Strings up to this many bytes are kept; quotes and longer texts are made each time.
    const SHORT: usize = 48;
    /// Bound on the strings kept, so a call over millions of distinct ids stays small.
    const MAX: usize = 1 << 16;

    fn new() -> Self {
        Strings {
            made: FastMap::default(),
        }
    }

    fn get(&mut self, py: Python<'py>, s: &str) -> Bound<'py, PyString> {
        if s.len() > Self::SHORT {
            return PyString::new(py, s);
        }
        if let Some(o) = self.made.get(s) {
            return o.clone();
        }
        if self.made.len() >= Self::MAX {
            self.made.clear();
        }
        let o = PyString::new(py, s);
        self.made.insert(s.to_string(), o.clone());
        o
    }
}

/// A quote's row as a dict, made from the library's borrowed fields: the keys and values
/// `quote_json` gives, without building that JSON first.
fn fields_to_py<'py>(
    py: Python<'py>,
    fields: Vec<(&'static str, Field<'_>)>,
    strings: &mut Strings<'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in fields {
        let v = match v {
            Field::Str(None) => py.None().into_bound(py),
            Field::Str(Some(s)) => strings.get(py, s).into_any(),
            Field::Int(n) => n.into_pyobject(py)?.into_any(),
            Field::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
            Field::Num(x) => PyFloat::new(py, x).into_any(),
            Field::List(l) => PyList::new(py, l.iter().map(|s| strings.get(py, s)))?.into_any(),
        };
        d.set_item(strings.get(py, k), v)?;
    }
    Ok(d)
}

/// A JSON value as Python's `json.loads` gives it: objects as dicts (keys in the value's
/// order), arrays as lists, integers as int, other numbers as float.
fn json_to_py<'py>(
    py: Python<'py>,
    v: &serde_json::Value,
    strings: &mut Strings<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => strings.get(py, s).into_any(),
        Value::Array(a) => {
            let list = PyList::empty(py);
            for x in a {
                list.append(json_to_py(py, x, strings)?)?;
            }
            list.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(strings.get(py, k), json_to_py(py, x, strings)?)?;
            }
            d.into_any()
        }
    })
}

/// Fit a model on texts and labels with `stance train`'s settings, named as its options.
#[pyfunction]
#[pyo3(signature = (
    texts, labels, *, model = "nblr", nbsvm = false, ngrams = (1, 2), char_ngrams = None,
    min_df = None, max_df = 1.0, max_features = None, sublinear_tf = true, alpha = 0.1,
    c = None, class_weight = "none", max_iter = 1000, language = "english", negation = true,
    stop_words = false, marks = false, polarity = false, polarity_list = None, seed = 42,
    calibrate = false, calibration_fraction = 0.1, prior = "train"
))]
#[allow(clippy::too_many_arguments)]
fn train(
    py: Python<'_>,
    texts: Vec<String>,
    labels: Vec<String>,
    model: &str,
    nbsvm: bool,
    ngrams: (u8, u8),
    char_ngrams: Option<(u8, u8)>,
    min_df: Option<u32>,
    max_df: f32,
    max_features: Option<usize>,
    sublinear_tf: bool,
    alpha: f32,
    c: Option<f32>,
    class_weight: &str,
    max_iter: u32,
    language: &str,
    negation: bool,
    stop_words: bool,
    marks: bool,
    polarity: bool,
    polarity_list: Option<PathBuf>,
    seed: u64,
    calibrate: bool,
    calibration_fraction: f64,
    prior: &str,
) -> PyResult<Model> {
    if texts.len() != labels.len() {
        return Err(value_error(format!(
            "{} texts and {} labels: one label per text",
            texts.len(),
            labels.len()
        )));
    }
    let polarity = match &polarity_list {
        // As `stance train --polarity-list FILE` reads it.
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| to_py(stance::Error::io(path.clone(), e)))?;
            Some(
                Lexicon::parse(&text)
                    .map_err(|e| value_error(format!("{}: {e}", path.display())))?,
            )
        }
        None => polarity.then(Lexicon::built_in),
    };
    let options = TrainOptions {
        model: model.parse::<ModelKind>().map_err(value_error)?,
        nbsvm,
        ngrams,
        char_ngrams,
        min_df,
        max_df,
        max_features,
        sublinear_tf,
        alpha,
        c,
        class_weight: match class_weight {
            "none" => ClassWeight::None,
            "balanced" => ClassWeight::Balanced,
            other => {
                return Err(value_error(format!(
                    "unknown class_weight {other:?}: expected \"none\" or \"balanced\""
                )))
            }
        },
        max_iter,
        language: stemming_language(language).map_err(value_error)?,
        negation,
        stop_words,
        marks,
        polarity,
        seed,
    };
    let prior = Prior::parse(prior).map_err(to_py)?;
    let features = options.features(texts.len()).map_err(to_py)?;
    let settings = options.model();
    let meta = TrainingMeta {
        data_file: SOURCE.into(),
        text_column: "text".into(),
        label_column: "label".into(),
        seed,
        date: stance::util::today(),
        ..Default::default()
    };
    let mut p = py
        .detach(|| {
            if calibrate {
                Pipeline::fit_calibrated(
                    &texts,
                    &labels,
                    &features,
                    &settings,
                    meta,
                    calibration_fraction,
                    seed,
                )
                .map(|(p, _)| p)
            } else {
                Pipeline::fit(&texts, &labels, &features, &settings, meta)
            }
        })
        .map_err(to_py)?;
    p.store_prior(&prior).map_err(to_py)?;
    Ok(Model { p })
}

/// The native half of the Python package `stance`; use `stance`, not this module.
#[pymodule]
mod _stance {
    #[pymodule_export]
    use super::{extract, score, train, Model};
}
