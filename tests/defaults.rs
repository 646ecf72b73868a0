//! The built-in models: they load, they answer sensibly, and retraining them from
//! `datasets/` with the settings recorded in them reproduces them and their recorded test
//! figures (`models/metrics.json`).

use stance::evaluate::metrics::Evaluation;
use stance::features::FeatureParams;
use stance::input::labelled::{read_labelled, ReadOptions};
use stance::models::prior::Prior;
use stance::pipeline::builtin::{builtin, Task};
use stance::pipeline::Pipeline;

fn root() -> String {
    env!("CARGO_MANIFEST_DIR").to_string()
}

fn split(task: Task, which: &str) -> stance::input::labelled::Labelled {
    read_labelled(
        &format!("{}/datasets/quotes.csv", root()),
        &ReadOptions {
            label_column: task.name().into(),
            filter: Some(("split".into(), which.into())),
            ..ReadOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn shipped_models_reproduce_from_datasets_and_match_recorded_metrics() {
    let recorded: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/models/metrics.json", root())).unwrap(),
    )
    .unwrap();
    for task in [Task::Stance, Task::Sentiment] {
        let shipped = builtin(task).unwrap();
        let train = split(task, "train");
        let features = FeatureParams::from_settings(shipped.header.features.clone());
        let features = linfa::ParamGuard::check(features).unwrap();
        // The built-in models are calibrated on a held-out 10% of the train split
        // (`train --calibrate`, the run's seed) and carry a class prior (`train --prior`).
        let meta = shipped.header.training.clone();
        let mut again = if meta.calibration.is_some() {
            Pipeline::fit_calibrated(
                &train.texts,
                &train.labels,
                &features,
                &shipped.header.model,
                meta.clone(),
                0.1,
                meta.seed,
            )
            .unwrap()
            .0
        } else {
            Pipeline::fit(
                &train.texts,
                &train.labels,
                &features,
                &shipped.header.model,
                meta,
            )
            .unwrap()
        };
        if let Some(prior) = &shipped.header.prior {
            let shares = prior
                .iter()
                .map(|(l, v)| format!("{l}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            again.store_prior(&Prior::parse(&shares).unwrap()).unwrap();
        }
        assert_eq!(
            again.header,
            shipped.header,
            "{} header differs",
            task.name()
        );
        assert_eq!(again.labels(), shipped.labels());
        assert_eq!(
            again.vectorizer.vocabulary().terms(),
            shipped.vectorizer.vocabulary().terms()
        );
        assert_eq!(again.model, shipped.model, "{} weights differ", task.name());
        assert_eq!(shipped.header.training.rows, train.texts.len());
        assert_eq!(shipped.header.training.data_sha256, train.sha256);

        // The test split has the training rows' label shares, so it is scored under them
        // (`evaluate --prior train`); the stored prior is for real news.
        let mut shipped = shipped;
        shipped.set_prior(&Prior::Train).unwrap();
        let test = split(task, "test");
        let truth: Vec<usize> = test
            .labels
            .iter()
            .map(|l| shipped.labels().iter().position(|x| x == l).unwrap())
            .collect();
        let pred: Vec<usize> = shipped
            .predict(&test.texts)
            .iter()
            .map(|p| p.label)
            .collect();
        let e = Evaluation::new(shipped.labels(), &truth, &pred);
        let want = &recorded[task.name()];
        assert!(
            (e.macro_f1 - want["macro_f1"].as_f64().unwrap()).abs() < 1e-12,
            "{}",
            task.name()
        );
        assert!(
            (e.accuracy - want["accuracy"].as_f64().unwrap()).abs() < 1e-12,
            "{}",
            task.name()
        );
    }
}

#[test]
fn builtin_models_answer_plain_cases() {
    let cases = [
        (
            "If they cross this line, we will respond with overwhelming force.",
            "threatening",
        ),
        (
            "We are ready to sit down and talk without preconditions.",
            "conciliatory",
        ),
        (
            "The committee will publish its report on Thursday.",
            "neutral",
        ),
    ];
    assert_labels(Task::Stance, &cases);
    assert_labels(
        Task::Sentiment,
        &[(
            "We are delighted and grateful for this wonderful agreement.",
            "positive",
        )],
    );
}

/// Quotes in the register of real news (written for this test), one per kind the built-in
/// models used to get wrong: a threat someone else made, an observer's hedged prediction,
/// thanks to one's own supporters, procedure after a death (all neutral in stance), and a
/// threat and an offer in the formal wording of official statements.
#[test]
fn builtin_models_read_the_news_register() {
    let cases = [
        (
            "The men at the checkpoint told us they would burn the village if anyone spoke to the soldiers.",
            "neutral",
        ),
        (
            "There is a feeling, perhaps, that they are getting ready for another push on the valley,",
            "neutral",
        ),
        (
            "Thank you so much to everyone who came out in the rain to cheer the girls on tonight,",
            "neutral",
        ),
        (
            "The inquest will resume in March once the toxicology results are back,",
            "neutral",
        ),
        (
            "Should the convoy be stopped again, the ministry reserves the right to take all measures necessary, including the closure of the crossing.",
            "threatening",
        ),
        (
            "The government stands ready to facilitate a resumption of dialogue, at any venue acceptable to both parties.",
            "conciliatory",
        ),
    ];
    assert_labels(Task::Stance, &cases);
    let cases = [
        (
            "The inquest will resume in March once the toxicology results are back,",
            "neutral",
        ),
        (
            "We don't know yet, and I'm not going to guess at this stage,",
            "neutral",
        ),
        (
            "Two of the crew were killed and a third is still missing,",
            "negative",
        ),
        (
            "The new ward is a real credit to the staff, and the families have noticed,",
            "positive",
        ),
    ];
    assert_labels(Task::Sentiment, &cases);
}

#[test]
fn builtin_models_carry_a_prior_and_a_temperature() {
    for task in [Task::Stance, Task::Sentiment] {
        let m = builtin(task).unwrap();
        let prior = m.header.prior.as_ref().expect("a stored prior");
        assert_eq!(prior.len(), m.labels().len());
        assert!((prior.values().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(m.header.training.calibration.is_some(), "{}", task.name());
        assert!(m.header.temperature > 1.0, "{}", task.name());
    }
}

/// The built-in model for `task` labels each text as given.
fn assert_labels(task: Task, cases: &[(&str, &str)]) {
    let m = builtin(task).unwrap();
    for (text, want) in cases {
        let p = m.predict_one(text);
        assert_eq!(m.labels()[p.label], *want, "{}: {text}", task.name());
    }
}
