//! Runs the real binary on fixture files: every command, and each bad-input case, with its
//! exit code and message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stance"))
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn bad(name: &str) -> String {
    format!("{}/tests/bad-input/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("stance-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn train_tiny(dir: &Path) -> String {
    let model = dir.join("tiny.model");
    let m = model.to_str().unwrap().to_string();
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "--split",
        "train",
        "-o",
        &m,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    m
}

#[test]
fn train_evaluate_predict_round_trip() {
    let d = tmpdir("round");
    let m = train_tiny(&d);
    let o = run(&[
        "evaluate",
        "--model",
        &m,
        "--data",
        &fixture("tiny.csv"),
        "--split",
        "test",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["accuracy", "confusion", "macro_f1", "per_class"]);
    assert_eq!(
        v["confusion"]["labels"],
        serde_json::json!(["calm", "threat"])
    );
    for label in ["calm", "threat"] {
        let c = &v["per_class"][label];
        for k in ["precision", "recall", "f1", "support"] {
            assert!(c[k].is_number(), "{label}.{k}");
        }
    }
    assert!(v["accuracy"].as_f64().unwrap() >= 0.75, "{v}");

    let o = run(&[
        "predict",
        "--model",
        &m,
        "--format",
        "jsonl",
        "We will strike back hard.",
        "We are ready to talk.",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["label"], "threat");
    assert_eq!(lines[1]["label"], "calm");
    for l in &lines {
        let sum: f64 = l["probabilities"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_f64().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-4);
        assert!(l["text"].is_string() && l["confidence"].is_number());
    }
}

#[test]
fn predict_streams_stdin_in_order_as_csv() {
    let d = tmpdir("stdin");
    let m = train_tiny(&d);
    let mut child = bin()
        .args(["predict", "--model", &m, "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut i = child.stdin.take().unwrap();
        i.write_all(b"we will retaliate with force\r\nlet us talk, we are ready\n")
            .unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "text,label,confidence,p_calm,p_threat");
    assert!(
        rows[1].starts_with("we will retaliate with force,threat,"),
        "{out}"
    );
    assert!(
        rows[2].starts_with("\"let us talk, we are ready\",calm,"),
        "{out}"
    );
}

#[test]
fn cv_reports_mean_and_std() {
    let o = run(&[
        "cv",
        "--data",
        &fixture("tiny.csv"),
        "--folds",
        "3",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["folds"], 3);
    assert_eq!(v["fold_macro_f1"].as_array().unwrap().len(), 3);
    assert!(v["macro_f1_std"].as_f64().unwrap() >= 0.0);
    // Same seed, same result, bit for bit.
    let again = run(&[
        "cv",
        "--data",
        &fixture("tiny.csv"),
        "--folds",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(o.stdout, again.stdout);
}

#[test]
fn training_is_reproducible_bit_for_bit() {
    let d = tmpdir("repro");
    let a = d.join("a.model");
    let b = d.join("b.model");
    for p in [&a, &b] {
        let o = run(&[
            "train",
            "--data",
            &fixture("tiny.csv"),
            "--model",
            "svm",
            "-o",
            p.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    // The date in the metadata may differ across midnight; everything else may not.
    assert_eq!(
        std::fs::read(&a).unwrap().len(),
        std::fs::read(&b).unwrap().len()
    );
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn bom_and_crlf_csv_is_read() {
    let d = tmpdir("bom");
    let m = d.join("m.model");
    let o = run(&[
        "train",
        "--data",
        &fixture("bom_crlf.csv"),
        "-o",
        m.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn existing_model_is_not_overwritten_without_force() {
    let d = tmpdir("force");
    let m = train_tiny(&d);
    let before = std::fs::read(&m).unwrap();
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "--model",
        "nb",
        "-o",
        &m,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&m).unwrap(), before);
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "--model",
        "nb",
        "-o",
        &m,
        "--force",
    ]);
    assert!(o.status.success());
    assert_ne!(std::fs::read(&m).unwrap(), before);
}

#[test]
fn unknown_label_in_evaluate_is_reported_not_a_crash() {
    let d = tmpdir("unknown");
    let m = train_tiny(&d);
    let o = run(&[
        "evaluate",
        "--model",
        &m,
        "--data",
        &fixture("unknown_label.csv"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("\"unseen\" (1 rows)"), "{}", stderr(&o));
    assert!(stdout(&o).contains("unseen"));
}

/// Each bad input: exit code, and a one-line message naming the file (and line).
#[test]
fn bad_inputs_exit_2_with_file_and_line() {
    let d = tmpdir("bad");
    let out = d.join("m.model");
    let out = out.to_str().unwrap();
    let cases: &[(&str, &str)] = &[
        ("missing_column.csv", "no column named \"text\""),
        ("empty_label.csv", "empty_label.csv:3: empty label"),
        ("invalid_utf8.csv", "invalid_utf8.csv:2: invalid UTF-8"),
        ("header_only.csv", "header_only.csv: no data rows"),
        ("empty.csv", "empty.csv: the file is empty"),
        (
            "unterminated_quote.csv",
            "unterminated_quote.csv:3: malformed CSV",
        ),
    ];
    for (file, want) in cases {
        let o = run(&["train", "--data", &bad(file), "-o", out]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(want), "{file}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
}

#[test]
fn bad_rows_can_be_skipped() {
    let d = tmpdir("skip");
    let m = d.join("m.model");
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "-o",
        m.to_str().unwrap(),
        "--skip-bad-rows",
    ]);
    assert!(o.status.success());
    let o = run(&[
        "evaluate",
        "--model",
        m.to_str().unwrap(),
        "--data",
        &bad("empty_label.csv"),
        "--skip-bad-rows",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped 1 bad row"), "{}", stderr(&o));
}

#[test]
fn bad_model_files_are_refused_with_one_line() {
    let d = tmpdir("badmodel");
    let good = train_tiny(&d);
    let bytes = std::fs::read(&good).unwrap();
    let mut cases = vec![
        (
            bad("random.model"),
            "does not start with the stance model signature".to_string(),
        ),
        (
            bad("future_version.model"),
            "model format version 9 is newer".to_string(),
        ),
        (
            d.join("nope.model").to_str().unwrap().to_string(),
            "No such file".to_string(),
        ),
    ];
    for tenth in 1..10 {
        let p = d.join(format!("cut{tenth}.model"));
        std::fs::write(&p, &bytes[..bytes.len() * tenth / 10]).unwrap();
        cases.push((
            p.to_str().unwrap().to_string(),
            "not a usable stance model".to_string(),
        ));
    }
    for (model, want) in cases {
        let o = run(&["predict", "--model", &model, "hello"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{model}: {err}");
        assert!(err.contains(&want), "{model}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{model}: {err}");
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["train"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "--ngrams",
        "3-1",
        "-o",
        "/nonexistent/x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ngrams"), "{}", stderr(&o));
    let o = run(&["cv", "--data", &fixture("tiny.csv"), "--folds", "1"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_shows_defaults_and_an_example() {
    for cmd in ["train", "evaluate", "predict", "cv"] {
        let o = run(&[cmd, "--help"]);
        let s = stdout(&o);
        assert!(o.status.success());
        assert!(s.contains("Example:"), "{cmd}");
        if cmd == "train" || cmd == "cv" {
            assert!(
                s.contains("[default: nblr]") && s.contains("[default: 1-2]"),
                "{cmd}: {s}"
            );
        }
    }
}

#[test]
fn closed_stdout_pipe_exits_quietly() {
    let d = tmpdir("pipe");
    let m = train_tiny(&d);
    let mut child = bin()
        .args(["predict", "--model", &m, "--format", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    drop(child.stdout.take());
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        for _ in 0..50_000 {
            if input.write_all(b"we are ready to talk\n").is_err() {
                break;
            }
        }
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}
