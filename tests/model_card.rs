//! The cross-validation table of `models/README.md` is what `stance cv` prints now: the
//! command is in the comment above the table, each cell is rerun and compared, and the
//! bold cell must be the row's best.

mod support;

use support::{repo, run, stderr};

const MARKER: &str = "<!-- checked by tests/model_card.rs";

#[test]
fn model_card_cross_validation_table_matches_stance_cv() {
    let card = std::fs::read_to_string(repo("models/README.md")).unwrap();
    let at = card.find(MARKER).expect("the table's marker comment");
    let rest = &card[at..];
    let end = rest.find("-->").unwrap();
    let command = rest[..end].lines().nth(1).unwrap().trim();
    let lines: Vec<&str> = rest[end..]
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .collect();
    let cells = |l: &str| -> Vec<String> {
        l.trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let kinds = cells(lines[0])[1..].to_vec();
    assert!(lines.len() > 2, "the table has rows");
    for row in &lines[2..] {
        let row = cells(row);
        let task = row[0].split_whitespace().next().unwrap();
        let mut best = (f64::MIN, String::new());
        for (kind, shown) in kinds.iter().zip(&row[1..]) {
            let args: Vec<String> = command
                .split_whitespace()
                .skip(1)
                .map(|w| w.replace("TASK", task).replace("KIND", kind))
                .chain(["--format".into(), "json".into()])
                .collect();
            let o = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let mean = v["macro_f1_mean"].as_f64().unwrap();
            let now = format!("{mean:.4} ± {:.4}", v["macro_f1_std"].as_f64().unwrap());
            assert_eq!(
                shown.trim_matches('*'),
                now,
                "models/README.md: {task} {kind}"
            );
            if mean > best.0 {
                best = (mean, kind.clone());
            }
            if shown.starts_with("**") {
                assert_eq!(
                    &best.1, kind,
                    "{task}: the bold cell is not the best so far"
                );
            }
        }
        let bold = kinds
            .iter()
            .zip(&row[1..])
            .find(|(_, c)| c.starts_with("**"));
        assert_eq!(bold.map(|(k, _)| k), Some(&best.1), "{task}: bold the best");
    }
}
