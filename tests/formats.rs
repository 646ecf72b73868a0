//! Every command × every `--format` it offers, parsed with a real parser: `json` is one
//! document (serde_json), `jsonl` one object per line, `csv` a header and rows of the same
//! width (the csv crate); formats a command does not write are refused by its `--help`'s
//! list.

mod support;

use support::{fixture, run, stderr, tmpdir};

/// Output of a successful run.
fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

fn parse_json(args: &[&str]) -> serde_json::Value {
    let out = ok(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not one JSON document: {e}"))
}

fn parse_jsonl(args: &[&str]) -> Vec<serde_json::Value> {
    let out = ok(args);
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{args:?}: line {l:?} is not JSON: {e}"));
            assert!(v.is_object(), "{args:?}: {l}");
            v
        })
        .collect()
}

/// Header and rows; every row as wide as the header.
fn parse_csv(args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let out = ok(args);
    let mut r = csv::ReaderBuilder::new().from_reader(out.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| {
            x.unwrap_or_else(|e| panic!("{args:?}: {e}"))
                .iter()
                .map(String::from)
                .collect()
        })
        .collect();
    (header, rows)
}

fn with(base: &[&str], format: &str) -> Vec<String> {
    base.iter()
        .map(|s| s.to_string())
        .chain(["--format".to_string(), format.to_string()])
        .collect()
}

/// A row command in all four formats: the same records in each.
fn rows_in_every_format(base: &[&str], key: &str) {
    let json = parse_json(
        &with(base, "json")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let json = json
        .as_array()
        .unwrap_or_else(|| panic!("{base:?}: json is not an array"));
    let jsonl = parse_jsonl(
        &with(base, "jsonl")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let (header, rows) = parse_csv(
        &with(base, "csv")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(!json.is_empty(), "{base:?}");
    assert_eq!(json, &jsonl, "{base:?}: json and jsonl differ");
    assert_eq!(rows.len(), jsonl.len(), "{base:?}: csv rows");
    let k = header.iter().position(|h| h == key).unwrap();
    for (row, obj) in rows.iter().zip(&jsonl) {
        let want = match &obj[key] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        assert_eq!(row[k], want, "{base:?}: column {key}");
    }
    let table = ok(&with(base, "table")
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert!(
        table.lines().count() > rows.len(),
        "{base:?}: a table has a header and a line per row"
    );
}

#[test]
fn extract_in_every_format() {
    let a = fixture("articles/diplomacy_wire.txt");
    rows_in_every_format(&["extract", &a], "quote");
}

#[test]
fn score_by_quote_article_and_speaker_in_every_format() {
    let dir = fixture("articles");
    let a = fixture("articles/diplomacy_wire.txt");
    rows_in_every_format(&["score", &a], "quote");
    rows_in_every_format(&["score", &a, "--explain"], "quote");
    rows_in_every_format(&["score", &dir, "--by", "article"], "article");
    rows_in_every_format(&["score", &dir, "--by", "speaker"], "speaker");
}

#[test]
fn predict_in_every_format() {
    rows_in_every_format(
        &[
            "predict",
            "We will strike back.",
            "Let us talk, then.",
            "a, \"quoted\" text",
        ],
        "text",
    );
    // From stdin, in batches: still one array.
    let texts: String = (0..20_000)
        .map(|i| format!("line {i}, we will talk\n"))
        .collect();
    let path = tmpdir("predict-json").join("lines.txt");
    std::fs::write(&path, texts).unwrap();
    let v = parse_json(&[
        "predict",
        "--input",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(v.as_array().unwrap().len(), 20_000);
}

#[test]
fn report_commands_write_one_json_document_and_refuse_row_formats() {
    let tiny = fixture("tiny.csv");
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "evaluate",
            "--data",
            "datasets/quotes.csv",
            "--label-column",
            "stance",
            "--split",
            "test",
        ],
        vec!["cv", "--data", &tiny, "--folds", "2"],
        vec!["tune", "--data", &tiny, "--folds", "2", "--budget", "2"],
        vec![
            "data",
            "check",
            &tiny,
            "--label-columns",
            "label",
            "--max-words",
            "1000",
        ],
        vec!["explain", "We will strike back."],
        vec!["explain", "--top", "3"],
    ];
    for base in &cases {
        let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        if args[0] == "evaluate" {
            args[2] = support::repo("datasets/quotes.csv");
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&with(&a, "json")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>());
        // data check exits 1 when a rule fails; its JSON is still the report.
        assert!(
            o.status.code() == Some(0) || a[0] == "data",
            "{a:?}: {}",
            stderr(&o)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{a:?}: not one JSON document: {e}"));
        assert!(v.is_object() || v.is_array(), "{a:?}");
        for f in ["jsonl", "csv"] {
            let o = run(&with(&a, f).iter().map(String::as_str).collect::<Vec<_>>());
            assert_eq!(o.status.code(), Some(2), "{a:?} --format {f}");
            assert!(
                stderr(&o).contains("possible values: table, json"),
                "{a:?}: {}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn empty_output_still_has_its_header_or_array() {
    let a = fixture("articles/markets_noquotes.txt");
    let (header, rows) = parse_csv(&["score", &a, "--format", "csv"]);
    assert!(header.contains(&"stance_confidence".to_string()));
    assert!(rows.is_empty());
    assert_eq!(
        parse_json(&["extract", &a, "--format", "json"]),
        serde_json::json!([])
    );
    assert!(ok(&["score", &a, "--by", "speaker"]).contains("speaker"));
}
