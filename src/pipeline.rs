//! The whole fitted pipeline (analysis settings, vocabulary, IDF, weights, ordered labels,
//! hyperparameters, training metadata) and its one-file format.
//!
//! # File format, version 1
//!
//! | bytes | content |
//! |---|---|
//! | 13 | magic `STANCE-MODEL\n` |
//! | 4 | format version, u32 little-endian |
//! | 8 + h | header length, then the header as JSON ([`ModelHeader`]) |
//! | 8 + … | vocabulary size `V`, then `V` terms, each a u32 byte length and UTF-8 bytes |
//! | 4·V | IDF per term, f32 |
//! | 4·V·K | weights, feature-major, f32 |
//! | 4·K | intercepts, f32 |
//! | 32 | SHA-256 of every byte before it |
//!
//! Integers and floats are little-endian. The loader checks the checksum before parsing and
//! checks every length against the bytes left before allocating, so a truncated, corrupted
//! or hostile file is refused with a message and never panics or allocates without bound.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::features::{FeatureParams, FeatureSettings, FeatureValidParams, Vectorizer, Vocabulary};
use crate::models::{argmax, LinearModel, ModelSettings};

/// The file's first bytes.
pub const MAGIC: &[u8; 13] = b"STANCE-MODEL\n";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;
/// Largest model file the loader accepts.
pub const MAX_MODEL_BYTES: u64 = 4 << 30;

/// Facts about the training run, stored for reproducibility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainingMeta {
    /// Rows used for training.
    pub rows: usize,
    /// Rows per label.
    pub label_counts: BTreeMap<String, usize>,
    /// The data file as given.
    pub data_file: String,
    /// SHA-256 of the data file's bytes (hex).
    pub data_sha256: String,
    /// Text and label columns.
    pub text_column: String,
    /// Label column.
    pub label_column: String,
    /// Row filter used (e.g. `split=train`), if any.
    pub filter: Option<String>,
    /// The run's seed.
    pub seed: u64,
    /// `stance` version that trained it.
    pub stance_version: String,
    /// Training date (UTC, `YYYY-MM-DD`).
    pub date: String,
    /// Optimiser iterations, for iterative models.
    pub iterations: Option<u32>,
    /// Whether the optimiser met its tolerance.
    pub converged: Option<bool>,
    /// How the probabilities' temperature was set.
    pub calibration: Option<String>,
}

/// The JSON header of a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelHeader {
    /// Feature extraction settings.
    pub features: FeatureSettings,
    /// Model hyperparameters.
    pub model: ModelSettings,
    /// Class labels; the order of every probability vector.
    pub labels: Vec<String>,
    /// Softmax temperature.
    pub temperature: f32,
    /// Training metadata.
    pub training: TrainingMeta,
}

/// One prediction: the label index, and probabilities in label order.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Index into [`Pipeline::labels`].
    pub label: usize,
    /// Probabilities, summing to 1.
    pub probabilities: Vec<f32>,
}

/// A fitted text classifier: vectorizer + linear model + labels.
#[derive(Debug)]
pub struct Pipeline {
    /// Text → features.
    pub vectorizer: Vectorizer,
    /// Features → scores.
    pub model: LinearModel,
    /// Header (labels, settings, metadata).
    pub header: ModelHeader,
}

impl Pipeline {
    /// Ordered class labels.
    pub fn labels(&self) -> &[String] {
        &self.header.labels
    }

    /// Fit the whole pipeline on texts and their labels. Labels are sorted, so the same data
    /// always gives the same label order. `training` is stored as given, with `rows`,
    /// `label_counts`, optimiser figures and the version filled in.
    pub fn fit<S: AsRef<str> + Sync>(
        texts: &[S],
        labels: &[String],
        features: &FeatureValidParams,
        model: &ModelSettings,
        mut training: TrainingMeta,
    ) -> Result<Pipeline> {
        let names: Vec<String> = labels
            .iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if names.len() < 2 {
            return Err(Error::Training(format!(
                "need at least two distinct labels, found {}",
                names.len()
            )));
        }
        let y: Vec<usize> = labels
            .iter()
            .map(|l| names.binary_search(l).unwrap_or(0))
            .collect();
        let (vectorizer, x) = features.fit_transform(texts)?;
        let ds = linfa::DatasetBase::new(x, ndarray::Array1::from(y));
        let (model_fit, report) = model.fit_report(&ds)?;
        training.rows = texts.len();
        training.label_counts = BTreeMap::new();
        for l in labels {
            *training.label_counts.entry(l.clone()).or_insert(0) += 1;
        }
        training.iterations = report.iterations;
        training.converged = report.converged;
        training.stance_version = env!("CARGO_PKG_VERSION").to_string();
        if training.calibration.is_none() && model.kind == crate::models::ModelKind::Svm {
            training.calibration = Some("temperature fitted on training margins".into());
        }
        let header = ModelHeader {
            features: features.settings().clone(),
            model: model.clone(),
            labels: names,
            temperature: model_fit.temperature(),
            training,
        };
        Ok(Pipeline {
            vectorizer,
            model: model_fit,
            header,
        })
    }

    /// Predict one text.
    pub fn predict_one(&self, text: &str) -> Prediction {
        let (idx, val) = self.vectorizer.transform_one(text);
        let p = self.model.proba(&idx, &val);
        Prediction {
            label: argmax(&p),
            probabilities: p,
        }
    }

    /// Predict many texts in parallel, in input order.
    pub fn predict<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Prediction> {
        texts
            .par_iter()
            .map(|t| self.predict_one(t.as_ref()))
            .collect()
    }

    /// Serialise to bytes (see the module docs for the layout).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let header = serde_json::to_vec(&self.header).map_err(|e| Error::BadModel {
            path: "<memory>".into(),
            reason: e.to_string(),
        })?;
        let vocab = self.vectorizer.vocabulary();
        let k = self.model.n_classes();
        let mut out = Vec::with_capacity(64 + header.len() + vocab.len() * (16 + 4 * k));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&(vocab.len() as u64).to_le_bytes());
        for t in vocab.terms() {
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
            out.extend_from_slice(t.as_bytes());
        }
        for &v in self
            .vectorizer
            .idf()
            .iter()
            .chain(self.model.weights())
            .chain(self.model.bias())
        {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        Ok(out)
    }

    /// Write atomically; refuses to replace an existing file unless `force`.
    pub fn save(&self, path: &Path, force: bool) -> Result<()> {
        let bytes = self.to_bytes()?;
        crate::util::write_atomic(path, &bytes, force)
    }

    /// Read a model file.
    pub fn load(path: &Path) -> Result<Pipeline> {
        crate::util::not_a_directory(path)?;
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.len() > MAX_MODEL_BYTES {
            return Err(bad(
                path,
                format!(
                    "{} bytes is larger than the {} byte limit",
                    meta.len(),
                    MAX_MODEL_BYTES
                ),
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Pipeline::from_bytes(&bytes, path)
    }

    /// Parse model bytes; `path` only names the source in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Pipeline> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(bad(
                path,
                "it does not start with the stance model signature".into(),
            ));
        }
        let mut cur = Cursor {
            bytes,
            pos: MAGIC.len(),
            path,
        };
        let version = cur.u32()?;
        if version > FORMAT_VERSION {
            return Err(Error::ModelVersion {
                path: path.to_path_buf(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if version == 0 {
            return Err(bad(path, "format version 0 does not exist".into()));
        }
        if bytes.len() < cur.pos + 32 {
            return Err(bad(path, format!("truncated: only {} bytes", bytes.len())));
        }
        let (body, digest) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(body).as_slice() != digest {
            return Err(bad(
                path,
                format!(
                    "checksum mismatch: the file is truncated or corrupted ({} bytes)",
                    bytes.len()
                ),
            ));
        }
        let mut cur = Cursor {
            bytes: body,
            pos: cur.pos,
            path,
        };
        let hlen = cur.len_u64(1)?;
        let header: ModelHeader = serde_json::from_slice(cur.take(hlen)?)
            .map_err(|e| bad(path, format!("header: {e}")))?;
        let k = header.labels.len();
        if k < 2 {
            return Err(bad(path, format!("{k} labels; a model needs at least 2")));
        }
        if header
            .labels
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            != k
        {
            return Err(bad(path, "header: a label is listed twice".into()));
        }
        // Settings no `train` could write (an n-gram size of 0, say) would break analysis.
        linfa::ParamGuard::check(FeatureParams::from_settings(header.features.clone()))
            .map_err(|e| bad(path, format!("header: {e}")))?;
        let v = cur.len_u64(4)?;
        let mut terms = Vec::with_capacity(v);
        for _ in 0..v {
            let n = cur.u32()? as usize;
            let raw = cur.take(n)?;
            let t = std::str::from_utf8(raw)
                .map_err(|_| bad(path, format!("term at byte {} is not UTF-8", cur.pos - n)))?;
            // `train` writes terms sorted and unique; anything else is corruption, found
            // here before more is allocated.
            if terms.last().is_some_and(|last: &String| last.as_str() >= t) {
                return Err(bad(
                    path,
                    format!("terms out of order or repeated at byte {}", cur.pos - n),
                ));
            }
            terms.push(t.to_string());
        }
        let idf = cur.f32s(v)?;
        let wlen = v
            .checked_mul(k)
            .ok_or_else(|| bad(path, "weight matrix size overflows".into()))?;
        let weights = cur.f32s(wlen)?;
        let bias = cur.f32s(k)?;
        if cur.pos != body.len() {
            return Err(bad(
                path,
                format!(
                    "{} unexpected bytes after the weights",
                    body.len() - cur.pos
                ),
            ));
        }
        if !(header.temperature.is_finite() && header.temperature > 0.0) {
            return Err(bad(path, "temperature must be a positive number".into()));
        }
        let vocab = Vocabulary::new(terms);
        if vocab.distinct() != v {
            return Err(bad(path, "vocabulary has duplicate terms".into()));
        }
        let model = LinearModel::new(v, k, weights, bias, header.temperature);
        let vectorizer = Vectorizer::from_parts(header.features.clone(), vocab, idf);
        Ok(Pipeline {
            vectorizer,
            model,
            header,
        })
    }
}

fn bad(path: &Path, reason: String) -> Error {
    Error::BadModel {
        path: path.to_path_buf(),
        reason,
    }
}

/// Bounds-checked reader over the model bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                bad(
                    self.path,
                    format!("truncated at byte {}: {} more bytes expected", self.pos, n),
                )
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A u64 count of items of at least `min_item` bytes each, checked against what is left.
    fn len_u64(&mut self, min_item: usize) -> Result<usize> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        let n = u64::from_le_bytes(a);
        let left = (self.bytes.len() - self.pos) as u64;
        if n.saturating_mul(min_item as u64) > left {
            return Err(bad(
                self.path,
                format!(
                    "length {n} at byte {} exceeds the {left} bytes left",
                    self.pos - 8
                ),
            ));
        }
        Ok(n as usize)
    }

    fn f32s(&mut self, n: usize) -> Result<Vec<f32>> {
        let bytes = n
            .checked_mul(4)
            .ok_or_else(|| bad(self.path, "array size overflows".into()))?;
        let raw = self.take(bytes)?;
        let out: Vec<f32> = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if let Some(i) = out.iter().position(|v| !v.is_finite()) {
            return Err(bad(
                self.path,
                format!("non-finite number at byte {}", self.pos - bytes + 4 * i),
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use linfa::ParamGuard;
    use proptest::prelude::*;

    use super::*;
    use crate::models::ModelKind;

    /// Texts over a small vocabulary, so that terms repeat across texts and labels.
    fn texts(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(
            "(we|will|not|talk|strike|peace|war|they|ready|never|😊|don't|1,200|Zürich|\\.|,)( (we|will|not|talk|strike|peace|war|they|ready|never|😊|don't|1,200|Zürich|\\.|,)){0,8}",
            n,
        )
    }

    fn fitted(
        train: &[String],
        kind: usize,
        char_ngrams: bool,
        negation: bool,
    ) -> Result<Pipeline> {
        let labels: Vec<String> = (0..train.len()).map(|i| format!("l{}", i % 3)).collect();
        let features = FeatureParams::new()
            .char_ngrams(char_ngrams.then_some((2, 4)))
            .analyzer(crate::text::AnalyzerSettings {
                negation,
                ..Default::default()
            })
            .check()?;
        let settings = ModelSettings {
            max_iter: 50,
            ..ModelSettings::for_kind(ModelKind::ALL[kind])
        };
        Pipeline::fit(
            train,
            &labels,
            &features,
            &settings,
            TrainingMeta::default(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Every model kind: probabilities finite, in label order, summing to 1; saving
        /// and loading gives the same file and the same predictions, bit for bit.
        #[test]
        fn predictions_sum_to_one_and_save_load_is_identical(
            train in texts(3..24),
            queries in texts(1..6),
            kind in 0..ModelKind::ALL.len(),
            char_ngrams in any::<bool>(),
            negation in any::<bool>(),
        ) {
            let p = fitted(&train, kind, char_ngrams, negation).unwrap();
            let preds = p.predict(&queries);
            for pr in &preds {
                prop_assert_eq!(pr.probabilities.len(), p.labels().len());
                prop_assert!(pr.probabilities.iter().all(|x| x.is_finite() && *x >= 0.0));
                let sum: f32 = pr.probabilities.iter().sum();
                prop_assert!((sum - 1.0).abs() < 1e-5, "sum {}", sum);
                let best = pr.probabilities[pr.label];
                prop_assert!(pr.probabilities.iter().all(|&x| x <= best));
            }
            let bytes = p.to_bytes().unwrap();
            let dir = std::env::temp_dir().join(format!("stance-pipeline-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("m{kind}.model"));
            p.save(&path, true).unwrap();
            prop_assert_eq!(&std::fs::read(&path).unwrap(), &bytes);
            let q = Pipeline::load(&path).unwrap();
            prop_assert_eq!(&q.header, &p.header);
            prop_assert_eq!(q.vectorizer.vocabulary(), p.vectorizer.vocabulary());
            prop_assert_eq!(&q.model, &p.model);
            prop_assert_eq!(q.to_bytes().unwrap(), bytes);
            prop_assert_eq!(q.predict(&queries), preds);
        }
    }

    #[test]
    fn terms_out_of_order_are_refused() {
        let train: Vec<String> = ["we will strike", "we will talk", "peace now"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let p = fitted(&train, 2, false, true).unwrap();
        let k = p.labels().len();
        for terms in [["b", "a"], ["a", "a"]] {
            let terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
            let vectorizer = Vectorizer::from_parts(
                p.header.features.clone(),
                Vocabulary::new(terms),
                vec![1.0; 2],
            );
            let model = LinearModel::new(2, k, vec![0.0; 2 * k], vec![0.0; k], 1.0);
            let bad_order = Pipeline {
                vectorizer,
                model,
                header: p.header.clone(),
            };
            let bytes = bad_order.to_bytes().unwrap();
            let e = Pipeline::from_bytes(&bytes, Path::new("m.model")).unwrap_err();
            assert!(
                e.to_string().contains("terms out of order or repeated"),
                "{e}"
            );
        }
    }
}
