//! The bad-input corpus (`tests/bad-input/`, described in its README) through the real
//! binary: every file with every command that reads its kind, plus the inputs too large
//! or too odd to keep in the repository, made on the fly. A failure must exit 2 (bad
//! input) or 1 (runtime failure) with one line naming the file and the position; never a
//! panic. Inputs that are awkward but valid must work.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use support::{bad, bin, fixture, run, stderr, tmpdir};

/// Exit `code` with exactly one `error:` line on stderr that holds every piece of `want`.
#[track_caller]
fn fails(o: &Output, code: i32, want: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "{want:?}: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    for w in want {
        assert!(err.contains(w), "{w:?} missing from: {err}");
    }
    for never in ["panicked", "internal error", "backtrace", "RUST_BACKTRACE"] {
        assert!(!err.contains(never), "{err}");
    }
}

#[track_caller]
fn works(o: &Output) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
}

/// The commands that read labelled data, each with its extra arguments.
fn data_commands(out: &Path) -> Vec<Vec<String>> {
    let out = out.to_str().unwrap().to_string();
    vec![
        vec!["train".into(), "-o".into(), out],
        vec!["evaluate".into()],
        vec!["cv".into(), "--folds".into(), "2".into()],
    ]
}

#[test]
fn every_bad_data_file_fails_every_data_command_with_file_and_line() {
    let d = tmpdir("data");
    let out = d.join("never-written.model");
    // (file, what the message must say besides the file name)
    let cases: &[(&str, &[&str])] = &[
        ("empty.csv", &["the file is empty"]),
        ("header_only.csv", &["no data rows"]),
        (
            "missing_column.csv",
            &["no column named \"text\"", "body, label"],
        ),
        ("empty_label.csv", &[":3:", "empty label"]),
        ("invalid_utf8.csv", &[":2:", "invalid UTF-8", "--lossy"]),
        ("nul_byte.csv", &[":2:", "NUL byte", "--lossy"]),
        ("utf16.csv", &[":1:", "UTF-16"]),
        (
            "unterminated_quote.csv",
            &[":3:", "malformed CSV", "byte offset 21"],
        ),
        (
            "unclosed_at_eof.csv",
            &[":3:", "never closed", "byte offset 37"],
        ),
        ("bad_json.jsonl", &[":2:", "invalid JSON"]),
        ("missing_key.jsonl", &[":2:", "missing column \"label\""]),
    ];
    for (file, want) in cases {
        let path = bad(file);
        for cmd in data_commands(&out) {
            let mut args: Vec<&str> = cmd.iter().map(String::as_str).collect();
            args.extend(["--data", &path]);
            let o = run(&args);
            let mut all = want.to_vec();
            all.push(file);
            fails(&o, 2, &all);
        }
        if file.ends_with(".csv") {
            let o = run(&["data", "check", &path, "--label-columns", "label"]);
            if o.status.code() == Some(2) {
                fails(&o, 2, &[file]);
            } else {
                // `data check` reports bad rows as failed rules, with their lines.
                assert_eq!(o.status.code(), Some(1), "{file}: {}", stderr(&o));
                assert!(!stderr(&o).contains("panicked"));
            }
        }
    }
    assert!(!out.exists(), "a model was written from bad data");
}

#[test]
fn lossy_replaces_and_counts_bad_bytes_in_data() {
    let d = tmpdir("lossy");
    // invalid_utf8.csv and nul_byte.csv each hold one row: join them to train on two labels.
    let mut data = std::fs::read(bad("invalid_utf8.csv")).unwrap();
    data.extend_from_slice(b"\"nul\x00byte\",threat\n");
    let f = d.join("both.csv");
    std::fs::write(&f, &data).unwrap();
    let m = d.join("m.model");
    let o = run(&[
        "train",
        "--data",
        f.to_str().unwrap(),
        "-o",
        m.to_str().unwrap(),
        "--lossy",
    ]);
    works(&o);
    assert!(
        stderr(&o).contains("replaced invalid UTF-8 or NUL bytes in 2 row(s)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn awkward_but_valid_data_is_read() {
    let d = tmpdir("valid");
    for file in ["stray_quote.csv", "quotes_10000.csv"] {
        let m = d.join(format!("{file}.model"));
        let o = run(&["train", "--data", &bad(file), "-o", m.to_str().unwrap()]);
        works(&o);
        assert!(stderr(&o).contains("on 2 rows"), "{file}: {}", stderr(&o));
    }
}

#[test]
fn unknown_labels_in_evaluate_are_located_or_refused() {
    let d = tmpdir("labels");
    let m = d.join("tiny.model");
    let m = m.to_str().unwrap();
    works(&run(&["train", "--data", &fixture("tiny.csv"), "-o", m]));
    // Some unknown: evaluated, the unknown label reported with where it first appears.
    let o = run(&[
        "evaluate",
        "--model",
        m,
        "--data",
        &fixture("unknown_label.csv"),
    ]);
    works(&o);
    assert!(
        stderr(&o).contains("\"unseen\" (1 rows) first at"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("unknown_label.csv:4"), "{}", stderr(&o));
    // None known: the wrong model or column; refused.
    let o = run(&[
        "evaluate",
        "--model",
        m,
        "--data",
        &bad("all_unknown_labels.csv"),
    ]);
    fails(
        &o,
        2,
        &[
            "all_unknown_labels.csv:2",
            "no row has a label the model knows",
        ],
    );
}

#[test]
fn bad_predict_input_names_the_line_and_byte_offset() {
    let cases: &[(&str, &[&str])] = &[
        (
            "invalid_utf8.txt",
            &["invalid UTF-8 at line 2, byte offset 36", "--lossy"],
        ),
        ("nul_byte.txt", &[":2:", "NUL byte at byte offset 24"]),
        ("utf16.txt", &[":1:", "UTF-16"]),
    ];
    for (file, want) in cases {
        let mut all = want.to_vec();
        all.push(file);
        fails(&run(&["predict", "--input", &bad(file)]), 2, &all);
    }
    // --lossy goes on, and says how many lines it changed.
    for file in ["invalid_utf8.txt", "nul_byte.txt"] {
        let o = run(&[
            "predict",
            "--input",
            &bad(file),
            "--lossy",
            "--format",
            "csv",
        ]);
        works(&o);
        assert!(
            stderr(&o).contains("replaced invalid UTF-8 in 1 line(s)"),
            "{}",
            stderr(&o)
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains('\u{FFFD}'));
    }
}

#[test]
fn bom_crlf_and_quote_runs_are_valid_predict_input() {
    let o = run(&[
        "predict",
        "--input",
        &bad("bom_crlf.txt"),
        "--format",
        "jsonl",
    ]);
    works(&o);
    let lines: Vec<serde_json::Value> = o
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["text"], "we will respond with force");
    assert_eq!(lines[1]["text"], "we are ready to talk");
    let o = run(&[
        "predict",
        "--input",
        &bad("quotes_10000.txt"),
        "--format",
        "csv",
    ]);
    works(&o);
    assert_eq!(o.stdout.iter().filter(|&&b| b == b'\n').count(), 2);
}

/// 50 MB on one line: refused after reading the 1 MiB limit, not after reading it all.
#[test]
fn a_50_mb_line_is_refused_with_the_limit() {
    let d = tmpdir("huge");
    let line = "we will respond ".repeat(50 * 1024 * 1024 / 16);
    let txt = d.join("huge.txt");
    std::fs::write(&txt, format!("short line\n{line}\n")).unwrap();
    fails(
        &run(&["predict", "--input", txt.to_str().unwrap()]),
        2,
        &["huge.txt:2:", "byte offset 11", "1048576-byte limit"],
    );
    let csv = d.join("huge.csv");
    std::fs::write(&csv, format!("text,label\nok,calm\n{line},threat\n")).unwrap();
    let m = d.join("m.model");
    fails(
        &run(&[
            "train",
            "--data",
            csv.to_str().unwrap(),
            "-o",
            m.to_str().unwrap(),
        ]),
        2,
        &["huge.csv:3:", "52428800 bytes", "1048576-byte limit"],
    );
}

#[test]
fn directories_and_unreadable_files_are_named() {
    let d = tmpdir("unreadable");
    let dir = d.to_str().unwrap();
    let m = d.join("m.model");
    let m = m.to_str().unwrap();
    fails(
        &run(&["train", "--data", dir, "-o", m]),
        2,
        &[dir, "is a directory"],
    );
    fails(
        &run(&["predict", "--input", dir]),
        2,
        &[dir, "is a directory"],
    );
    let tiny = fixture("tiny.csv");
    for force in [false, true] {
        let mut args = vec!["train", "--data", &tiny, "-o", dir];
        if force {
            args.push("--force");
        }
        fails(&run(&args), 2, &[dir, "is a directory"]);
    }
    fails(
        &run(&["predict", "--model", dir, "hi"]),
        2,
        &[dir, "is a directory"],
    );
    // A file no one can read, even root: a symbolic link to itself.
    let looped = d.join("loop.csv");
    std::os::unix::fs::symlink(&looped, &looped).unwrap();
    let looped = looped.to_str().unwrap();
    fails(
        &run(&["train", "--data", looped, "-o", m]),
        1,
        &[looped, "symbolic links"],
    );
    fails(
        &run(&["predict", "--input", looped]),
        1,
        &[looped, "symbolic links"],
    );
    fails(
        &run(&["predict", "--model", looped, "hi"]),
        1,
        &[looped, "symbolic links"],
    );
}

#[test]
fn broken_model_files_are_refused_with_one_line() {
    let d = tmpdir("models");
    let m = d.join("tiny.model");
    let o = run(&[
        "train",
        "--data",
        &fixture("tiny.csv"),
        "-o",
        m.to_str().unwrap(),
    ]);
    works(&o);
    let bytes = std::fs::read(&m).unwrap();
    let mut cases: Vec<(PathBuf, &str)> = Vec::new();
    // Cut at 0%, 10%, …, 90% (tests/cli.rs also covers 10–90% through `predict`), and one
    // byte short.
    for (name, len) in [("empty", 0), ("one-short", bytes.len() - 1)] {
        let p = d.join(format!("{name}.model"));
        std::fs::write(&p, &bytes[..len]).unwrap();
        cases.push((p, "not a usable stance model"));
    }
    // One flipped bit in the middle.
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x10;
    let p = d.join("flipped.model");
    std::fs::write(&p, &flipped).unwrap();
    cases.push((p, "checksum mismatch"));
    // A data file given as the model.
    cases.push((fixture("tiny.csv").into(), "stance model signature"));
    cases.push((bad("future_version.model").into(), "newer than this stance"));
    cases.push((bad("random.model").into(), "stance model signature"));
    for (p, want) in &cases {
        let name = p.to_str().unwrap();
        for args in [
            vec!["predict", "--model", name, "hello"],
            vec!["evaluate", "--model", name, "--data", &fixture("tiny.csv")],
        ] {
            fails(&run(&args), 2, &[name, want]);
        }
    }
    for tenth in 1..10 {
        let p = d.join(format!("cut{tenth}.model"));
        std::fs::write(&p, &bytes[..bytes.len() * tenth / 10]).unwrap();
        let name = p.to_str().unwrap();
        fails(
            &run(&["evaluate", "--model", name, "--data", &fixture("tiny.csv")]),
            2,
            &[name, "not a usable stance model"],
        );
    }
}

/// Every file of the corpus is used by a test here, so none is kept without a check.
#[test]
fn every_corpus_file_is_exercised() {
    let me = include_str!("bad_input.rs");
    let cli = include_str!("cli.rs");
    for e in std::fs::read_dir(bad("")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name == "README.md" {
            continue;
        }
        assert!(
            me.contains(&name) || cli.contains(&name),
            "tests/bad-input/{name} is not used by any test"
        );
    }
}

/// Error lines on stderr (each must name a file and a position, checked by the caller).
fn error_lines(o: &Output) -> Vec<String> {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    err.lines().map(str::to_string).collect()
}

/// Quote rows of `extract --format jsonl`, as (article, quote).
fn quote_rows(o: &Output) -> Vec<(String, String)> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let article = v["article"].as_str().unwrap();
            let name = article.rsplit('/').next().unwrap().to_string();
            (name, v["quote"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn a_directory_of_broken_articles_processes_the_good_ones_and_lists_the_bad() {
    for cmd in ["extract", "score"] {
        let o = run(&[cmd, &bad("articles_bad"), "--format", "jsonl"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let errors = error_lines(&o);
        let want = [
            "bad_lines.jsonl:2: invalid JSON at column 40",
            "bad_lines.jsonl: invalid UTF-8 at line 3, byte offset 133",
            "bad_lines.jsonl:4: no \"text\" key",
            "nul.txt:1: NUL byte at byte offset 15",
            "utf16.txt:1: the file is UTF-16",
            "5 of 9 inputs could not be read",
        ];
        assert_eq!(errors.len(), want.len(), "{errors:#?}");
        for (line, w) in errors.iter().zip(want) {
            assert!(
                line.starts_with("error: ") && line.contains(w),
                "{w:?}: {line}"
            );
        }
        let rows = quote_rows(&o);
        let has = |article: &str, quote: &str| {
            rows.iter()
                .any(|(a, q)| a == article && q.starts_with(quote))
        };
        assert!(has("ok", "We are ready to talk"), "{rows:?}");
        assert!(has("good.txt", "If the port authority"), "{rows:?}");
        // A quote never closed ends with its paragraph; the next paragraph is read as usual.
        assert!(has("unclosed.txt", "we will never accept this"), "{rows:?}");
        assert!(has("unclosed.txt", "the port stays shut"), "{rows:?}");
        // 10,000 quote marks in a row, twice, around one real quote.
        assert!(has("marks_10000.txt", "We will talk"), "{rows:?}");
    }
}

#[test]
fn unreadable_articles_and_symlink_cycles_in_a_directory() {
    let d = tmpdir("articles");
    std::fs::copy(bad("articles_bad/good.txt"), d.join("good.txt")).unwrap();
    let sub = d.join("sub");
    std::fs::create_dir(&sub).unwrap();
    // Two links back up the tree: followed blindly, the walk doubles at every level.
    std::os::unix::fs::symlink("..", sub.join("up")).unwrap();
    std::os::unix::fs::symlink("..", sub.join("again")).unwrap();
    // A file no one can read, even root: a symbolic link to itself.
    std::os::unix::fs::symlink("loop.txt", d.join("loop.txt")).unwrap();
    let o = run(&["extract", d.to_str().unwrap(), "--format", "jsonl"]);
    // An unreadable file is a runtime failure, not bad input.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let errors = error_lines(&o);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].contains("loop.txt") && errors[0].contains("symbolic links"));
    assert!(errors[1].contains("1 of 2 inputs could not be read"));
    let rows = quote_rows(&o);
    assert_eq!(
        rows.len(),
        1,
        "the article was read more than once: {rows:?}"
    );
}

/// A directory of the walk that cannot be listed is an error naming it, like an unreadable
/// file: the rest of the walk is read and the command fails at the end.
#[test]
fn a_directory_that_cannot_be_listed_is_named_and_the_rest_is_read() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let d = tmpdir("locked");
    let locked = d.join("locked");
    std::fs::create_dir(&locked).unwrap();
    for f in [d.join("a.txt"), locked.join("in.txt"), d.join("z.txt")] {
        std::fs::copy(bad("articles_bad/good.txt"), &f).unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut c = bin();
    c.args(["extract", d.to_str().unwrap(), "--format", "jsonl"]);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Root lists any directory: the binary runs as `nobody`, for whom the mode holds.
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            c.pre_exec(|| {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(65534) != 0
                    || libc::setuid(65534) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let o = c.output();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = match o {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: the binary cannot be run as nobody here: {e}");
            return;
        }
    };
    // Permission denied is a runtime failure, as for a file.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let errors = error_lines(&o);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].starts_with(&format!("error: {}: ", locked.display()))
            && errors[0].contains("Permission denied"),
        "{errors:#?}"
    );
    assert!(errors[1].contains("could not be read"), "{errors:#?}");
    let read: Vec<String> = quote_rows(&o).into_iter().map(|(a, _)| a).collect();
    assert!(read.contains(&"a.txt".to_string()) && read.contains(&"z.txt".to_string()));
    assert!(!read.contains(&"in.txt".to_string()), "{read:?}");
}

/// A file name that is not UTF-8 is an error naming it, its bad bytes escaped; read under a
/// lossy name (U+FFFD for the bad byte) it would be another, missing file.
#[test]
fn a_file_name_that_is_not_utf8_is_named_escaped_and_not_read_under_a_lossy_name() {
    use std::os::unix::ffi::OsStrExt;
    let d = tmpdir("not-utf8");
    std::fs::copy(bad("articles_bad/good.txt"), d.join("a.txt")).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"b\xFFad.txt");
    std::fs::copy(bad("articles_bad/good.txt"), d.join(name)).unwrap();
    let o = run(&["extract", d.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let errors = error_lines(&o);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let named = format!("error: {}/b\\xFFad.txt: ", d.display());
    assert!(
        errors[0].starts_with(&named) && errors[0].contains("not valid UTF-8"),
        "{errors:#?}"
    );
    assert!(!stderr(&o).contains('\u{FFFD}'), "{errors:#?}");
    assert_eq!(quote_rows(&o).len(), 1, "only a.txt is read");
}

#[test]
fn an_article_over_the_limit_is_listed_and_the_rest_goes_on() {
    let d = tmpdir("big-article");
    std::fs::copy(bad("articles_bad/good.txt"), d.join("a.txt")).unwrap();
    let big = "\"We will respond,\" she said. ".repeat((16 << 20) / 28 + 1);
    std::fs::write(d.join("b.txt"), &big).unwrap();
    let jsonl = format!(
        "{{\"id\":\"huge\",\"text\":\"{}\"}}\n{{\"id\":\"after\",\"text\":\"\\\"Fine,\\\" he said.\"}}\n",
        "x".repeat(17 << 20)
    );
    std::fs::write(d.join("c.jsonl"), jsonl).unwrap();
    let o = run(&["extract", d.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let errors = error_lines(&o);
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].contains("b.txt:1: article longer than the 16777216-byte limit"));
    assert!(errors[1].contains("c.jsonl:1: article longer than the 16777216-byte limit"));
    let rows = quote_rows(&o);
    assert!(rows.iter().any(|(a, _)| a == "a.txt"), "{rows:?}");
    assert!(
        rows.iter().any(|(a, q)| a == "after" && q == "Fine,"),
        "{rows:?}"
    );
}

/// `cat dump.jsonl | stance extract -`: a dump on stdin is read line by line, so its size
/// is not limited by the article limit.
#[test]
fn a_jsonl_dump_on_stdin_larger_than_the_article_limit_streams() {
    use std::io::Write;
    let mut child = bin()
        .args(["extract", "-", "--format", "jsonl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line =
        "{\"text\":\"\\\"We will respond,\\\" the minister said. Talks resume on Monday.\"}\n";
    let n = (20 << 20) / line.len() + 1;
    let writer = std::thread::spawn(move || {
        // Leading blank lines: still recognised as JSONL.
        stdin.write_all(b"\n  \n").unwrap();
        for _ in 0..n {
            stdin.write_all(line.as_bytes()).unwrap();
        }
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    works(&o);
    assert_eq!(quote_rows(&o).len(), n);
}

#[test]
fn quotes_over_the_length_limit_are_dropped_and_counted() {
    let d = tmpdir("runaway");
    let f = d.join("runaway.txt");
    let runaway = "word ".repeat(2_000);
    std::fs::write(
        &f,
        format!("He said \"{runaway}\n\n\"We will talk,\" she said.\n"),
    )
    .unwrap();
    let o = run(&["extract", f.to_str().unwrap(), "--format", "jsonl"]);
    works(&o);
    assert!(
        stderr(&o).contains("dropped 1 quote(s) longer than --max-quote-chars 5000"),
        "{}",
        stderr(&o)
    );
    let rows = quote_rows(&o);
    assert_eq!(
        rows,
        [("runaway.txt".to_string(), "We will talk,".to_string())]
    );
    // A higher limit keeps it.
    let o = run(&[
        "extract",
        f.to_str().unwrap(),
        "--format",
        "jsonl",
        "--max-quote-chars",
        "20000",
    ]);
    works(&o);
    assert_eq!(quote_rows(&o).len(), 2);
}
