//! The training tooling through the real binary: `explain`, `tune`, `cv --learning-curve`,
//! `evaluate`'s calibration figures and `train --calibrate`, on fixture files.

mod support;

use std::path::Path;
use std::process::Output;

use stance::pipeline::Pipeline;
use support::{fixture, run, tmpdir};

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(o)).unwrap()
}

fn train(dir: &Path, extra: &[&str]) -> String {
    let m = dir.join("m.model").to_str().unwrap().to_string();
    let data = fixture("tiny.csv");
    let mut args = vec!["train", "--data", &data];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-o", &m, "--force"]);
    ok(&run(&args));
    m
}

const ACCEPTANCE: &str = "If they cross this line, we will respond with force";

/// The acceptance sentence with the built-in stance model: threatening, and the n-grams
/// that carry the threat lead the list: the frame "if …, we will" (`m:1fc`, an actor and
/// modality mark), the conditional, the force.
#[test]
fn explain_names_the_threatening_ngrams_of_the_acceptance_sentence() {
    let v = json(&run(&[
        "explain", ACCEPTANCE, "--format", "json", "--top", "8",
    ]));
    assert_eq!(v["label"], "threatening");
    let top: Vec<&str> = v["ngrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["ngram"].as_str().unwrap())
        .collect();
    assert_eq!(top.len(), 8);
    for want in ["m:1fc", "if", "forc", "m:1fc with"] {
        assert!(top.contains(&want), "{want} not in {top:?}");
    }
    // The leading n-grams push towards the decision, and point back at the words.
    for n in &v["ngrams"].as_array().unwrap()[..4] {
        assert!(
            n["contribution"]["threatening"].as_f64().unwrap() > 0.0,
            "{n}"
        );
    }
    let forc = v["ngrams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["ngram"] == "forc")
        .unwrap();
    assert_eq!(forc["words"], serde_json::json!(["force"]));
    let table = ok(&run(&["explain", ACCEPTANCE]));
    assert!(table.contains("prediction  threatening"), "{table}");
    assert!(table.contains("respond"), "{table}");
}

/// Contributions are an exact decomposition: bias + every n-gram = score, and the softmax
/// of score / temperature is the probability that `predict` reports.
#[test]
fn explain_contributions_add_up_to_the_scores_and_probabilities() {
    let d = tmpdir("sum");
    let m = train(&d, &[]);
    let text = "We will retaliate with overwhelming force unless they talk.";
    let v = json(&run(&[
        "explain", "--model", &m, "--format", "json", "--top", "1000", text,
    ]));
    let labels = ["calm", "threat"];
    let t = v["temperature"].as_f64().unwrap();
    let mut scaled = Vec::new();
    for l in labels {
        let sum: f64 = v["bias"][l].as_f64().unwrap()
            + v["ngrams"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["contribution"][l].as_f64().unwrap())
                .sum::<f64>();
        let score = v["scores"][l].as_f64().unwrap();
        assert!((sum - score).abs() < 1e-4, "{l}: {sum} vs {score}");
        scaled.push(score / t);
    }
    let p_threat = 1.0 / (1.0 + (scaled[0] - scaled[1]).exp());
    let pred = run(&["predict", "--model", &m, "--format", "jsonl", text]);
    let pred: serde_json::Value = serde_json::from_str(ok(&pred).trim()).unwrap();
    let want = pred["probabilities"]["threat"].as_f64().unwrap();
    assert!((p_threat - want).abs() < 1e-4, "{p_threat} vs {want}");
    assert!((v["probabilities"]["threat"].as_f64().unwrap() - want).abs() < 1e-5);
}

#[test]
fn explain_without_text_lists_the_strongest_features_per_class() {
    let d = tmpdir("top");
    let m = train(&d, &[]);
    let v = json(&run(&[
        "explain", "--model", &m, "--top", "5", "--format", "json",
    ]));
    let classes = v.as_array().unwrap();
    assert_eq!(classes.len(), 2);
    for c in classes {
        let w: Vec<f64> = c["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["weight"].as_f64().unwrap())
            .collect();
        assert_eq!(w.len(), 5);
        assert!(w.windows(2).all(|p| p[0] >= p[1]), "{w:?}");
        assert!(w[0] > 0.0);
    }
    let table = ok(&run(&["explain", "--model", &m, "--top", "3"]));
    assert!(
        table.contains("calm") && table.contains("threat"),
        "{table}"
    );
    let o = run(&["explain", "--model", &m, "--top", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A tiny budget on the fixture: a sorted table, the same result for the same seed, and a
/// model that records its search.
#[test]
fn tune_searches_reproducibly_and_writes_the_winner_with_its_record() {
    let d = tmpdir("tune");
    let m = d.join("tuned.model");
    let m = m.to_str().unwrap();
    let args = [
        "tune",
        "--data",
        &fixture("tiny.csv"),
        "--folds",
        "3",
        "--budget",
        "4",
        "--seed",
        "5",
        "--format",
        "json",
    ];
    let mut with_out = args.to_vec();
    with_out.extend_from_slice(&["-o", m]);
    let a = json(&run(&with_out));
    let b = json(&run(&args));
    assert_eq!(a, b, "same seed, same search");
    let results = a["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let f1: Vec<f64> = results
        .iter()
        .map(|r| r["macro_f1_mean"].as_f64().unwrap())
        .collect();
    assert!(f1.windows(2).all(|p| p[0] >= p[1]), "{f1:?}");
    // The defaults are always among the tried.
    assert!(results
        .iter()
        .any(|r| r["options"] == "--model nblr --ngrams 1-2 --min-df 1 --c 10 --alpha 0.1"));
    let p = Pipeline::load(Path::new(m)).unwrap();
    let rec = p.header.training.tuning.clone().unwrap();
    assert_eq!((rec.folds, rec.budget, rec.tried, rec.seed), (3, 4, 4, 5));
    assert_eq!(rec.winner, a["best"].as_str().unwrap());
    assert!((rec.cv_macro_f1_mean - f1[0]).abs() < 1e-12);
    assert_eq!(rec.search_space["model"].len(), 5);
    assert_eq!(
        p.header.training.rows, 28,
        "the winner is trained on all rows"
    );
    assert_eq!(
        p.header.model.kind.name(),
        results[0]["model"].as_str().unwrap()
    );
    // An existing model is refused before any search, and kept.
    let before = std::fs::read(m).unwrap();
    let o = run(&with_out);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(std::fs::read(m).unwrap(), before);
    let table = ok(&run(&[
        "tune",
        "--data",
        &fixture("tiny.csv"),
        "--folds",
        "3",
        "--budget",
        "2",
    ]));
    assert!(
        table.contains("rank") && table.contains("macro-F1"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 4, "{table}");
}

#[test]
fn learning_curve_runs_from_ten_to_a_hundred_percent() {
    let args = [
        "cv",
        "--data",
        &fixture("tiny.csv"),
        "--folds",
        "3",
        "--learning-curve",
        "--format",
        "json",
    ];
    let v = json(&run(&args));
    let curve = v["learning_curve"].as_array().unwrap();
    let fractions: Vec<f64> = curve
        .iter()
        .map(|p| p["fraction"].as_f64().unwrap())
        .collect();
    assert_eq!(
        fractions,
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    );
    let rows: Vec<f64> = curve
        .iter()
        .map(|p| p["train_rows_mean"].as_f64().unwrap())
        .collect();
    assert!(rows.windows(2).all(|p| p[0] <= p[1]), "{rows:?}");
    // 28 rows, 3 folds: training folds of 18 or 19 rows.
    assert!((rows[9] - 56.0 / 3.0).abs() < 1e-9, "{rows:?}");
    assert_eq!(curve[9]["macro_f1_mean"], v["macro_f1_mean"]);
    assert_eq!(json(&run(&args)), v, "same seed, same curve");
    // Without the flag the output is the plain cross-validation, the same numbers.
    let plain = json(&run(&[
        "cv",
        "--data",
        &fixture("tiny.csv"),
        "--folds",
        "3",
        "--format",
        "json",
    ]));
    assert_eq!(plain["macro_f1_mean"], v["macro_f1_mean"]);
    assert!(plain.get("learning_curve").is_none());
    let table = ok(&run(&[
        "cv",
        "--data",
        &fixture("tiny.csv"),
        "--folds",
        "3",
        "--learning-curve",
    ]));
    assert!(
        table.contains("learning curve") && table.contains(" 10%"),
        "{table}"
    );
}

#[test]
fn evaluate_reports_ece_and_a_reliability_table() {
    let d = tmpdir("ece");
    let m = train(&d, &["--split", "train"]);
    let eval = |bins: &str| {
        json(&run(&[
            "evaluate",
            "--model",
            &m,
            "--data",
            &fixture("tiny.csv"),
            "--format",
            "json",
            "--bins",
            bins,
        ]))
    };
    let v = eval("10");
    let bins = v["reliability"].as_array().unwrap();
    assert_eq!(bins.len(), 10);
    let n: u64 = bins.iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(n, 28);
    // ECE from the bins' own figures.
    let ece: f64 = bins
        .iter()
        .map(|b| {
            b["count"].as_f64().unwrap() / 28.0
                * (b["accuracy"].as_f64().unwrap() - b["mean_confidence"].as_f64().unwrap()).abs()
        })
        .sum();
    assert!((ece - v["ece"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(bins[3]["lower"], 0.3);
    for k in ["lower", "upper", "count", "mean_confidence", "accuracy"] {
        assert!(bins[0].get(k).is_some(), "{k}");
    }
    assert_eq!(eval("4")["reliability"].as_array().unwrap().len(), 4);
    let table = ok(&run(&[
        "evaluate",
        "--model",
        &m,
        "--data",
        &fixture("tiny.csv"),
    ]));
    assert!(
        table.contains("ECE") && table.contains("0.90-1.00"),
        "{table}"
    );
    let o = run(&[
        "evaluate",
        "--model",
        &m,
        "--data",
        &fixture("tiny.csv"),
        "--bins",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn train_calibrate_records_the_temperature_and_keeps_the_labels() {
    let d = tmpdir("cal");
    let plain = Pipeline::load(Path::new(&train(&d, &[]))).unwrap();
    let cal_path = train(&d, &["--calibrate", "--calibration-fraction", "0.2"]);
    let cal = Pipeline::load(Path::new(&cal_path)).unwrap();
    let note = cal.header.training.calibration.clone().unwrap();
    assert!(note.contains("held-out 20%"), "{note}");
    assert_eq!(cal.header.temperature, cal.model.temperature());
    assert_eq!(cal.header.training.rows, 28);
    let texts = ["we will hit back", "let us talk", "the meeting is at noon"];
    for (a, b) in plain.predict(&texts).iter().zip(cal.predict(&texts)) {
        assert_eq!(a.label, b.label);
    }
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "--calibration-fraction",
        "0.2",
        "-o",
        d.join("x.model").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "the fraction needs --calibrate");
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "--calibrate",
        "--calibration-fraction",
        "1.5",
        "-o",
        d.join("x.model").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("calibration-fraction"));
}

#[test]
fn score_explain_adds_the_three_strongest_ngrams_of_each_quote() {
    let dir = tmpdir("score-explain");
    let article = dir.join("a.txt");
    std::fs::write(
        &article,
        "\"If they cross this line, we will respond with force,\" the defence minister said on Monday.\n\n\"We welcome the offer and are ready to talk,\" said Ana Ruiz, the envoy.\n",
    )
    .unwrap();
    let score = |extra: &[&str]| {
        let mut args = vec!["score", article.to_str().unwrap()];
        args.extend_from_slice(extra);
        run(&args)
    };
    let text = ok(&score(&["--explain", "--format", "jsonl"]));
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    for r in &rows {
        let quote = r["quote"].as_str().unwrap();
        for key in ["stance_ngrams", "sentiment_ngrams"] {
            let ngrams = r[key].as_array().unwrap();
            assert!(!ngrams.is_empty() && ngrams.len() <= 3, "{r}");
            // Each is a span of the quote as written.
            for g in ngrams {
                assert!(quote.contains(g.as_str().unwrap()), "{g} not in {quote}");
            }
        }
    }
    assert_eq!(rows[0]["stance"], "threatening");
    let first: Vec<&str> = rows[0]["stance_ngrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert!(first.contains(&"If"), "{first:?}");
    // Without the flag the keys are absent; with --by article the flag is refused.
    let plain = ok(&score(&["--format", "jsonl"]));
    assert!(!plain.contains("stance_ngrams"));
    let o = score(&["--explain", "--by", "article"]);
    assert_eq!(o.status.code(), Some(2));
}
