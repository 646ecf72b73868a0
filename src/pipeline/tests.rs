//! Tests of fitting, predicting and the model file together.
use linfa::ParamGuard;
use proptest::prelude::*;

use std::path::Path;

use super::format::checksum;
use super::*;
use crate::features::{FeatureParams, FeatureSettings, Vocabulary};
use crate::models::ModelKind;

/// Texts over a small vocabulary, so that terms repeat across texts and labels.
fn texts(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
            "(we|will|not|talk|strike|peace|war|they|ready|never|😊|don't|1,200|Zürich|\\.|,)( (we|will|not|talk|strike|peace|war|they|ready|never|😊|don't|1,200|Zürich|\\.|,)){0,8}",
            n,
        )
}

/// A training set of three short texts.
fn three_texts() -> Vec<String> {
    ["we will strike", "we will talk", "peace now"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn fitted(
    train: &[String],
    kind: usize,
    char_ngrams: bool,
    negation: bool,
    marks: bool,
) -> Result<Pipeline> {
    let labels: Vec<String> = (0..train.len()).map(|i| format!("l{}", i % 3)).collect();
    let features = FeatureParams::new()
        .char_ngrams(char_ngrams.then_some((2, 4)))
        .marks(marks)
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

    /// Every model kind, with and without actor marks and a stored prior:
    /// probabilities finite, in label order, summing to 1; saving and loading gives
    /// the same file and the same predictions, bit for bit (so marked terms hash alike
    /// from a text and from the vocabulary); the peeked header is the header, and texts
    /// hashed ahead predict the same.
    #[test]
    fn predictions_sum_to_one_and_save_load_is_identical(
        train in texts(3..24),
        queries in texts(1..6),
        kind in 0..ModelKind::ALL.len(),
        char_ngrams in any::<bool>(),
        negation in any::<bool>(),
        marks in any::<bool>(),
        prior_kind in 0..3usize,
    ) {
        let mut p = fitted(&train, kind, char_ngrams, negation, marks).unwrap();
        let priors = [
            Prior::Train,
            Prior::Uniform,
            Prior::parse("l0=0.7,l1=0.2,l2=0.1").unwrap(),
        ];
        p.store_prior(&priors[prior_kind]).unwrap();
        let preds = p.predict(&queries);
        let one_by_one: Vec<Prediction> = queries.iter().map(|q| p.predict_one(q)).collect();
        prop_assert_eq!(&preds, &one_by_one);
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
        prop_assert_eq!(&q.to_bytes().unwrap(), &bytes);
        prop_assert_eq!(q.predict(&queries), preds.clone());
        prop_assert_eq!(&Pipeline::peek_header(&path).unwrap(), &p.header);
        let hashed = TermHashes::new(&q.header.features, &queries);
        prop_assert_eq!(q.predict_hashed(&hashed), Some(preds.clone()));
        // Files of the older versions load to the same model.
        for version in 1..=4 {
            let old = Pipeline::from_bytes(&legacy_bytes(&p, version), Path::new("old.model"))
                .unwrap();
            prop_assert_eq!(old.vectorizer.vocabulary(), p.vectorizer.vocabulary());
            prop_assert_eq!(old.predict(&queries), preds.clone());
            prop_assert_eq!(&old.to_bytes().unwrap(), &bytes);
        }
    }
}

/// `p` in the layout of format version 1, 2 or 3: each term a u32 length and its text, no
/// hashes, and for version 1 a table of an older hash (zeros here), which loaders skip.
/// Version 4 is version 5 with a SHA-256 for the CRC-32.
fn legacy_bytes(p: &Pipeline, version: u32) -> Vec<u8> {
    if version == 4 {
        let now = p.to_bytes().unwrap();
        let mut out = now[..now.len() - 4].to_vec();
        out[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&4u32.to_le_bytes());
        let sum = checksum(4, &out);
        out.extend_from_slice(&sum);
        return out;
    }
    let header = serde_json::to_vec(&p.header).unwrap();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    let vocab = p.vectorizer.vocabulary();
    out.extend_from_slice(&(vocab.len() as u64).to_le_bytes());
    for t in vocab.iter() {
        out.extend_from_slice(&(t.len() as u32).to_le_bytes());
        out.extend_from_slice(t.as_bytes());
    }
    if version == 1 {
        out.extend_from_slice(&8u64.to_le_bytes());
        out.extend_from_slice(&[0; 32]);
    }
    let floats = [p.vectorizer.idf(), p.model.weights(), p.model.bias()];
    for x in floats.iter().flat_map(|f| f.iter()) {
        out.extend_from_slice(&x.to_le_bytes());
    }
    let sum = checksum(version, &out);
    out.extend_from_slice(&sum);
    out
}

/// Where a version 5 file keeps the table's slot count, the terms' hashes and their
/// distances from their home slots.
fn table_at(bytes: &[u8]) -> (usize, usize, usize) {
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let mut at = MAGIC.len() + 4;
    at += 8 + u64_at(at);
    let v = u64_at(at);
    at += 8;
    let text = if v == 0 { 0 } else { u32_at(at + 4 * (v - 1)) };
    let size = at + 4 * v + text;
    (size, size + 8, size + 8 + 8 * v)
}

/// `bytes` (version 5) changed by `edit`, with the checksum made again, so that the parser
/// sees it.
fn edited(bytes: &[u8], edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = bytes[..bytes.len() - 4].to_vec();
    edit(&mut b);
    let sum = checksum(FORMAT_VERSION, &b);
    b.extend_from_slice(&sum);
    b
}

fn refusal(bytes: &[u8]) -> String {
    match Pipeline::from_bytes(bytes, Path::new("m.model")) {
        Ok(_) => panic!("the edited model loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_written_model_is_version_5_and_version_4_readers_refuse_it() {
    let p = fitted(&three_texts(), 2, false, true, false).unwrap();
    let bytes = p.to_bytes().unwrap();
    assert_eq!(bytes[MAGIC.len()..MAGIC.len() + 4], 5u32.to_le_bytes());
    assert_eq!(FORMAT_VERSION, 5);
    let e = Error::ModelVersion {
        path: "m.model".into(),
        found: 5,
        supported: 4,
    };
    assert!(e.to_string().contains("newer"), "{e}");
}

/// CRC-32 reference value: `printf 123456789 | gzip -c | tail -c 8 | head -c 4`, as the
/// CRC-32 check value of the IEEE polynomial is usually quoted (0xCBF43926).
#[test]
fn the_checksum_is_crc32_ieee_and_any_changed_byte_is_refused() {
    assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
    let p = fitted(&three_texts(), 2, false, true, false).unwrap();
    let bytes = p.to_bytes().unwrap();
    let (body, sum) = bytes.split_at(bytes.len() - 4);
    assert_eq!(sum, crc32fast::hash(body).to_le_bytes());
    for at in (MAGIC.len() + 4..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[at] ^= 0x10;
        let e = refusal(&b);
        assert!(e.contains("checksum mismatch"), "byte {at}: {e}");
    }
    // A version 4 file is checked by its SHA-256.
    let mut old = legacy_bytes(&p, 4);
    assert!(Pipeline::from_bytes(&old, Path::new("m.model")).is_ok());
    let at = old.len() / 2;
    old[at] ^= 0x10;
    assert!(refusal(&old).contains("checksum mismatch"));
}

/// A model of many terms, its bytes, and its table: slot count, each term's hash and
/// distance from its home slot.
fn with_table() -> (Vec<u8>, usize, Vec<u64>, Vec<u16>) {
    let train: Vec<String> = (0..40).map(|i| format!("we will talk {i} times")).collect();
    let p = fitted(&train, 2, true, true, false).unwrap();
    let bytes = p.to_bytes().unwrap();
    let v = p.vectorizer.vocabulary().len();
    let (size, hashes, distances) = table_at(&bytes);
    let size = u64::from_le_bytes(bytes[size..size + 8].try_into().unwrap()) as usize;
    let h = (0..v)
        .map(|i| u64::from_le_bytes(bytes[hashes + 8 * i..][..8].try_into().unwrap()))
        .collect();
    let d = (0..v)
        .map(|i| u16::from_le_bytes(bytes[distances + 2 * i..][..2].try_into().unwrap()))
        .collect();
    (bytes, size, h, d)
}

/// `bytes` with term `i`'s hash and distance set.
fn with_slot(bytes: &[u8], i: usize, hash: u64, distance: u16) -> Vec<u8> {
    let (_, hashes, distances) = table_at(bytes);
    edited(bytes, |b| {
        b[hashes + 8 * i..][..8].copy_from_slice(&hash.to_le_bytes());
        b[distances + 2 * i..][..2].copy_from_slice(&distance.to_le_bytes());
    })
}

#[test]
fn table_slots_out_of_range_shared_or_unreachable_are_refused() {
    let (bytes, size, h, d) = with_table();
    let v = h.len();
    assert!(v > 100 && size >= 2 * v, "{v} terms, {size} slots");
    assert!(Pipeline::from_bytes(&bytes, Path::new("m.model")).is_ok());
    // Further from the home slot than a lookup probes.
    let e = refusal(&with_slot(&bytes, 5, h[5], 4097));
    assert!(e.contains("term 5 is 4097 slots from its home slot"), "{e}");
    // Two terms in one slot.
    let e = refusal(&with_slot(&bytes, 7, h[3], d[3]));
    assert!(e.contains("terms 3 and 7 are in one slot"), "{e}");
    // A term whose slot a lookup cannot reach: one slot further, past the empty slot
    // that its own leaves (taken as the last of a run of taken slots).
    let mask = size - 1;
    let slot = |i: usize| (h[i] as usize + d[i] as usize) & mask;
    let taken: std::collections::HashSet<usize> = (0..v).map(slot).collect();
    let last = (0..v)
        .find(|&i| !taken.contains(&((slot(i) + 1) & mask)))
        .unwrap();
    let e = refusal(&with_slot(&bytes, last, h[last], d[last] + 1));
    assert!(
        e.contains(&format!("term {last} is past an empty slot")),
        "{e}"
    );
    // A repeat whose hash no earlier term has.
    let e = refusal(&with_slot(&bytes, 0, h[0], u16::MAX));
    assert!(e.contains("term 0 is stored as a repeat"), "{e}");
    // A table of another size.
    let (at, _, _) = table_at(&bytes);
    let smaller = edited(&bytes, |b| {
        b[at..at + 8].copy_from_slice(&(size as u64 / 2).to_le_bytes());
    });
    let e = refusal(&smaller);
    assert!(e.contains(&format!("a table of {} slots", size / 2)), "{e}");
    let huge = edited(&bytes, |b| {
        b[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes())
    });
    assert!(refusal(&huge).contains("a table of"));
}

#[test]
fn a_wrong_term_hash_is_refused() {
    let (bytes, size, h, d) = with_table();
    let v = h.len();
    // Term 0's hash with its top bit flipped, which leaves its slot (chosen by the low
    // bits) as it was: the table is consistent, but the hash is not the term's, which is
    // checked for terms spread over the vocabulary (0 among them).
    let wrong = h[0] ^ 1 << 63;
    let e = refusal(&with_slot(&bytes, 0, wrong, d[0]));
    assert!(
        e.contains("the hash stored for term 0 is not its text's"),
        "{e}"
    );
    // The hash of another term: then two terms share its slot.
    let e = refusal(&with_slot(&bytes, v - 1, h[1], d[1]));
    assert!(
        e.contains(&format!("terms 1 and {} are in one slot", v - 1)),
        "{e}"
    );
    assert!(size > v);
}

/// Any one byte of the hashes or the table changed (checksum made again): a refusal with a
/// message or a model that predicts, never a panic.
#[test]
fn any_byte_of_the_hashes_or_table_changed_is_refused_or_harmless() {
    let train: Vec<String> = (0..12).map(|i| format!("we will talk {i}")).collect();
    let p = fitted(&train, 2, false, true, false).unwrap();
    let bytes = p.to_bytes().unwrap();
    let (at, _, distances) = table_at(&bytes);
    let v = p.vectorizer.vocabulary().len();
    for at in (at..distances + 2 * v).step_by(3) {
        for x in [0x01, 0x80, 0xff] {
            let b = edited(&bytes, |b| b[at] ^= x);
            if let Ok(q) = Pipeline::from_bytes(&b, Path::new("m.model")) {
                assert_eq!(q.predict(&train).len(), train.len());
            }
        }
    }
}

#[test]
fn a_prior_reweighs_probabilities_by_bayes_rule_and_train_undoes_it() {
    let train: Vec<String> = ["we will strike", "we will talk", "peace now", "war now"]
        .map(String::from)
        .to_vec();
    // Labels l0, l1, l2, l0: training shares 1/2, 1/4, 1/4.
    let mut p = fitted(&train, 2, false, true, false).unwrap();
    let q = "we will talk peace";
    let base = p.predict_one(q).probabilities;
    // Every file is written in the newest version, whose table older readers do not know.
    assert_eq!(p.format_version(), FORMAT_VERSION);
    p.store_prior(&Prior::parse("l0=0.2,l1=0.6,l2=0.2").unwrap())
        .unwrap();
    let shifted = p.predict_one(q).probabilities;
    let w = [0.2 / 0.5, 0.6 / 0.25, 0.2 / 0.25];
    let z: f64 = base.iter().zip(w).map(|(&b, w)| b as f64 * w).sum();
    for ((&b, w), &s) in base.iter().zip(w).zip(&shifted) {
        assert!(
            (b as f64 * w / z - s as f64).abs() < 1e-5,
            "{base:?} {shifted:?}"
        );
    }
    assert_eq!(p.format_version(), FORMAT_VERSION);
    let stored = p.header.prior.clone().unwrap();
    assert!((stored["l1"] - 0.6).abs() < 1e-12);
    p.set_prior(&Prior::Train).unwrap();
    assert_eq!(p.predict_one(q).probabilities, base);
    p.set_prior(&Prior::Model).unwrap();
    assert_eq!(p.predict_one(q).probabilities, shifted);
}

#[test]
fn texts_hashed_with_other_settings_are_not_predicted_from_their_hashes() {
    let train = three_texts();
    let p = fitted(&train, 2, false, true, false).unwrap();
    let other = FeatureSettings {
        ngrams: (1, 1),
        ..p.header.features.clone()
    };
    assert!(p.predict_hashed(&TermHashes::new(&other, &train)).is_none());
    let same = TermHashes::new(&p.header.features, &train);
    assert_eq!(p.predict_hashed(&same), Some(p.predict(&train)));
}

#[test]
fn peeking_at_a_file_that_is_not_a_model_is_an_error() {
    let dir = std::env::temp_dir().join(format!("stance-peek-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("not-a-model.csv");
    std::fs::write(&path, "text,label\nsome text here,a\n").unwrap();
    let e = Pipeline::peek_header(&path).unwrap_err().to_string();
    assert!(e.contains("signature"), "{e}");
    std::fs::write(&path, b"STANCE").unwrap();
    assert!(Pipeline::peek_header(&path).is_err());
    // A header longer than the file.
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    b.extend_from_slice(&1000u64.to_le_bytes());
    b.extend_from_slice(b"{}");
    std::fs::write(&path, &b).unwrap();
    assert!(Pipeline::peek_header(&path).is_err());
}

#[test]
fn terms_out_of_order_are_refused() {
    let train = three_texts();
    let p = fitted(&train, 2, false, true, false).unwrap();
    let k = p.labels().len();
    for terms in [["b", "a"], ["a", "a"]] {
        let terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
        let vectorizer = Vectorizer::from_parts(
            p.header.features.clone(),
            Vocabulary::new(terms).unwrap(),
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

#[test]
fn a_tuning_record_survives_the_model_file_and_is_absent_otherwise() {
    let t = three_texts();
    let l: Vec<String> = ["threat", "calm", "calm"].map(String::from).to_vec();
    let f = FeatureParams::new().check().unwrap();
    let m = ModelSettings::default();
    let plain = Pipeline::fit(&t, &l, &f, &m, TrainingMeta::default()).unwrap();
    let header = String::from_utf8_lossy(&plain.to_bytes().unwrap()).into_owned();
    assert!(!header.contains("\"tuning\""));
    let record = crate::pipeline::TuningRecord {
        search_space: [(
            "model".to_string(),
            vec!["nb".to_string(), "nblr".to_string()],
        )]
        .into_iter()
        .collect(),
        budget: 20,
        tried: 20,
        folds: 5,
        seed: 42,
        winner: "--model nb --ngrams 1-1 --min-df 1 --alpha 0.3".into(),
        cv_macro_f1_mean: 0.8,
        cv_macro_f1_std: 0.01,
        cv_accuracy_mean: 0.81,
    };
    let meta = TrainingMeta {
        tuning: Some(record.clone()),
        ..TrainingMeta::default()
    };
    let p = Pipeline::fit(&t, &l, &f, &m, meta).unwrap();
    let back = Pipeline::from_bytes(&p.to_bytes().unwrap(), Path::new("m")).unwrap();
    assert_eq!(back.header.training.tuning, Some(record));
}

/// Watching a fit changes nothing: for every kind the model file is the same byte for byte,
/// the stages come in order, and the iterative kinds report each iteration once.
#[test]
fn a_watched_fit_reports_stages_and_iterations_and_gives_the_same_model() {
    use crate::util::progress::Event;
    use std::sync::Mutex;
    let words = [
        "strike", "talk", "peace", "war", "ready", "never", "we", "they",
    ];
    let t: Vec<String> = (0..60)
        .map(|i| {
            format!(
                "{} {} {}",
                words[i % 8],
                words[(i / 3) % 8],
                words[(i / 7) % 8]
            )
        })
        .collect();
    let l: Vec<String> = (0..60).map(|i| format!("l{}", i % 3)).collect();
    let f = FeatureParams::new().check().unwrap();
    for kind in ModelKind::ALL {
        let m = ModelSettings::for_kind(kind);
        let stages = Mutex::new(Vec::new());
        let iterations = Mutex::new(Vec::new());
        let watch = |e: Event<'_>| match e {
            Event::Stage(s) => stages.lock().unwrap().push(s.to_string()),
            Event::Iteration { n, .. } => iterations.lock().unwrap().push(n),
            Event::Fits { .. } => panic!("a single fit counts no fits"),
        };
        let plain = Pipeline::fit(&t, &l, &f, &m, TrainingMeta::default()).unwrap();
        let watched =
            Pipeline::fit_with_progress(&t, &l, &f, &m, TrainingMeta::default(), &watch).unwrap();
        assert_eq!(
            plain.to_bytes().unwrap(),
            watched.to_bytes().unwrap(),
            "{kind:?}"
        );
        assert_eq!(
            *stages.lock().unwrap(),
            ["extracting features", "fitting the model"]
        );
        let mut n = iterations.into_inner().unwrap();
        match kind {
            ModelKind::Nb | ModelKind::Cnb => assert!(n.is_empty(), "{kind:?}"),
            // L-BFGS reports iterations 0, 1, 2, … in order; the SVM's one-vs-rest
            // problems count their passes together, 1, 2, …, from several threads.
            ModelKind::Logreg | ModelKind::Nblr => {
                assert!(n.len() > 1, "{kind:?}");
                assert!(n.iter().enumerate().all(|(i, &v)| v == i as u64), "{n:?}");
            }
            ModelKind::Svm => {
                n.sort_unstable();
                assert!(!n.is_empty());
                assert!(
                    n.iter().enumerate().all(|(i, &v)| v == i as u64 + 1),
                    "{n:?}"
                );
            }
        }
    }
}
