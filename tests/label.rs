//! `stance label` driven by answer files over three fixture articles: exactly the answered
//! rows are appended, undo and skip behave, a killed session resumes without repeats or lost
//! rows, a torn last row is repaired, and an existing dataset's columns are respected.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use support::{bin, stderr, tmpdir};

const HEADER: [&str; 9] = [
    "id",
    "text",
    "stance",
    "sentiment",
    "domain",
    "speaker_type",
    "split",
    "source",
    "speaker",
];

fn articles() -> String {
    format!("{}/tests/fixtures/label", env!("CARGO_MANIFEST_DIR"))
}

/// Run `label` over the fixtures into `into`, with `answers` written to a file.
fn label(into: &Path, answers: &str, extra: &[&str]) -> Output {
    let af = into.with_extension(format!("answers-{}", answers.len()));
    std::fs::write(&af, answers).unwrap();
    bin()
        .args(["label", "--articles", &articles(), "--into"])
        .arg(into)
        .arg("--answers")
        .arg(&af)
        .args(extra)
        .output()
        .unwrap()
}

/// Header and rows as column → value maps; panics if the file does not parse.
fn rows(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(
                r.len(),
                header.len(),
                "a row with the wrong number of fields"
            );
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn texts(rows: &[BTreeMap<String, String>]) -> Vec<String> {
    rows.iter().map(|r| r["text"].clone()).collect()
}

/// Every quote of the fixtures as `extract` finds it, stored form (see `label`) → speaker.
fn fixture_quotes() -> BTreeMap<String, String> {
    let o = bin()
        .args(["extract", &articles(), "--format", "jsonl"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let q = v["quote"].as_str().unwrap();
            let text = q
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .trim_end_matches(',')
                .to_string();
            (text, v["speaker"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

#[test]
fn exactly_the_answered_rows_are_appended_with_their_quote_details() {
    let d = tmpdir("exact");
    let quotes = fixture_quotes();
    assert_eq!(quotes.len(), 16, "the fixtures hold 16 distinct quotes");

    // The order quotes come in, from plain runs: the 3rd and 4th quote shown.
    let probe = d.join("probe.csv");
    let o = label(&probe, "t\nt\nt\nt\nq\n", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let order = texts(&rows(&probe).1);
    assert_eq!(order.len(), 4);

    // t, c, skip the 3rd, n the 4th then undo it, so the 4th comes again: c, then t; q
    // stops before the last line.
    let into = d.join("l.csv");
    let o = label(&into, "t\nc\ns\nn\nu\nc\nt\nq\nt\n", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "nothing goes to stdout");
    let (header, got) = rows(&into);
    assert_eq!(header, HEADER);
    let labels: Vec<&str> = got.iter().map(|r| r["stance"].as_str()).collect();
    assert_eq!(
        labels,
        ["threatening", "conciliatory", "conciliatory", "threatening"]
    );
    let t = texts(&got);
    assert_eq!(t[..2], order[..2]);
    assert_eq!(
        t[2], order[3],
        "the undone quote is shown again and relabelled"
    );
    assert!(!t.contains(&order[2]), "the skipped quote is not written");
    for r in &got {
        let speaker = quotes
            .get(&r["text"])
            .unwrap_or_else(|| panic!("not a fixture quote: {:?}", r["text"]));
        assert_eq!(&r["speaker"], speaker);
        assert!(r["source"].starts_with(&articles()), "{}", r["source"]);
        assert!(r["split"] == "train" || r["split"] == "test");
        assert!(
            r["id"].starts_with('l') && r["id"].len() == 13,
            "{}",
            r["id"]
        );
        assert_eq!(r["sentiment"], "", "stance only was asked");
    }
    assert!(stderr(&o).contains("labelled 4 quotes (1 skipped, 1 undone"));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn the_same_answers_give_the_same_file() {
    let d = tmpdir("repro");
    for strategy in ["uncertainty", "random"] {
        let a = d.join(format!("a-{strategy}.csv"));
        let b = d.join(format!("b-{strategy}.csv"));
        let args = ["--strategy", strategy, "--batch", "3"];
        assert!(label(&a, "t\nc\nn\nt\nc\n", &args).status.success());
        assert!(label(&b, "t\nc\nn\nt\nc\n", &args).status.success());
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    }
    std::fs::remove_dir_all(&d).unwrap();
}

fn data_rows(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|s| s.lines().count().saturating_sub(1))
        .unwrap_or(0)
}

#[test]
fn a_killed_session_resumes_without_repeats_or_lost_rows() {
    let d = tmpdir("kill");
    let into = d.join("l.csv");
    let all = fixture_quotes();
    let mut child = bin()
        .args(["label", "--articles", &articles(), "--into"])
        .arg(&into)
        .args(["--answers", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let keys = ["t", "c", "n"];
    let first = 5;
    for k in 0..first {
        writeln!(stdin, "{}", keys[k % 3]).unwrap();
        stdin.flush().unwrap();
        let start = Instant::now();
        while data_rows(&into) < k + 1 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "answer {} never saved",
                k + 1
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    // SIGKILL while it waits for the next answer: no chance to clean up.
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    let before = std::fs::read(&into).unwrap();
    let (header, got) = rows(&into);
    assert_eq!(header, HEADER);
    assert_eq!(
        got.len(),
        first,
        "every answer given before the kill is kept"
    );

    // Restart with more answers than quotes left: it stops when none are left.
    let o = label(&into, &"t\nc\nn\n".repeat(10), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "{} quotes to label ({first} already in",
            all.len() - first
        )),
        "{}",
        stderr(&o)
    );
    let after = std::fs::read(&into).unwrap();
    assert!(after.starts_with(&before), "earlier rows are untouched");
    let (header, got) = rows(&into);
    assert_eq!(header, HEADER);
    let t = texts(&got);
    let distinct: HashSet<&String> = t.iter().collect();
    assert_eq!(distinct.len(), t.len(), "no quote labelled twice");
    let want: HashSet<&String> = all.keys().collect();
    assert_eq!(distinct, want, "every quote labelled exactly once");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_torn_last_row_is_removed_reported_and_its_quote_offered_again() {
    let d = tmpdir("torn");
    let into = d.join("l.csv");
    let o = label(&into, "t\nq\n", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let good = std::fs::read_to_string(&into).unwrap();
    // A crash in the middle of writing the next row.
    std::fs::write(&into, format!("{good}lx,\"Not a single container")).unwrap();
    let o = label(&into, "q\n", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("removed an incomplete row at line 3")
            && err.contains("Not a single container"),
        "{err}"
    );
    assert!(err.contains("15 quotes to label (1 already in"), "{err}");
    assert_eq!(std::fs::read_to_string(&into).unwrap(), good);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn an_existing_dataset_keeps_its_columns_and_its_texts_are_not_shown_again() {
    let d = tmpdir("existing");
    let into = d.join("mine.csv");
    // A fixture quote in other case and punctuation counts as labelled.
    std::fs::write(
        &into,
        "text,sentiment,stance,split\nNOT A SINGLE CONTAINER WILL MOVE,negative,threatening,train\n",
    )
    .unwrap();
    let o = label(&into, "c-\nn0\nq\n", &["--task", "both"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("15 quotes to label (1 already in"));
    let (header, got) = rows(&into);
    assert_eq!(header, ["text", "sentiment", "stance", "split"]);
    assert_eq!(got.len(), 3);
    assert_eq!(
        (got[1]["stance"].as_str(), got[1]["sentiment"].as_str()),
        ("conciliatory", "negative")
    );
    assert_eq!(
        (got[2]["stance"].as_str(), got[2]["sentiment"].as_str()),
        ("neutral", "neutral")
    );
    // A dataset without the column the task needs is refused before anything is shown.
    std::fs::write(d.join("nolabel.csv"), "text,label\nx,y\n").unwrap();
    let o = label(&d.join("nolabel.csv"), "t\n", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no column named \"stance\""),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_bad_answer_line_stops_with_its_line_and_keeps_earlier_rows() {
    let d = tmpdir("badline");
    let into = d.join("l.csv");
    let o = label(&into, "t\n\n# comment\nx\nc\n", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(":4: \"x\": expected one of t c n"), "{err}");
    assert_eq!(rows(&into).1.len(), 1);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn without_answers_a_non_terminal_stdin_is_a_usage_error() {
    let d = tmpdir("notty");
    let o = bin()
        .args(["label", "--articles", &articles(), "--into"])
        .arg(d.join("l.csv"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--answers"), "{}", stderr(&o));
    assert!(!d.join("l.csv").exists(), "nothing is created");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn retraining_waits_for_two_rows_of_each_label() {
    let d = tmpdir("retrain");
    let into = d.join("l.csv");
    let o = label(
        &into,
        "t\nt\nt\nc\n",
        &["--retrain-every", "2", "--batch", "2"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("kept the stance model: needs 2 rows of each label, has threatening 2, conciliatory 0, neutral 0"),
        "{}",
        stderr(&o)
    );
    let o = label(
        &into,
        "c\nn\nn\nt\n",
        &["--retrain-every", "3", "--batch", "3"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("retrained the stance model on 7 rows"),
        "{}",
        stderr(&o)
    );
    assert_eq!(rows(&into).1.len(), 8);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn help_shows_keys_defaults_and_an_example() {
    let o = bin().args(["label", "--help"]).output().unwrap();
    assert!(o.status.success());
    let s = String::from_utf8_lossy(&o.stdout);
    for want in [
        "Example:",
        "Keys: t / c / n",
        "[default: uncertainty]",
        "[default: margin]",
        "[default: 10]",
        "[default: 0.2]",
    ] {
        assert!(s.contains(want), "{want}: {s}");
    }
}
