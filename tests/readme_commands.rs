//! Runs every command of README.md, in order, as a newcomer would on a fresh clone: the
//! lines of its `sh` blocks and the `$ ` lines of its `text` blocks. Placeholders
//! (`my_labels.csv`, `news/`, …) are small fixtures of `tests/fixtures/readme`, and each
//! command runs in one scratch directory that starts empty, so a command that refuses to
//! overwrite what an earlier one wrote fails here too. Nothing outside the repository is
//! read. A `text` block that shows a command's output must match it (the figures cannot
//! drift).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::{repo, tmpdir};

/// Commands not run here, each with why; a README command missing from both this list and
/// the run fails the test, so none is skipped silently.
const NOT_RUN: &[(&str, &str)] = &[
    ("cargo test --release", "the suite this test is part of"),
    (
        "cargo bench --bench active_learning -- path/to/mr",
        "needs a public sentence set; its missing-data message is tested below",
    ),
    ("scripts/peers --setup", "installs a Python environment"),
    (
        "scripts/peers DIR/train.csv DIR/test.csv",
        "needs the Python environment and a public set",
    ),
    (
        "cargo bench --bench pipeline",
        "minutes of criterion timing",
    ),
    (
        "pip install .",
        "installs the Python package; .ci/run does, then runs python/tests",
    ),
    (
        "python -c \"import stance; [print(r['stance'], r['speaker'], r['quote']) for r in stance.score([open('tests/fixtures/articles/diplomacy_wire.txt').read()])]\"",
        "needs the Python package; python/tests/test_readme.py runs it",
    ),
    (
        "pip wheel . -w dist",
        "builds the Python package's wheel, as `pip install .` does in .ci/run",
    ),
    (
        "spark-submit examples/spark_score.py hdfs:///news/ hdfs:///out/quotes --speakers hdfs:///out/speakers",
        "needs a Spark cluster; python/tests/test_spark.py runs the example in local mode",
    ),
    (
        "RUSTFLAGS=\"-C target-feature=+crt-static\" cargo build --release --target x86_64-unknown-linux-gnu",
        "a second, static build of the binary (minutes)",
    ),
    (
        "spark-submit --files target/x86_64-unknown-linux-gnu/release/stance examples/spark_pipe.py hdfs:///news/ hdfs:///out/quotes",
        "needs a Spark cluster; python/tests/test_spark.py runs the example in local mode",
    ),
];

/// A README placeholder and the fixture standing in for it.
const PLACEHOLDERS: &[(&str, &str)] = &[
    ("my_labels.csv", "tests/fixtures/readme/my_labels.csv"),
    ("news/", "tests/fixtures/readme/news/"),
    ("dump.jsonl", "tests/fixtures/readme/dump.jsonl"),
    ("article.txt", "tests/fixtures/readme/article.txt"),
];

/// One command of the README: its words, and the output shown under it, if any.
#[derive(Debug)]
struct Example {
    line: usize,
    source: String,
    words: Vec<String>,
    shown: Option<String>,
}

/// Split a shell line into words: double and single quotes, a `#` comment.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.get_or_insert_with(String::new).push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.get_or_insert_with(String::new);
            }
            (None, '#') if cur.is_none() => break,
            (None, c) if c.is_whitespace() => words.extend(cur.take()),
            (None, c) => cur.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(cur);
    words
}

/// The commands of a README, in order.
fn examples(readme: &str) -> Vec<Example> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let lang = lines[i].strip_prefix("```");
        i += 1;
        let Some(lang) = lang else { continue };
        let start = i;
        while i < lines.len() && !lines[i].starts_with("```") {
            i += 1;
        }
        let block = &lines[start..i];
        i += 1;
        match lang.trim() {
            "sh" => {
                for (k, l) in block.iter().enumerate() {
                    let words = shell_words(l);
                    if !words.is_empty() {
                        out.push(Example {
                            line: start + k + 1,
                            source: l.trim().to_string(),
                            words,
                            shown: None,
                        });
                    }
                }
            }
            "text" => {
                if let Some(cmd) = block.first().and_then(|l| l.strip_prefix("$ ")) {
                    // The whole output is shown unless it trails off with an ellipsis.
                    let shown = block[1..].join("\n") + "\n";
                    out.push(Example {
                        line: start + 1,
                        source: cmd.to_string(),
                        words: shell_words(cmd),
                        shown: (!shown.trim_end().ends_with('…')).then_some(shown),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The scratch directory: the repository's data and fixtures linked in, nothing else.
fn fresh_clone() -> PathBuf {
    let d = tmpdir("clone");
    for dir in ["datasets", "tests", "models"] {
        std::os::unix::fs::symlink(repo(dir), d.join(dir)).unwrap();
    }
    d
}

/// The command to run for an example's words, or `None` when it is not a `stance` command.
fn command(words: &[String], dir: &Path) -> Option<Command> {
    let args: &[String] = match words {
        [first, rest @ ..] if first == "stance" => rest,
        [c, r, rel, dashes, rest @ ..]
            if c == "cargo" && r == "run" && rel == "--release" && dashes == "--" =>
        {
            rest
        }
        _ => return None,
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stance"));
    cmd.current_dir(dir);
    for a in args {
        let mapped = PLACEHOLDERS
            .iter()
            .find(|(p, _)| p == a)
            .map_or(a.as_str(), |(_, f)| f);
        cmd.arg(mapped);
    }
    // `label` is shown on a terminal; here its keys come from stdin instead.
    if args.first().is_some_and(|a| a == "label") {
        cmd.args(["--answers", "-"]);
    }
    Some(cmd)
}

#[test]
fn every_readme_command_runs_in_order_on_a_fresh_clone() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let dir = fresh_clone();
    let mut ran = 0;
    for ex in examples(&readme) {
        let Some(mut cmd) = command(&ex.words, &dir) else {
            assert!(
                NOT_RUN
                    .iter()
                    .any(|(c, _)| *c == ex.words.join(" ") || *c == ex.source),
                "README.md:{}: `{}` is neither run by this test nor listed in NOT_RUN",
                ex.line,
                ex.source
            );
            continue;
        };
        // `label` reads its answers from stdin (`--answers -`): quit at once.
        let o = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                let _ = c.stdin.take().unwrap().write_all(b"q\n");
                c.wait_with_output()
            })
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success(),
            "README.md:{}: `{}` exited {:?}: {stderr}",
            ex.line,
            ex.source,
            o.status.code()
        );
        assert!(
            !o.stdout.is_empty() || !stderr.is_empty(),
            "README.md:{}: `{}` printed nothing",
            ex.line,
            ex.source
        );
        if let Some(shown) = &ex.shown {
            assert_eq!(
                String::from_utf8_lossy(&o.stdout),
                *shown,
                "README.md:{}: the output shown under `{}` is not what it prints now",
                ex.line,
                ex.source
            );
        }
        ran += 1;
    }
    assert!(
        ran >= 15,
        "only {ran} README commands found: is the parser broken?"
    );
    for (c, _) in NOT_RUN {
        assert!(
            readme.contains(c),
            "NOT_RUN lists `{c}`, which README.md no longer has"
        );
    }
}

#[test]
fn shell_words_split_like_the_shell() {
    assert_eq!(
        shell_words(r#"stance predict "If they cross this line, we will." --x 'a b'   # note"#),
        [
            "stance",
            "predict",
            "If they cross this line, we will.",
            "--x",
            "a b"
        ]
    );
    assert_eq!(shell_words("# only a comment"), Vec::<String>::new());
}

#[test]
fn the_readme_depends_on_nothing_outside_the_repository() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    assert!(readme.contains("### Public sentence sets"));
    assert!(
        !readme.contains("../shared"),
        "README.md depends on a folder outside the repository"
    );
}
