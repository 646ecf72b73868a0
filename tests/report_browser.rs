//! The HTML report in a real browser: headless Chromium loads a report of fixture articles,
//! the test counts the highlighted quotes, clicks a speaker filter with a real mouse event,
//! checks what remains, pages through a long report, and saves screenshots under
//! `target/tmp/report-browser/`.
//!
//! Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: the
//! browser reads commands on fd 3 and writes replies on fd 4, NUL-separated JSON), so no
//! port, websocket or extra crate is needed. The click is `Input.dispatchMouseEvent` at the
//! button's centre, the same path a user's click takes.
//!
//! Without Chromium the test prints a SKIPPED line on stderr and passes, unless
//! `STANCE_REQUIRE_BROWSER` is set (CI sets it), in which case it fails.

mod support;

use std::path::{Path, PathBuf};
use support::{bin, repo};

fn required() -> bool {
    std::env::var("STANCE_REQUIRE_BROWSER").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Report that the browser test cannot run: a failure when it is required, else a loud skip.
fn cannot_run(reason: &str) {
    if required() {
        panic!("the browser test must run (STANCE_REQUIRE_BROWSER is set) but cannot: {reason}");
    }
    // Straight to the stderr handle: the test harness captures `eprintln!` of passing
    // tests, and a skip must be seen.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED report_browser: {reason}. Install Debian's `chromium` (or set STANCE_CHROMIUM \
         to a Chromium binary) to run it; set STANCE_REQUIRE_BROWSER=1 to make this a failure."
    );
}

/// `STANCE_CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STANCE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

fn run_ok(args: &[&str]) -> String {
    let o = bin().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "stance {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// (quote, speaker) of every quote `stance extract` finds in the inputs.
fn extracted(inputs: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["extract", "--format", "jsonl"];
    args.extend_from_slice(inputs);
    run_ok(&args)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["quote"].as_str().unwrap().to_string(),
                v["speaker"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (k, &c) in chunk.iter().enumerate() {
            n |= (val(c) as u32) << (18 - 6 * k);
        }
        for k in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * k)) as u8);
        }
    }
    out
}

#[cfg(target_os = "linux")]
mod cdp {
    //! A minimal DevTools-protocol client over `--remote-debugging-pipe`.

    use std::fs::File;
    use std::io::{Read, Write};
    use std::os::fd::FromRawFd;
    use std::os::unix::process::CommandExt;
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use serde_json::{json, Value};

    /// Longest the whole browser session may take before the browser is killed.
    const SESSION_LIMIT: Duration = Duration::from_secs(120);

    pub struct Browser {
        child: Child,
        to_browser: File,
        from_browser: File,
        buf: Vec<u8>,
        next_id: u64,
        events: Vec<Value>,
        done: Arc<AtomicBool>,
    }

    /// A pipe whose two ends are closed on exec, so no other process started meanwhile
    /// (tests run in parallel) inherits them.
    fn pipe() -> std::io::Result<(i32, i32)> {
        let mut fds = [0i32; 2];
        // SAFETY: pipe2 writes two descriptors into the array it is given.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok((fds[0], fds[1]))
    }

    impl Browser {
        pub fn launch(exe: &Path, profile: &Path, flags: &[&str]) -> std::io::Result<Browser> {
            let (cmd_read, cmd_write) = pipe()?;
            let (reply_read, reply_write) = pipe()?;
            let log = File::create(profile.with_extension("log"))?;
            let mut c = Command::new(exe);
            c.args(flags)
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg("--remote-debugging-pipe")
                .arg("about:blank")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                // Its own process group, so the renderer and helper processes go with it.
                .process_group(0);
            // SAFETY: between fork and exec only async-signal-safe calls (fcntl, dup2).
            // The ends are first moved above fd 10 so that dup2 onto 3 and 4 cannot clobber
            // one with the other; dup2 clears close-on-exec on the copies.
            unsafe {
                c.pre_exec(move || {
                    let r = libc::fcntl(cmd_read, libc::F_DUPFD_CLOEXEC, 10);
                    let w = libc::fcntl(reply_write, libc::F_DUPFD_CLOEXEC, 10);
                    if r < 0 || w < 0 || libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let spawned = c.spawn();
            // SAFETY: each descriptor is owned by exactly one File from here on; the
            // child's ends are closed in this process.
            unsafe {
                libc::close(cmd_read);
                libc::close(reply_write);
            }
            let (to_browser, from_browser) =
                unsafe { (File::from_raw_fd(cmd_write), File::from_raw_fd(reply_read)) };
            let child = spawned?;
            let done = Arc::new(AtomicBool::new(false));
            let (flag, pid) = (done.clone(), child.id() as i32);
            std::thread::spawn(move || {
                let start = Instant::now();
                while !flag.load(Ordering::Relaxed) {
                    if start.elapsed() > SESSION_LIMIT {
                        eprintln!(
                            "report_browser: browser session over {SESSION_LIMIT:?}; killing it"
                        );
                        // SAFETY: signals our own child's process group.
                        unsafe { libc::kill(-pid, libc::SIGKILL) };
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
            Ok(Browser {
                child,
                to_browser,
                from_browser,
                buf: Vec::new(),
                next_id: 0,
                events: Vec::new(),
                done,
            })
        }

        fn read_message(&mut self) -> Result<Value, String> {
            loop {
                if let Some(end) = self.buf.iter().position(|&b| b == 0) {
                    let msg: Vec<u8> = self.buf.drain(..=end).collect();
                    return serde_json::from_slice(&msg[..end]).map_err(|e| e.to_string());
                }
                let mut chunk = [0u8; 1 << 16];
                let n = self
                    .from_browser
                    .read(&mut chunk)
                    .map_err(|e| format!("reading from the browser: {e}"))?;
                if n == 0 {
                    return Err("the browser closed the pipe (crashed or timed out)".into());
                }
                self.buf.extend_from_slice(&chunk[..n]);
            }
        }

        /// Send a command and wait for its reply; events seen meanwhile are kept.
        pub fn call(
            &mut self,
            method: &str,
            params: Value,
            session: Option<&str>,
        ) -> Result<Value, String> {
            self.next_id += 1;
            let id = self.next_id;
            let mut msg = json!({ "id": id, "method": method, "params": params });
            if let Some(s) = session {
                msg["sessionId"] = s.into();
            }
            let mut bytes = serde_json::to_vec(&msg).map_err(|e| e.to_string())?;
            bytes.push(0);
            self.to_browser
                .write_all(&bytes)
                .map_err(|e| format!("writing to the browser: {e}"))?;
            loop {
                let m = self.read_message()?;
                if m["id"].as_u64() == Some(id) {
                    if let Some(err) = m.get("error") {
                        return Err(format!("{method}: {err}"));
                    }
                    return Ok(m["result"].clone());
                }
                self.events.push(m);
            }
        }

        /// Wait for an event by name; returns it and forgets it.
        pub fn wait_event(&mut self, method: &str) -> Result<Value, String> {
            loop {
                if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
                    return Ok(self.events.remove(i));
                }
                let m = self.read_message()?;
                self.events.push(m);
            }
        }

        /// All events of a kind seen so far.
        pub fn events(&self, method: &str) -> Vec<Value> {
            self.events
                .iter()
                .filter(|e| e["method"] == method)
                .cloned()
                .collect()
        }

        /// Evaluate an expression in the page; its value as JSON.
        pub fn eval(&mut self, session: &str, expr: &str) -> Result<Value, String> {
            let r = self.call(
                "Runtime.evaluate",
                json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
                Some(session),
            )?;
            if let Some(ex) = r.get("exceptionDetails") {
                return Err(format!("{expr}: {ex}"));
            }
            Ok(r["result"]["value"].clone())
        }

        /// Click the centre of the first element matching `selector`, as a mouse would.
        pub fn click(&mut self, session: &str, selector: &str) -> Result<(), String> {
            let sel = serde_json::to_string(selector).map_err(|e| e.to_string())?;
            let rect = self.eval(
                session,
                &format!(
                    "(() => {{ const e = document.querySelector({sel}); if (!e) return null; \
                     e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
                     return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
                ),
            )?;
            let (x, y) = match (rect[0].as_f64(), rect[1].as_f64()) {
                (Some(x), Some(y)) => (x, y),
                _ => return Err(format!("nothing to click: {selector}")),
            };
            for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
                self.call(
                    "Input.dispatchMouseEvent",
                    json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
                    Some(session),
                )?;
            }
            Ok(())
        }

        /// A PNG of the viewport.
        pub fn screenshot(&mut self, session: &str) -> Result<Vec<u8>, String> {
            let r = self.call(
                "Page.captureScreenshot",
                json!({ "format": "png" }),
                Some(session),
            )?;
            Ok(super::decode_base64(r["data"].as_str().unwrap_or("")))
        }
    }

    impl Drop for Browser {
        fn drop(&mut self) {
            let _ = self.call("Browser.close", json!({}), None);
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            // SAFETY: signals our own child's process group (helpers that outlived it).
            unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
            let _ = self.child.wait();
            self.done.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(not(target_os = "linux"))]
#[test]
fn report_in_headless_chromium() {
    cannot_run("the Chromium driver of this test is written for Linux");
}

#[cfg(target_os = "linux")]
#[test]
fn report_in_headless_chromium() {
    use serde_json::json;

    let Some(chromium) = find_chromium() else {
        cannot_run("no `chromium` on the PATH");
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // A report of two fixture articles and one full of markup.
    let inputs = [
        repo("tests/fixtures/articles/wire_port_strike.txt"),
        repo("tests/fixtures/articles/diplomacy_wire.txt"),
        repo("tests/fixtures/report/hostile.jsonl"),
    ];
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let report = dir.join("report.html");
    let mut args = inputs.clone();
    args.extend(["-o", report.to_str().unwrap()]);
    let mut report_args = vec!["report"];
    report_args.extend(args);
    run_ok(&report_args);
    let want = extracted(&inputs);
    let speaker = "Marta Kowalczyk";
    let want_speaker = want.iter().filter(|(_, s)| s == speaker).count();
    assert!(want_speaker > 0 && want_speaker < want.len());

    // A long report, to page through.
    let many = dir.join("many.jsonl");
    let lines: Vec<String> = (0..45)
        .map(|i| {
            json!({
                "id": format!("a{i:02}"),
                "date": format!("2024-05-{:02}", 1 + i % 28),
                "text": format!("\"We will not back down, not on day {i},\" said Ida Brandt."),
            })
            .to_string()
        })
        .collect();
    std::fs::write(&many, lines.join("\n")).unwrap();
    let many_report = dir.join("many.html");
    run_ok(&[
        "report",
        many.to_str().unwrap(),
        "-o",
        many_report.to_str().unwrap(),
    ]);

    let profile = dir.join("profile");
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let mut b = match cdp::Browser::launch(&chromium, &profile, &flags) {
        Ok(b) => b,
        Err(e) => {
            cannot_run(&format!("{} did not start: {e}", chromium.display()));
            return;
        }
    };
    let version = match b.call("Browser.getVersion", json!({}), None) {
        Ok(v) => v["product"].as_str().unwrap_or("?").to_string(),
        Err(e) => {
            let log = std::fs::read_to_string(profile.with_extension("log")).unwrap_or_default();
            cannot_run(&format!(
                "{} started but does not answer on the DevTools pipe: {e}\n{log}",
                chromium.display()
            ));
            return;
        }
    };

    let target = b
        .call("Target.createTarget", json!({ "url": "about:blank" }), None)
        .unwrap();
    let session = b
        .call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
            None,
        )
        .unwrap()["sessionId"]
        .as_str()
        .unwrap()
        .to_string();
    let s = session.as_str();
    for m in ["Page.enable", "Network.enable"] {
        b.call(m, json!({}), Some(s)).unwrap();
    }
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 1400, "deviceScaleFactor": 1, "mobile": false }),
        Some(s),
    )
    .unwrap();
    let url = format!("file://{}", report.display());
    b.call("Page.navigate", json!({ "url": url }), Some(s))
        .unwrap();
    b.wait_event("Page.loadEventFired").unwrap();

    // Every quote is highlighted, with its speaker, and the styles and script ran (a wrong
    // CSP hash would block them).
    let page = b
        .eval(
            s,
            "(() => { const marks = [...document.querySelectorAll('mark.q')]; return { \
             marks: marks.map(m => [m.textContent, m.dataset.speaker, \
               m.nextElementSibling ? m.nextElementSibling.textContent : null]), \
             painted: marks.filter(m => { const c = getComputedStyle(m); \
               return c.borderBottomWidth !== '0px' && (c.backgroundImage !== 'none' || \
               c.backgroundColor !== 'rgba(0, 0, 0, 0)'); }).length, \
             controls: !document.getElementById('controls').hidden, \
             status: document.getElementById('status').textContent, \
             articles: document.querySelectorAll('article.art:not([hidden])').length, \
             scripts: document.scripts.length, images: document.images.length, \
             links: [...document.querySelectorAll('[href],[src]')].map(e => e.getAttribute('href') || e.getAttribute('src')), \
             pwned: window.__pwned === undefined ? null : String(window.__pwned), \
             titleText: document.querySelector('#art-3 summary .t').textContent }; })()",
        )
        .unwrap();
    let marks = page["marks"].as_array().unwrap();
    assert_eq!(marks.len(), want.len(), "highlighted quotes: {page}");
    let mut got: Vec<(String, String)> = marks
        .iter()
        .map(|m| {
            (
                m[0].as_str().unwrap().to_string(),
                m[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut want_sorted = want.clone();
    got.sort();
    want_sorted.sort();
    assert_eq!(got, want_sorted);
    for m in marks {
        let badge = m[2].as_str().unwrap();
        let spk = m[1].as_str().unwrap();
        assert_eq!(
            badge,
            if spk.is_empty() {
                "unknown speaker"
            } else {
                spk
            }
        );
    }
    assert_eq!(page["painted"].as_u64().unwrap() as usize, want.len());
    assert_eq!(page["controls"], true, "the script did not run: {page}");
    assert_eq!(page["articles"], 4);
    assert!(
        page["status"]
            .as_str()
            .unwrap()
            .contains(&format!("{} quotes highlighted", want.len())),
        "{page}"
    );
    // Markup in the articles stayed text.
    assert_eq!(page["scripts"], 1);
    assert_eq!(page["images"], 0);
    assert_eq!(page["pwned"], serde_json::Value::Null);
    assert!(page["titleText"]
        .as_str()
        .unwrap()
        .starts_with("<img src=x onerror="));
    assert!(marks
        .iter()
        .any(|m| m[0].as_str().unwrap().starts_with("<script>window.__pwned")));
    assert_eq!(page["links"], json!(["data:,"]));
    std::fs::write(dir.join("report.png"), b.screenshot(s).unwrap()).unwrap();

    // Click the speaker filter: only that speaker's quotes stay highlighted, only articles
    // with one of them stay shown.
    b.click(
        s,
        &format!("#speakers button.spk[data-speaker=\"{speaker}\"]"),
    )
    .unwrap();
    let after = b
        .eval(
            s,
            "(() => { const arts = [...document.querySelectorAll('article.art:not([hidden])')]; \
             const on = arts.flatMap(a => [...a.querySelectorAll('.qw:not(.off) > mark.q')]); \
             return { active: on.map(m => m.dataset.speaker), \
               articles: arts.map(a => a.id), \
               painted: on.filter(m => getComputedStyle(m).borderBottomWidth !== '0px').length, \
               unpainted: [...document.querySelectorAll('.qw.off > mark.q')] \
                 .filter(m => getComputedStyle(m).borderBottomWidth === '0px').length, \
               pressed: document.querySelector('#speakers button.spk[aria-pressed=true]').dataset.speaker, \
               shown: document.getElementById('active-speaker').textContent, \
               status: document.getElementById('status').textContent, hash: location.hash }; })()",
        )
        .unwrap();
    let active = after["active"].as_array().unwrap();
    assert_eq!(active.len(), want_speaker, "{after}");
    assert!(active.iter().all(|s| s == speaker), "{after}");
    assert_eq!(after["painted"].as_u64().unwrap() as usize, want_speaker);
    assert_eq!(
        after["unpainted"].as_u64().unwrap() as usize,
        want.len() - want_speaker
    );
    assert_eq!(after["articles"], json!(["art-1"]), "{after}");
    assert_eq!(after["pressed"], speaker);
    assert_eq!(after["shown"], speaker);
    assert!(after["status"]
        .as_str()
        .unwrap()
        .contains(&format!("{want_speaker} quotes highlighted")));
    assert_eq!(after["hash"], "#speaker=Marta%20Kowalczyk");
    b.eval(s, "window.scrollTo(0, 0)").unwrap();
    std::fs::write(dir.join("report-filtered.png"), b.screenshot(s).unwrap()).unwrap();

    // A stance toggle narrows the speaker's quotes further; clearing restores everything.
    b.click(s, "button.stance-toggle[data-stance=\"conciliatory\"]")
        .unwrap();
    let narrowed = b
        .eval(
            s,
            "[...document.querySelectorAll('article.art:not([hidden]) .qw:not(.off) > mark.q')].map(m => m.dataset.stance)",
        )
        .unwrap();
    assert!(narrowed
        .as_array()
        .unwrap()
        .iter()
        .all(|st| st != "conciliatory"));
    b.click(s, "#clear-filters").unwrap();
    let cleared = b
        .eval(
            s,
            "[document.querySelectorAll('article.art:not([hidden]) .qw:not(.off) > mark.q').length, location.hash]",
        )
        .unwrap();
    assert_eq!(cleared, json!([want.len(), ""]));

    // Paging: 45 articles, 20 a page.
    b.call(
        "Page.navigate",
        json!({ "url": format!("file://{}", many_report.display()) }),
        Some(s),
    )
    .unwrap();
    b.wait_event("Page.loadEventFired").unwrap();
    let visible = "[...document.querySelectorAll('article.art:not([hidden])')].map(a => a.id)";
    let first = b.eval(s, visible).unwrap();
    assert_eq!(first.as_array().unwrap().len(), 20);
    assert_eq!(first[0], "art-1");
    b.click(s, "#next-page").unwrap();
    b.click(s, "#next-page").unwrap();
    let third = b.eval(s, visible).unwrap();
    assert_eq!(
        third,
        json!((41..=45).map(|i| format!("art-{i}")).collect::<Vec<_>>())
    );
    let info = b
        .eval(s, "document.getElementById('page-info').textContent")
        .unwrap();
    assert_eq!(info, "Page 3 of 3");

    // A link with a fragment opens the page filtered.
    b.call(
        "Page.navigate",
        json!({ "url": format!("{url}#speaker=Jonas%20Erd") }),
        Some(s),
    )
    .unwrap();
    b.wait_event("Page.loadEventFired").unwrap();
    let linked = b
        .eval(
            s,
            "[...document.querySelectorAll('article.art:not([hidden]) .qw:not(.off) > mark.q')].map(m => m.dataset.speaker)",
        )
        .unwrap();
    let erd = want.iter().filter(|(_, s)| s == "Jonas Erd").count();
    assert!(erd > 0);
    assert_eq!(linked, json!(vec!["Jonas Erd"; erd]));

    // Nothing was fetched but the report files themselves.
    let urls: Vec<String> = b
        .events("Network.requestWillBeSent")
        .iter()
        .map(|e| {
            e["params"]["request"]["url"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert!(!urls.is_empty());
    for u in &urls {
        assert!(
            u.starts_with("file://") || u.starts_with("data:"),
            "the page loaded {u}"
        );
    }
    drop(b);
    eprintln!(
        "report_browser: ran in {version}; screenshots in {}",
        dir.display()
    );
}
