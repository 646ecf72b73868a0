//! Runs `stance extract` on every fixture article (original stories written for these
//! tests, one or more per extraction rule) and checks it against the gold file beside it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn articles() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/articles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture directory exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

/// One quote printed by the binary.
struct Got {
    quote: String,
    speaker: Option<String>,
    start: usize,
    end: usize,
}

fn run_extract(path: &Path) -> Vec<Got> {
    let out = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(["extract", "--format", "jsonl"])
        .arg(path)
        .output()
        .expect("extract binary runs");
    assert!(out.status.success(), "extract failed on {}", path.display());
    String::from_utf8(out.stdout)
        .expect("utf-8 output")
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("one JSON object per line");
            Got {
                quote: v["quote"].as_str().expect("quote").to_string(),
                speaker: v["speaker"].as_str().map(str::to_string),
                start: v["start"].as_u64().expect("start") as usize,
                end: v["end"].as_u64().expect("end") as usize,
            }
        })
        .collect()
}

fn gold(path: &Path) -> (Vec<(String, Option<String>)>, Vec<String>) {
    let text = std::fs::read_to_string(path.with_extension("json")).expect("gold file");
    let v: Value = serde_json::from_str(&text).expect("gold JSON");
    let list = |key: &str| -> Vec<(String, Option<String>)> {
        v[key]
            .as_array()
            .expect("gold list")
            .iter()
            .map(|e| {
                (
                    e["quote"].as_str().expect("gold quote").to_string(),
                    e["speaker"].as_str().map(str::to_string),
                )
            })
            .collect()
    };
    let required = list("required");
    let optional = list("optional").into_iter().map(|(q, _)| q).collect();
    (required, optional)
}

#[test]
fn there_are_at_least_twelve_fixture_articles() {
    assert!(articles().len() >= 12);
}

#[test]
fn every_required_quote_is_found_with_its_speaker() {
    let mut failures = Vec::new();
    for path in articles() {
        let got = run_extract(&path);
        let (required, _) = gold(&path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (quote, speaker) in required {
            match got.iter().find(|g| g.quote == quote) {
                None => failures.push(format!("{name}: missing {quote:?}")),
                Some(g) if g.speaker != speaker => failures.push(format!(
                    "{name}: {quote:?} speaker {:?}, expected {speaker:?}",
                    g.speaker
                )),
                Some(_) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_extracted_quote_is_in_the_gold_file() {
    let mut failures = Vec::new();
    for path in articles() {
        let (required, optional) = gold(&path);
        for g in run_extract(&path) {
            let known = required.iter().any(|(q, _)| *q == g.quote) || optional.contains(&g.quote);
            if !known {
                failures.push(format!("{}: unexpected {:?}", path.display(), g.quote));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn quote_text_equals_the_article_chars_between_start_and_end() {
    for path in articles() {
        // Offsets index the article text as read, date prefix included.
        let raw = std::fs::read_to_string(&path).expect("article");
        let chars: Vec<char> = raw.chars().collect();
        for g in run_extract(&path) {
            assert!(
                g.start < g.end && g.end <= chars.len(),
                "{}: bad span",
                path.display()
            );
            let slice: String = chars[g.start..g.end].iter().collect();
            assert_eq!(slice, g.quote, "{}", path.display());
        }
    }
}
