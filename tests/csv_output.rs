//! Every CSV `stance` writes reads back, with the csv crate, to the fields of its JSONL
//! output for the same input: ids, dates, quotes and labels with commas, quotes, line
//! breaks, a leading `=` or spaces, and any Unicode. Runs the real binary.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::Value;
use support::{bin, fixture, stderr, tmpdir};

/// Labels that CSV must quote: `tests/fixtures/tiny.csv`'s `threat` and `calm`, renamed.
const LABELS: [(&str, &str); 2] = [("threat", "threat, \"real\""), ("calm", "=calm\r\ndown")];

/// A model trained on `tiny.csv` with [`LABELS`], made once for the whole file.
fn weird_model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| {
        let d = tmpdir("weird-model");
        let mut rdr = csv::Reader::from_path(fixture("tiny.csv")).unwrap();
        let data = d.join("weird.csv");
        let mut w = csv::Writer::from_path(&data).unwrap();
        w.write_record(["text", "label"]).unwrap();
        for r in rdr.records() {
            let r = r.unwrap();
            let label = LABELS.iter().find(|(l, _)| *l == &r[1]).unwrap().1;
            w.write_record([&r[0], label]).unwrap();
        }
        w.flush().unwrap();
        let model = d.join("weird.model");
        let o = bin()
            .args(["train", "--data", data.to_str().unwrap(), "-o"])
            .arg(&model)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        model
    })
}

/// Standard output of a run that must succeed.
fn out(args: &[&str]) -> Vec<u8> {
    let o = bin().args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o.stdout
}

/// A JSON row's fields by CSV column: a nested object's keys are prefixed with its name
/// (`stance` → `stance_neutral`; `probabilities` → `p_neutral`, as `predict` names them).
fn flatten(row: &Value) -> BTreeMap<String, Value> {
    let mut flat = BTreeMap::new();
    for (k, v) in row.as_object().expect("a JSON object per line") {
        match v {
            Value::Object(inner) => {
                let prefix = if k == "probabilities" {
                    "p"
                } else {
                    k.as_str()
                };
                for (l, x) in inner {
                    flat.insert(format!("{prefix}_{l}"), x.clone());
                }
            }
            _ => {
                flat.insert(k.clone(), v.clone());
            }
        }
    }
    flat
}

/// Whether a CSV field holds a JSON value: null is empty, a list is joined by ` | `, and
/// numbers agree to the six decimals both print.
fn holds(field: &str, want: &Value) -> bool {
    match want {
        Value::Null => field.is_empty(),
        Value::String(s) => field == s,
        Value::Bool(b) => field == b.to_string(),
        Value::Number(n) if n.is_u64() => field == n.to_string(),
        Value::Number(n) => field
            .parse::<f64>()
            .is_ok_and(|f| (f - n.as_f64().unwrap()).abs() <= 1.01e-6),
        Value::Array(items) => {
            let items: Vec<&str> = items.iter().map(|i| i.as_str().unwrap()).collect();
            field == items.join(" | ")
        }
        Value::Object(_) => false,
    }
}

/// `csv` read back with the csv crate has a header and one row per JSONL line of `jsonl`,
/// every row as wide as the header, every column a key of its JSON row holding the same
/// value, and every key a column.
fn same_fields(what: &str, csv: &[u8], jsonl: &[u8]) {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    let header = r
        .headers()
        .unwrap_or_else(|e| panic!("{what}: header: {e}"))
        .clone();
    let rows: Vec<csv::StringRecord> = r
        .records()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let objs: Vec<Value> = String::from_utf8(jsonl.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{what}: {l}: {e}")))
        .collect();
    assert_eq!(rows.len(), objs.len(), "{what}: rows\n{header:?}\n{rows:?}");
    let columns: BTreeSet<&str> = header.iter().collect();
    assert_eq!(
        columns.len(),
        header.len(),
        "{what}: a column twice: {header:?}"
    );
    for (row, obj) in rows.iter().zip(&objs) {
        assert_eq!(row.len(), header.len(), "{what}: {header:?}\n{row:?}");
        let flat = flatten(obj);
        let keys: BTreeSet<&str> = flat.keys().map(String::as_str).collect();
        assert_eq!(columns, keys, "{what}: columns and JSON keys");
        for (col, field) in header.iter().zip(row) {
            assert!(
                holds(field, &flat[col]),
                "{what}: column {col:?}: CSV {field:?}, JSON {}",
                flat[col]
            );
        }
    }
}

/// Run `args` with `--format csv` and `--format jsonl` and compare; returns the CSV.
fn csv_matches_jsonl(args: &[&str]) -> Vec<u8> {
    let with = |format: &str| {
        let mut a = args.to_vec();
        // Before any `--`, after which everything is a text.
        let at = a.iter().position(|&x| x == "--").unwrap_or(a.len());
        a.splice(at..at, ["--format", format]);
        out(&a)
    };
    let csv = with("csv");
    same_fields(&format!("{args:?}"), &csv, &with("jsonl"));
    csv
}

/// Every article command's CSV: `extract`, and `score` by quote (with and without
/// `--explain`), by article and by speaker, with the weird-label model for both tasks.
fn every_article_csv(file: &str) -> Vec<(String, Vec<u8>)> {
    let model = weird_model().to_str().unwrap();
    let score = [
        "score",
        file,
        "--stance-model",
        model,
        "--sentiment-model",
        model,
    ];
    let mut runs = vec![vec!["extract", file]];
    for extra in [
        &["--all-quotes"][..],
        &["--all-quotes", "--explain"],
        &["--by", "article"],
        &["--by", "speaker", "--all-quotes"],
    ] {
        runs.push(score.iter().chain(extra).copied().collect());
    }
    runs.iter()
        .map(|args| (args.join(" "), csv_matches_jsonl(args)))
        .collect()
}

/// The header of a CSV and its rows, read back with the csv crate.
fn read(csv: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The bug: `score --by article` and `--by speaker` wrote dates unquoted, so an article
/// dated "March 3, 2024" gave a 12-field header and a 13-field row.
#[test]
fn a_date_like_march_3_2024_and_labels_with_commas_and_quotes_keep_csv_rows_as_wide_as_the_header()
{
    let d = tmpdir("march");
    let file = d.join("dated.jsonl");
    let article = serde_json::json!({
        "id": "wire, \"late\" edition",
        "date": "March 3, 2024",
        "text": "\"We will strike back if they cross the line again,\" said General Smith. \
                 \"Let us talk, then, and find a way out,\" said the minister.",
    });
    std::fs::write(&file, format!("{article}\n")).unwrap();
    let outputs = every_article_csv(file.to_str().unwrap());
    for (what, csv) in &outputs {
        let (header, rows) = read(csv);
        assert!(!rows.is_empty(), "{what}: no rows");
        let date = ["date", "first_date", "last_date"];
        for row in &rows {
            assert_eq!(row.len(), header.len(), "{what}: {header:?}\n{row:?}");
            for (col, field) in header.iter().zip(row) {
                if date.contains(&col.as_str()) {
                    assert_eq!(field, "March 3, 2024", "{what}: {col}");
                }
                if col == "article" {
                    assert_eq!(field, "wire, \"late\" edition", "{what}");
                }
            }
        }
    }
    // The labels: in the rows by quote, in the header by article and by speaker.
    let labels: Vec<&str> = LABELS.iter().map(|(_, l)| *l).collect();
    let (header, rows) = read(&outputs[1].1);
    let stance = header.iter().position(|h| h == "stance").unwrap();
    assert!(rows.iter().all(|r| labels.contains(&r[stance].as_str())));
    let (header, _) = read(&outputs[3].1);
    assert!(
        labels.iter().all(|l| header.iter().any(|h| h == l)),
        "{header:?}"
    );
    let (header, _) = read(&outputs[4].1);
    for l in &labels {
        assert!(header.contains(&format!("stance_{l}")), "{header:?}");
        assert!(header.contains(&format!("sentiment_{l}")), "{header:?}");
    }
    // The rows' text as written: the date quoted once, its quotes not doubled away.
    let by_article = &outputs[3].1;
    let text = String::from_utf8_lossy(by_article);
    assert!(
        text.contains("\"wire, \"\"late\"\" edition\",\"March 3, 2024\","),
        "{text}"
    );
}

/// Field text that CSV must quote or that spreadsheets treat specially.
fn awkward() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ ,\"\r\na-zÉé✓🙂'=;\t-]{0,14}",
        "=[A-Z]{1,4}\\([0-9]\\)",
        " {1,3}[a-z, ]{1,8} {0,3}",
        Just("March 3, 2024".to_string()),
        Just(String::new()),
    ]
}

/// A quote's words: anything but a straight double quote, which would end it.
fn quote_words() -> impl Strategy<Value = String> {
    "[ ,a-zé✓🙂'=;\r\n-]{1,30}"
}

/// A JSONL article with awkward id, date and title, and two or three quotes with speakers.
fn article() -> impl Strategy<Value = Value> {
    (
        awkward(),
        awkward(),
        awkward(),
        proptest::collection::vec((quote_words(), "[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8})?"), 2..4),
        awkward(),
    )
        .prop_map(|(id, date, title, quotes, filler)| {
            let text: String = quotes
                .iter()
                .enumerate()
                .map(|(i, (q, who))| match i % 3 {
                    0 => format!("\"{q},\" said {who}. {filler}\n\n"),
                    1 => format!("{who} said: “{q}.” "),
                    _ => format!("“{q}” {who} told reporters, \"we will see\". "),
                })
                .collect();
            serde_json::json!({ "id": id, "date": date, "title": title, "text": text })
        })
}

/// Texts for `predict`, one per argument, and, without line breaks, one per line of a file.
fn texts() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(prop_oneof![awkward(), quote_words()], 1..6)
}

/// Every JSONL article and predict run of one case gets files of its own.
static CASE: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn every_csv_reads_back_to_the_fields_of_the_jsonl_output(
        articles in proptest::collection::vec(article(), 1..4),
        texts in texts(),
    ) {
        let d = tmpdir(&format!("case-{}", CASE.fetch_add(1, Ordering::Relaxed)));
        let file = d.join("articles.jsonl");
        let jsonl: String = articles.iter().map(|a| format!("{a}\n")).collect();
        std::fs::write(&file, jsonl).unwrap();
        every_article_csv(file.to_str().unwrap());

        let model = weird_model().to_str().unwrap();
        for m in [model, "builtin"] {
            let mut args = vec!["predict"];
            if m != "builtin" {
                args.extend(["--model", m]);
            }
            let mut by_arg = args.clone();
            by_arg.push("--");
            by_arg.extend(texts.iter().map(String::as_str));
            csv_matches_jsonl(&by_arg);
            let lines = d.join("lines.txt");
            let one_line: Vec<String> = texts.iter().map(|t| t.replace(['\r', '\n'], " ")).collect();
            std::fs::write(&lines, one_line.join("\n") + "\n").unwrap();
            let mut by_line = args.clone();
            by_line.extend(["--input", lines.to_str().unwrap()]);
            csv_matches_jsonl(&by_line);
        }
        std::fs::remove_dir_all(&d).unwrap();
    }
}
