//! Progress on a terminal: the real binary runs with stderr on a pseudo-terminal (stdout to
//! a pipe). A bar is drawn; warnings and errors stand on lines of their own above it; the
//! bar leaves no trace when done; `--quiet` and `STANCE_PROGRESS=0` hide it; no colour
//! codes are written; a stderr that is not a terminal gets only the plain lines. `label`
//! puts the terminal in raw mode for single keys and gives it back as it was.
#![cfg(unix)]

mod support;

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use support::{bin, fixture, stderr, tmpdir};

/// A pseudo-terminal: the master end the test reads and types into, the slave end the
/// child gets.
struct Pty {
    master: File,
    slave: OwnedFd,
}

fn open_pty() -> Pty {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: 40,
        ws_col: 200,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors into the given ints; name and termios may be
    // null, and the window size is a valid struct.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    unsafe {
        Pty {
            master: File::from_raw_fd(master),
            slave: OwnedFd::from_raw_fd(slave),
        }
    }
}

/// Everything the child writes to the terminal, collected by a thread as it comes.
struct Screen {
    bytes: Arc<Mutex<Vec<u8>>>,
    reader: JoinHandle<()>,
}

impl Screen {
    fn watch(mut master: File) -> Screen {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&bytes);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Reading fails with EIO once every slave descriptor is closed: the end.
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Screen { bytes, reader }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes.lock().unwrap()).into_owned()
    }

    /// Wait until the output holds `what` `times` times; panics after a minute.
    fn wait_for(&self, what: &str, times: usize, child: &mut Child) {
        let start = Instant::now();
        while self.text().matches(what).count() < times {
            if start.elapsed() > Duration::from_secs(60) || matches!(child.try_wait(), Ok(Some(_)))
            {
                let _ = child.kill();
                panic!("never saw {what:?} x{times}; output:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn finish(self) -> Vec<u8> {
        self.reader.join().unwrap();
        Arc::try_unwrap(self.bytes).unwrap().into_inner().unwrap()
    }
}

/// The base command: a terminal that can draw, no colour or progress overrides.
fn stance(args: &[&str]) -> Command {
    let mut c = bin();
    c.args(args)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .env_remove("STANCE_PROGRESS");
    c
}

/// Run to the end with stderr on a terminal: (success, stdout, terminal output).
fn run_on_pty(mut cmd: Command) -> (bool, Vec<u8>, String) {
    let pty = open_pty();
    let screen = Screen::watch(pty.master);
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(pty.slave))
        .spawn()
        .unwrap();
    // The command holds the only other copy of the slave end: gone with it, so the reader
    // sees the end when the child exits.
    drop(cmd);
    let out = child.wait_with_output().unwrap();
    let bytes = screen.finish();
    (
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// The lines a terminal would show after `out`: `\r`, `\n`, clearing a line (`ESC [2K`),
/// and cursor up and down are followed; other escape sequences are dropped.
fn screen_lines(out: &str) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                if lines.len() <= row {
                    lines.push(Vec::new());
                }
            }
            '\x1b' => {
                if chars.peek() != Some(&'[') {
                    chars.next();
                    continue;
                }
                chars.next();
                let mut arg = String::new();
                let mut end = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() || c == '~' {
                        end = c;
                        break;
                    }
                    arg.push(c);
                }
                let n: usize = arg.parse().unwrap_or(1);
                match end {
                    'K' => lines[row].clear(),
                    'A' => row = row.saturating_sub(n),
                    'B' => {
                        row += n;
                        while lines.len() <= row {
                            lines.push(Vec::new());
                        }
                    }
                    _ => {}
                }
            }
            c => {
                let line = &mut lines[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The 28 labelled rows of `tiny.csv` and one bad row (an empty label) at the end:
/// enough for `train` and 3-fold `cv`.
fn data_with_a_bad_row(dir: &std::path::Path) -> String {
    let mut csv = std::fs::read_to_string(fixture("tiny.csv")).unwrap();
    csv.push_str("\"A row with no label.\",,train\n");
    let path = dir.join("bad_row.csv");
    std::fs::write(&path, csv).unwrap();
    path.to_string_lossy().into_owned()
}

/// Whether `out` holds a colour or style sequence (`ESC [ … m`).
fn has_sgr(out: &str) -> bool {
    out.split('\x1b').skip(1).any(|s| {
        s.strip_prefix('[').is_some_and(|rest| {
            let end = rest.find(|c: char| c.is_ascii_alphabetic());
            end.is_some_and(|i| rest.as_bytes()[i] == b'm')
        })
    })
}

/// Where `needle` starts in `out`, and whether the bytes just before it end a line or
/// clear one: the line is not glued to bar text.
fn stands_alone(out: &str, needle: &str) -> bool {
    let at = out
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} missing:\n{out:?}"));
    let before = &out[..at];
    before.is_empty()
        || before.ends_with('\n')
        || before.ends_with("\x1b[2K")
        || before.ends_with('\r')
}

#[test]
fn train_draws_a_bar_and_a_warning_stands_on_its_own_line() {
    let dir = tmpdir("train-bar");
    let data = data_with_a_bad_row(&dir);
    let model = dir.join("m.model");
    let mut cmd = stance(&["train", "--data", &data, "--skip-bad-rows", "-o"]);
    cmd.arg(&model);
    let (ok, _, out) = run_on_pty(cmd);
    assert!(ok, "{out}");
    // The bar: a stage and its clock (the first draw is forced, so timing cannot hide it).
    assert!(out.contains("reading data"), "no bar drawn:\n{out:?}");
    assert!(out.contains("00:00:0"), "no elapsed time:\n{out:?}");
    assert!(
        stands_alone(&out, "warning: skipped 1 bad row(s)"),
        "{out:?}"
    );
    // What stays on screen: the warning and the summary, each a whole line; the bar is
    // gone.
    let lines = screen_lines(&out);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0].starts_with("warning: skipped 1 bad row(s) in "),
        "{lines:#?}"
    );
    assert!(
        lines[1].starts_with("trained nblr on 28 rows"),
        "{lines:#?}"
    );
    assert!(!has_sgr(&out), "colour codes in {out:?}");
}

#[test]
fn cv_counts_fits_on_the_bar() {
    let dir = tmpdir("cv-bar");
    let data = data_with_a_bad_row(&dir);
    let (ok, stdout, out) = run_on_pty(stance(&[
        "cv",
        "--data",
        &data,
        "--skip-bad-rows",
        "--folds",
        "3",
    ]));
    assert!(ok, "{out}");
    assert!(out.contains("/3 fits"), "no fit count:\n{out:?}");
    assert!(out.contains("ETA"), "{out:?}");
    assert!(
        stands_alone(&out, "warning: skipped 1 bad row(s)"),
        "{out:?}"
    );
    assert_eq!(screen_lines(&out).len(), 1, "{:#?}", screen_lines(&out));
    // The report itself is on stdout, untouched.
    assert!(String::from_utf8_lossy(&stdout).contains("macro-F1"));
}

#[test]
fn score_shows_bytes_read_and_an_unreadable_article_stands_on_its_own_line() {
    let dir = tmpdir("score-bar");
    let arts = dir.join("articles");
    std::fs::create_dir_all(&arts).unwrap();
    let src = support::repo("tests/fixtures/articles");
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            std::fs::copy(&p, arts.join(p.file_name().unwrap())).unwrap();
        }
    }
    // Sorted among the good ones, so the bar is up when it is reported.
    std::fs::write(arts.join("m_broken.txt"), b"\xff\xfe\x00b\x00a\x00d").unwrap();
    let (ok, stdout, out) = run_on_pty(stance(&[
        "score",
        &arts.to_string_lossy(),
        "--format",
        "csv",
    ]));
    assert!(!ok, "an unreadable article fails the run");
    assert!(
        out.contains(" KiB") && out.contains("ETA"),
        "no bytes bar:\n{out:?}"
    );
    assert!(stands_alone(&out, "error: "), "{out:?}");
    let lines = screen_lines(&out);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].starts_with("error: ") && lines[0].contains("m_broken.txt"));
    assert!(lines[1].starts_with("error: 1 of "), "{lines:#?}");
    assert!(String::from_utf8_lossy(&stdout).starts_with("article,"));
}

#[test]
fn quiet_and_stance_progress_0_hide_the_bar_on_a_terminal() {
    let dir = tmpdir("quiet");
    let data = data_with_a_bad_row(&dir);
    for (flag, env) in [
        (Some("--quiet"), None),
        (Some("-q"), None),
        (None, Some("0")),
    ] {
        let mut cmd = stance(&["train", "--data", &data, "--skip-bad-rows", "--force", "-o"]);
        cmd.arg(dir.join("m.model"));
        if let Some(f) = flag {
            cmd.arg(f);
        }
        if let Some(v) = env {
            cmd.env("STANCE_PROGRESS", v);
        }
        let (ok, _, out) = run_on_pty(cmd);
        assert!(ok, "{out}");
        assert!(!out.contains("reading data"), "{flag:?} {env:?}: {out:?}");
        assert!(!out.contains('\x1b'), "{flag:?} {env:?}: {out:?}");
        assert!(out.starts_with("warning: skipped 1 bad row(s)"), "{out:?}");
        assert!(out.contains("\ntrained nblr on 28 rows"), "{out:?}");
    }
}

#[test]
fn no_colour_codes_with_no_color_set() {
    let dir = tmpdir("no-color");
    let data = data_with_a_bad_row(&dir);
    let mut cmd = stance(&["train", "--data", &data, "--skip-bad-rows", "-o"]);
    cmd.arg(dir.join("m.model")).env("NO_COLOR", "1");
    let (ok, _, out) = run_on_pty(cmd);
    assert!(ok, "{out}");
    assert!(out.contains("reading data"), "{out:?}");
    assert!(!has_sgr(&out), "{out:?}");
}

#[test]
fn stderr_that_is_not_a_terminal_gets_only_the_plain_lines() {
    let dir = tmpdir("pipe");
    let data = data_with_a_bad_row(&dir);
    let o = stance(&["train", "--data", &data, "--skip-bad-rows", "-o"])
        .arg(dir.join("m.model"))
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err:?}");
    assert!(lines[0].starts_with("warning: skipped 1 bad row(s) in "));
    assert!(lines[1].starts_with("trained nblr on 28 rows"));
    assert!(!err.contains('\x1b') && !err.contains('\r'), "{err:?}");
}

/// The terminal's settings, to compare before and after.
fn term_settings(fd: &OwnedFd) -> libc::termios {
    // SAFETY: zeroed termios is a valid value to be overwritten; `fd` is an open terminal.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        assert_eq!(libc::tcgetattr(fd.as_raw_fd(), &mut t), 0);
        t
    }
}

fn same_settings(a: &libc::termios, b: &libc::termios) -> bool {
    (a.c_iflag, a.c_oflag, a.c_cflag, a.c_lflag, a.c_cc)
        == (b.c_iflag, b.c_oflag, b.c_cflag, b.c_lflag, b.c_cc)
}

#[test]
fn label_reads_single_keys_in_raw_mode_and_restores_the_terminal() {
    let dir = tmpdir("label-keys");
    let into = dir.join("l.csv");
    let pty = open_pty();
    let before = term_settings(&pty.slave);
    let mut keys = pty.master.try_clone().unwrap();
    let screen = Screen::watch(pty.master);
    let mut cmd = stance(&["label", "--articles", &fixture("label"), "--into"]);
    cmd.arg(&into)
        .stdin(Stdio::from(pty.slave.try_clone().unwrap()))
        .stdout(Stdio::null())
        .stderr(Stdio::from(pty.slave.try_clone().unwrap()));
    let mut child = cmd.spawn().unwrap();
    drop(cmd);
    let prompt = "q quit ▸ ";
    screen.wait_for(prompt, 1, &mut child);
    // One key answers: no Enter. Then Ctrl-C, read as a key, quits and saves.
    keys.write_all(b"t").unwrap();
    screen.wait_for(prompt, 2, &mut child);
    keys.write_all(b"\x03").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    let after = term_settings(&pty.slave);
    drop(pty.slave);
    drop(keys);
    let out = String::from_utf8_lossy(&screen.finish()).into_owned();
    assert!(
        same_settings(&before, &after),
        "terminal settings not restored"
    );
    let rows = std::fs::read_to_string(&into).unwrap();
    assert_eq!(rows.lines().count(), 2, "{rows}");
    assert!(
        rows.lines().nth(1).unwrap().contains(",threatening,"),
        "{rows}"
    );
    // In raw mode the terminal no longer returns the carriage at a line feed: every line
    // must still start at the left edge.
    let lines = screen_lines(&out);
    let to_label = lines
        .iter()
        .find(|l| l.contains("quotes to label"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        to_label.starts_with(|c: char| c.is_ascii_digit()),
        "{lines:#?}"
    );
    let headers: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("labelled this session"))
        .collect();
    assert_eq!(headers.len(), 2, "{lines:#?}");
    assert!(headers.iter().all(|h| h.starts_with("── ")), "{lines:#?}");
    assert!(
        lines.last().unwrap().starts_with("labelled 1 quote"),
        "{lines:#?}"
    );
}
