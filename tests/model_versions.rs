//! Model files of older format versions, written by the build of their time
//! (`tests/fixtures/models/v2.model`, `v3.model`, `v4.model`: `train` on
//! `tests/fixtures/tiny.csv`, the last two with actor marks, character n-grams and a prior),
//! still load and predict what they predicted then (`v2.jsonl`, `v3.jsonl`, `v4.jsonl`:
//! `predict --format jsonl < texts.txt` by that build). A model trained now is written in
//! the current version.

mod support;

use support::{bin, fixture, run, stderr, tmpdir};

/// `stance predict --model MODEL --format jsonl` over the fixture texts.
fn predict(model: &str) -> String {
    let texts = std::fs::read(fixture("models/texts.txt")).unwrap();
    let mut child = bin()
        .args(["predict", "--model", model, "--format", "jsonl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &texts).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{model}: {}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn models_of_format_versions_2_to_4_predict_as_when_they_were_written() {
    for v in ["v2", "v3", "v4"] {
        let model = fixture(&format!("models/{v}.model"));
        let bytes = std::fs::read(&model).unwrap();
        let version = &bytes[13..17];
        assert_eq!(version, &[v.as_bytes()[1] - b'0', 0, 0, 0], "{v}");
        let want = std::fs::read_to_string(fixture(&format!("models/{v}.jsonl"))).unwrap();
        assert_eq!(predict(&model), want, "{v}");
    }
}

#[test]
fn a_model_trained_now_is_written_in_format_version_5_and_predicts_alike() {
    let d = tmpdir("v5");
    let m = d.join("now.model");
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "--marks",
        "--char-ngrams",
        "3-4",
        "--prior",
        "calm=0.7,threat=0.3",
        "-o",
        m.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&m).unwrap();
    assert_eq!(&bytes[..13], b"STANCE-MODEL\n");
    assert_eq!(&bytes[13..17], &[5, 0, 0, 0]);
    // The same data and settings as the version 3 and 4 fixtures: the same predictions.
    let want = std::fs::read_to_string(fixture("models/v3.jsonl")).unwrap();
    assert_eq!(predict(m.to_str().unwrap()), want);
}
