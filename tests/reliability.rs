//! No data loss and bounded memory, tested on the real binary: `train --force` killed with
//! SIGKILL at many points never leaves a broken model, and `predict` streams a large input
//! in flat memory.

mod support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stance::pipeline::Pipeline;
use support::tmpdir;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stance"));
    // Fixed date in the model metadata, so a complete model has known bytes.
    c.env("SOURCE_DATE_EPOCH", "1700000000");
    c
}

/// Rows of made-up words: a large vocabulary, so the model file is big and its write
/// takes long enough to be caught in the middle.
fn big_training_csv(path: &Path) {
    let mut rng = stance::util::Rng::new(7);
    let mut out = String::from("text,label\n");
    for row in 0..20_000 {
        for w in 0..12 {
            if w > 0 {
                out.push(' ');
            }
            let mut n = rng.below(40_000);
            for _ in 0..5 {
                out.push((b'a' + (n % 26) as u8) as char);
                n /= 26;
            }
        }
        out.push_str(if row % 2 == 0 { ",left\n" } else { ",right\n" });
    }
    std::fs::write(path, out).unwrap();
}

/// Files in `dir` other than `keep`.
fn others(dir: &Path, keep: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != keep)
        .collect()
}

#[test]
fn train_killed_at_any_point_leaves_the_old_model_or_the_new_one() {
    let d = tmpdir("kill");
    let data = d.join("data.csv");
    big_training_csv(&data);
    let data = data.to_str().unwrap();
    let train = |out: &Path| {
        let mut c = bin();
        c.args([
            "train",
            "--data",
            data,
            "--model",
            "nb",
            "--language",
            "none",
        ])
        .args(["--force", "-o", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        c
    };
    // The complete new model, written once without interruption.
    let reference_dir = d.join("reference");
    std::fs::create_dir_all(&reference_dir).unwrap();
    let reference = reference_dir.join("m.model");
    let started = Instant::now();
    assert!(train(&reference).status().unwrap().success());
    let full_run = started.elapsed();
    let new_bytes = std::fs::read(&reference).unwrap();
    assert!(
        new_bytes.len() > 5 << 20,
        "model only {} bytes",
        new_bytes.len()
    );

    // The model being replaced.
    let dir = d.join("work");
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("m.model");
    let fixture = format!("{}/tests/fixtures/tiny.csv", env!("CARGO_MANIFEST_DIR"));
    let o = bin()
        .args(["train", "--data", &fixture, "-o", target.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    let old_bytes = std::fs::read(&target).unwrap();

    // Kill points: fixed fractions of a full run, and the moment the temp file appears
    // plus 0 to 250 ms (mid-write, or just after the rename).
    let mut mid_write_kills = 0;
    let mut outcomes = (0, 0);
    let plans: Vec<(Option<f64>, u64)> = [0.1, 0.5]
        .iter()
        .map(|&f| (Some(f), 0))
        .chain([0, 0, 0, 1, 5, 20, 100, 250].iter().map(|&ms| (None, ms)))
        .collect();
    for (fraction, after_ms) in plans {
        let mut child = train(&target).spawn().unwrap();
        let temp = dir.join(format!(".m.model.tmp-{}", child.id()));
        let t0 = Instant::now();
        match fraction {
            Some(f) => std::thread::sleep(full_run.mul_f64(f)),
            None => loop {
                if temp.exists() {
                    std::thread::sleep(Duration::from_millis(after_ms));
                    break;
                }
                if child.try_wait().unwrap().is_some() || t0.elapsed() > full_run * 5 {
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            },
        }
        let temp_seen = temp.exists();
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        if temp_seen {
            mid_write_kills += 1;
        }

        let now = std::fs::read(&target).unwrap();
        if now == old_bytes {
            outcomes.0 += 1;
        } else {
            assert_eq!(
                now, new_bytes,
                "the model is neither the old one nor the new one"
            );
            outcomes.1 += 1;
        }
        Pipeline::load(&target).unwrap();
        for p in others(&dir, "m.model") {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.starts_with(".m.model.tmp-"),
                "unexpected file {name} after a kill"
            );
            // A half-written temp file must never load as a model.
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                bytes == new_bytes || Pipeline::load(&p).is_err(),
                "{name} loads but is not the complete model"
            );
        }
        // The next run starts from the old model again.
        std::fs::write(&target, &old_bytes).unwrap();
    }
    eprintln!(
        "{} kills, {mid_write_kills} mid-write; old model kept {} times, new one complete {} times",
        outcomes.0 + outcomes.1,
        outcomes.0,
        outcomes.1
    );
    assert!(
        mid_write_kills >= 2,
        "only {mid_write_kills} kills caught a write"
    );
    assert!(outcomes.0 > 0, "no kill left the old model: {outcomes:?}");

    // A run that finishes removes the temp files the killed runs left.
    assert!(train(&target).status().unwrap().success());
    assert_eq!(std::fs::read(&target).unwrap(), new_bytes);
    assert_eq!(others(&dir, "m.model"), Vec::<PathBuf>::new());
    std::fs::remove_dir_all(&d).unwrap();
}

/// Bytes pushed through `predict`: 2 GiB under `cargo test --release` (about 40 s on the
/// shared 2-core development machine, where `predict` runs at about 60 MB/s), 32 MiB in an
/// unoptimised build. Memory is flat after the first batches, so the peak does not depend
/// on the total.
const PREDICT_BYTES: u64 = if cfg!(debug_assertions) {
    32 << 20
} else {
    2 << 30
};

/// Run the binary with `args`, feeding stdin from `feed` (which returns how many records
/// it wrote) on its own thread; returns the records fed, the stdout lines and the peak RSS
/// in MB, after checking the exit status is 0.
fn peak_memory_streaming(
    args: &[&str],
    feed: impl FnOnce(&mut dyn Write) -> u64 + Send + 'static,
) -> (u64, u64, f64) {
    // Reaped by `wait4` below, which also reports its peak memory.
    #[allow(clippy::zombie_processes)]
    let mut child = Command::new(env!("CARGO_BIN_EXE_stance"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let writer = std::thread::spawn(move || feed(&mut stdin));
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut newlines = 0u64;
        loop {
            let n = stdout.read(&mut buf).unwrap();
            if n == 0 {
                break newlines;
            }
            newlines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        }
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter, and `pid` is our own child, reaped
    // here once (the `Child` handle is never waited on).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid);
    let fed = writer.join().unwrap();
    let out_lines = reader.join().unwrap();
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{err}"
    );
    let peak_mb = usage.ru_maxrss as f64 / 1024.0; // kilobytes on Linux
    (fed, out_lines, peak_mb)
}

#[test]
fn predict_streams_a_large_input_in_flat_memory() {
    let sentences = [
        "If they cross this line again, we will respond with overwhelming force.",
        "Our door remains open to talks, and we are ready to meet without conditions.",
        "The ministry said the shipment arrived on schedule at the northern port.",
        "We will not accept any ultimatum and the consequences will be severe.",
        "Both delegations agreed to continue the dialogue next week in Geneva.",
        "Rail workers said the strike will go ahead unless the offer improves.",
    ];
    let (lines, out_lines, peak_mb) =
        peak_memory_streaming(&["predict", "--format", "table"], move |stdin| {
            let mut sent = 0u64;
            let mut lines = 0u64;
            let mut buf = String::new();
            while sent < PREDICT_BYTES {
                buf.clear();
                for _ in 0..1000 {
                    let s = sentences[(lines % sentences.len() as u64) as usize];
                    buf.push_str(s);
                    buf.push_str(&format!(" Report {lines}.\n"));
                    lines += 1;
                }
                stdin.write_all(buf.as_bytes()).unwrap();
                sent += buf.len() as u64;
            }
            lines
        });
    eprintln!("{lines} lines, {PREDICT_BYTES} bytes through predict; peak RSS {peak_mb:.1} MB");
    // One header line, then one line per input line.
    assert_eq!(out_lines, lines + 1);
    assert!(peak_mb < 200.0, "peak RSS {peak_mb:.0} MB");
}

/// Bytes of JSONL articles pushed through `extract` and `score` on stdin: 32 MiB each,
/// with articles of up to 1 MB. Both took about 30 s for 64 MiB on the shared 2-core
/// development machine; memory is flat after the first batches either way.
const ARTICLE_BYTES: u64 = if cfg!(debug_assertions) {
    8 << 20
} else {
    32 << 20
};

/// Articles with two quotes each, some long: a JSONL dump as a scraper writes it.
fn feed_articles(stdin: &mut dyn Write) -> u64 {
    let para = "Harbour workers voted to walk out on Friday. \\\"If the port authority will not meet us, we will shut every berth on the coast,\\\" union leader Mara Quist told reporters. The ministry said talks would resume. \\\"Our door remains open,\\\" the minister said.\\n\\n";
    let mut sent = 0u64;
    let mut n = 0u64;
    while sent < ARTICLE_BYTES {
        // Every 50th article is about 1 MB, the rest a few paragraphs.
        let paras = if n % 50 == 0 { 4000 } else { 3 };
        let line = format!("{{\"id\":\"a{n}\",\"text\":\"{}\"}}\n", para.repeat(paras));
        stdin.write_all(line.as_bytes()).unwrap();
        sent += line.len() as u64;
        n += 1;
    }
    n
}

#[test]
fn extract_and_score_stream_a_large_dump_in_flat_memory() {
    for cmd in ["extract", "score"] {
        let (articles, rows, peak_mb) =
            peak_memory_streaming(&[cmd, "-", "--format", "jsonl"], feed_articles);
        eprintln!("{cmd}: {articles} articles, {ARTICLE_BYTES} bytes; peak RSS {peak_mb:.1} MB");
        assert!(
            rows >= 2 * articles,
            "{rows} quotes from {articles} articles"
        );
        assert!(peak_mb < 200.0, "{cmd}: peak RSS {peak_mb:.0} MB");
    }
}

/// A file that appears at the target while the new one is being written (another process,
/// a user) is not replaced without `--force`: the new file is linked into place, which
/// fails if the name is taken, instead of renamed over it.
#[test]
fn a_file_appearing_during_the_write_is_not_replaced_without_force() {
    let d = tmpdir("race");
    let target = d.join("m.model");
    let e = stance::util::write_atomic_with(&target, false, |w| {
        std::fs::write(&target, b"theirs")?;
        w.write_all(b"ours")
    })
    .unwrap_err();
    assert!(matches!(e, stance::Error::Exists { .. }), "{e}");
    assert_eq!(std::fs::read(&target).unwrap(), b"theirs");
    assert_eq!(
        others(&d, "m.model"),
        Vec::<PathBuf>::new(),
        "temp file left"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

/// Temp files of processes that are gone are removed by the next write to the same target;
/// those of a running process are not.
#[test]
fn stale_temp_files_of_dead_processes_are_removed() {
    let d = tmpdir("stale");
    let target = d.join("m.model");
    // Above the largest pid Linux hands out (2^22), so never a running process.
    let dead = d.join(".m.model.tmp-999999999");
    let alive = d.join(".m.model.tmp-1");
    let other = d.join(".n.model.tmp-999999999");
    for f in [&dead, &alive, &other] {
        std::fs::write(f, b"half a model").unwrap();
    }
    stance::util::write_atomic(&target, b"model", false).unwrap();
    assert!(!dead.exists());
    assert!(alive.exists(), "pid 1 is running");
    assert!(other.exists(), "another target's temp file");
    std::fs::remove_dir_all(&d).unwrap();
}
