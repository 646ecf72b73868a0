//! Runs the real binary on fixture files: every command, and each bad-input case, with its
//! exit code and message.

mod support;

use std::path::Path;
use std::process::Stdio;
use support::{bad, bin, fixture, run, stderr, stdout, tmpdir};

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
    assert_eq!(
        keys,
        [
            "accuracy",
            "confusion",
            "ece",
            "macro_f1",
            "per_class",
            "reliability"
        ]
    );
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
    for cmd in ["train", "evaluate", "predict", "cv", "explain", "tune"] {
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

#[test]
fn extract_offsets_index_the_text_as_read_including_the_date_prefix() {
    let file = format!(
        "{}/tests/bad-input/articles_dir/good.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = run(&["extract", &file, "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let raw: Vec<char> = std::fs::read_to_string(&file).unwrap().chars().collect();
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["speaker"], "Mara Quist");
    assert_eq!(r["date"], "2024-03-02");
    let (s, e) = (
        r["start"].as_u64().unwrap() as usize,
        r["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        raw[s..e].iter().collect::<String>(),
        r["quote"].as_str().unwrap()
    );
    let keys: Vec<&str> = r.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "article",
            "date",
            "end",
            "kind",
            "partial",
            "quote",
            "speaker",
            "speaker_title",
            "start"
        ]
    );
}

#[test]
fn a_directory_with_a_broken_file_processes_the_good_ones_and_lists_the_bad() {
    let dir = format!(
        "{}/tests/bad-input/articles_dir",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = run(&["score", &dir, "--format", "jsonl"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("broken.txt: invalid UTF-8 at line 1, byte offset 13"),
        "{err}"
    );
    assert!(err.contains("1 of 3 inputs could not be read"), "{err}");
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let speakers: Vec<&str> = rows
        .iter()
        .map(|r| r["speaker"].as_str().unwrap())
        .collect();
    assert_eq!(speakers, ["Mara Quist", "Elias Brandt"]);
    assert_eq!(rows[0]["stance"], "threatening");
    assert_eq!(rows[1]["stance"], "conciliatory");
    assert_eq!(rows[1]["article"], "wire-7");
    for r in &rows {
        for k in ["stance_confidence", "sentiment_confidence"] {
            assert!(r[k].as_f64().unwrap() > 0.0);
        }
    }
    // --lossy reads the broken file too.
    let o = run(&["extract", &dir, "--lossy", "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3);
}

#[test]
fn score_by_speaker_over_a_directory_tallies_each_speaker() {
    let dir = format!("{}/tests/fixtures/articles", env!("CARGO_MANIFEST_DIR"));
    let by_quote = run(&["score", &dir, "--format", "jsonl"]);
    assert!(by_quote.status.success(), "{}", stderr(&by_quote));
    let quotes: Vec<serde_json::Value> = stdout(&by_quote)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let o = run(&["score", &dir, "--by", "speaker", "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let total: u64 = rows.iter().map(|r| r["quotes"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, quotes.len());
    for r in &rows {
        let n = r["quotes"].as_u64().unwrap();
        let st: u64 = r["stance"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        let se: u64 = r["sentiment"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!((st, se), (n, n), "{r}");
        let want = quotes
            .iter()
            .filter(|q| q["speaker"] == r["speaker"])
            .count() as u64;
        assert_eq!(n, want, "{r}");
    }
    // Sorted by quote count, most first.
    assert!(rows
        .windows(2)
        .all(|w| w[0]["quotes"].as_u64() >= w[1]["quotes"].as_u64()));
    let by_article = run(&["score", &dir, "--by", "article", "--format", "csv"]);
    assert!(by_article.status.success());
    let text = stdout(&by_article);
    assert!(
        text.starts_with(
            "article,date,quotes,conciliatory,neutral,threatening,most_threatening_quote"
        ),
        "{text}"
    );
    // A header and one row per fixture article.
    assert_eq!(text.lines().count(), 30);
}

#[test]
fn extract_reads_jsonl_from_stdin() {
    let o = run_with_stdin(
        &["extract", "-", "--format", "csv"],
        b"{\"id\":\"a1\",\"text\":\"\\\"We will not back down,\\\" said minister Ola Berg.\"}\n",
    );
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.starts_with("article,date,quote,speaker,speaker_title,start,end,partial,kind\n"),
        "{out}"
    );
    assert!(
        out.contains("a1,,\"We will not back down,\",Ola Berg,"),
        "{out}"
    );
}

/// The `threat` probability `predict --format jsonl` gives `text` with `args`.
fn threat_probability(model: &str, text: &str, args: &[&str]) -> f64 {
    let mut a = vec!["predict", "--model", model, "--format", "jsonl"];
    a.extend_from_slice(args);
    a.push(text);
    let o = run(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["probabilities"]["threat"].as_f64().unwrap()
}

#[test]
fn a_prior_stored_at_training_moves_probabilities_and_predict_can_undo_it() {
    let d = tmpdir("prior");
    let plain = train_tiny(&d);
    let leaning = d.join("calm.model");
    let leaning = leaning.to_str().unwrap();
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "--split",
        "train",
        "--prior",
        "calm=0.9,threat=0.1",
        "-o",
        leaning,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = "we will strike if they cross the line";
    let base = threat_probability(&plain, text, &[]);
    // Bayes' rule against the training shares of tiny.csv's train rows.
    let (calm, threat) = tiny_train_shares();
    let odds = base / (1.0 - base) * (0.1 / threat) / (0.9 / calm);
    let want = odds / (1.0 + odds);
    let stored = threat_probability(leaning, text, &[]);
    assert!((stored - want).abs() < 1e-5, "{stored} vs {want}");
    assert_eq!(
        threat_probability(leaning, text, &["--prior", "train"]),
        base
    );
    let given = threat_probability(&plain, text, &["--prior", "threat=1,calm=9"]);
    assert!((given - want).abs() < 1e-5, "{given} vs {want}");
}

/// Label shares of the train rows of `tests/fixtures/tiny.csv` (calm, threat).
fn tiny_train_shares() -> (f64, f64) {
    let mut r = csv::Reader::from_path(fixture("tiny.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let (li, si) = (
        h.iter().position(|c| c == "label").unwrap(),
        h.iter().position(|c| c == "split").unwrap(),
    );
    let (mut calm, mut all) = (0.0, 0.0);
    for row in r.records() {
        let row = row.unwrap();
        if &row[si] == "train" {
            all += 1.0;
            if &row[li] == "calm" {
                calm += 1.0;
            }
        }
    }
    (calm / all, 1.0 - calm / all)
}

#[test]
fn bad_priors_exit_2_and_name_the_labels() {
    let d = tmpdir("badprior");
    let m = train_tiny(&d);
    for (prior, says) in [
        ("calm=0.9", "no share for \"threat\""),
        ("calm=0.9,angry=0.1,threat=1", "\"angry\" is not a label"),
        ("calm=-1,threat=1", "positive"),
        ("often", "label=share"),
    ] {
        let o = run(&["predict", "--model", &m, "--prior", prior, "some text"]);
        assert_eq!(o.status.code(), Some(2), "{prior}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{prior}: {}", stderr(&o));
    }
}

#[test]
fn marks_are_stored_in_the_model_and_shown_by_explain() {
    let d = tmpdir("marks");
    let m = d.join("marks.model");
    let m = m.to_str().unwrap();
    let o = run(&["train", "--data", &fixture("tiny.csv"), "--marks", "-o", m]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "explain",
        "--model",
        m,
        "--format",
        "json",
        "we will retaliate tonight",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ngrams: Vec<&str> = v["ngrams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["ngram"].as_str().unwrap())
        .collect();
    // The frame "we will" and the stemmed verb inside it, beside the plain n-grams.
    assert!(ngrams.contains(&"m:1f"), "{ngrams:?}");
    assert!(ngrams.contains(&"m:1f retali"), "{ngrams:?}");
    assert!(ngrams.contains(&"we will"), "{ngrams:?}");
}

#[test]
fn csv_rows_quote_a_date_with_a_comma() {
    for cmd in ["extract", "score"] {
        let o = run_with_stdin(
            &[cmd, "-", "--format", "csv"],
            b"{\"id\":\"a1\",\"date\":\"March 3, 2024\",\"text\":\"\\\"We will not back down,\\\" said minister Ola Berg.\"}\n",
        );
        assert!(o.status.success(), "{cmd}");
        let mut r = csv::Reader::from_reader(o.stdout.as_slice());
        let header = r.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 1, "{cmd}");
        assert_eq!(rows[0].len(), header.len(), "{cmd}: {:?}", rows[0]);
        assert_eq!(&rows[0][1], "March 3, 2024", "{cmd}");
        assert_eq!(&rows[0][8], "direct", "{cmd}");
    }
}

/// Run the binary with `args`, `input` on its stdin.
fn run_with_stdin(args: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn quote_table_shows_the_csv_columns() {
    let article = fixture("articles/diplomacy_wire.txt");
    let table = stdout(&run(&["score", &article]));
    let csv = stdout(&run(&["score", &article, "--format", "csv"]));
    let table_cols: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        table_cols,
        [
            "article",
            "date",
            "speaker",
            "speaker_title",
            "start-end",
            "kind",
            "stance",
            "sentiment",
            "quote"
        ]
    );
    // Every CSV column has its table column: offsets share one, `partial` is in `kind`,
    // confidences stand beside their labels.
    for col in csv.lines().next().unwrap().split(',') {
        let shown = match col {
            "start" | "end" => "start-end",
            "partial" => "kind",
            "stance_confidence" => "stance",
            "sentiment_confidence" => "sentiment",
            other => other,
        };
        assert!(table_cols.contains(&shown), "{col} has no table column");
    }
}
