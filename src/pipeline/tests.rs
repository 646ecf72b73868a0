//! Tests of fitting, predicting and the model file together.
use linfa::ParamGuard;
use proptest::prelude::*;

use std::path::Path;

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
        prop_assert_eq!(q.to_bytes().unwrap(), bytes);
        prop_assert_eq!(q.predict(&queries), preds.clone());
        prop_assert_eq!(&Pipeline::peek_header(&path).unwrap(), &p.header);
        let hashed = TermHashes::new(&q.header.features, &queries);
        prop_assert_eq!(q.predict_hashed(&hashed), Some(preds));
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
    // Without a prior the file stays readable by version 2 readers; with one it is not.
    assert_eq!(p.format_version(), 2);
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
    assert_eq!(p.format_version(), 3);
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
