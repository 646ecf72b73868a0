//! The figures of `models/README.md` and README.md's built-in model table are the ones
//! `scripts/train-defaults.sh` recorded in `models/metrics.json` for the shipped models, so
//! the card cannot drift from the models. (Its real-news figures need data outside the
//! repository; `scripts/realnews.py` prints them.)

mod support;

use support::repo;

fn metrics() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(repo("models/metrics.json")).unwrap()).unwrap()
}

/// The lines of `text` from the heading that starts with `heading` to the next heading.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(heading));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no section {heading:?}"));
    std::iter::once(first)
        .chain(lines.take_while(|l| !l.starts_with('#')))
        .collect()
}

#[test]
fn model_card_held_out_tables_match_the_recorded_metrics() {
    let card = std::fs::read_to_string(repo("models/README.md")).unwrap();
    let m = metrics();
    for task in ["stance", "sentiment"] {
        let e = &m[task];
        let lines = section(&card, &format!("### {task} (all"));
        let want = format!(
            "accuracy {:.4}, macro-F1 {:.4}",
            e["accuracy"].as_f64().unwrap(),
            e["macro_f1"].as_f64().unwrap()
        );
        assert!(
            lines.contains(&want.as_str()),
            "{task}: {want:?} not in {lines:#?}"
        );
        let per_class = e["per_class"].as_object().unwrap();
        for (label, c) in per_class {
            let row = format!(
                "| {label} | {:.4} | {:.4} | {:.4} | {} |",
                c["precision"].as_f64().unwrap(),
                c["recall"].as_f64().unwrap(),
                c["f1"].as_f64().unwrap(),
                c["support"].as_u64().unwrap()
            );
            assert!(
                lines.contains(&row.as_str()),
                "{task}: {row:?} not in the card"
            );
        }
        let labels: Vec<&str> = e["confusion"]["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        for (label, counts) in labels
            .iter()
            .zip(e["confusion"]["matrix"].as_array().unwrap())
        {
            let cells: Vec<String> = counts
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.to_string())
                .collect();
            let row = format!("| {label} | {} |", cells.join(" | "));
            assert!(
                lines.contains(&row.as_str()),
                "{task}: {row:?} not in the card"
            );
        }
    }
}

#[test]
fn readme_built_in_table_shows_the_recorded_held_out_macro_f1() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let m = metrics();
    let lines = section(&readme, "## Built-in models and the corpus");
    for task in ["stance", "sentiment"] {
        let f1 = format!("{:.4} |", m[task]["macro_f1"].as_f64().unwrap());
        let row = lines
            .iter()
            .find(|l| l.starts_with(&format!("| {task} |")))
            .unwrap_or_else(|| panic!("no {task} row"));
        assert!(row.ends_with(&f1), "{task}: {row:?} should end with {f1:?}");
    }
}
