//! `stance report` and `stance evaluate --html` on fixture files, read back with a strict
//! HTML parser: structure, escaping, no network references, and figures that agree with the
//! JSON output of `extract`, `score` and `evaluate`.

mod support;

mod html;

use std::process::{Output, Stdio};

use html::Element;
use support::{bin, repo, run, stderr, tmpdir};

fn jsonl(o: &Output) -> Vec<serde_json::Value> {
    assert!(o.status.success(), "{}", stderr(o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn inputs() -> Vec<String> {
    vec![
        repo("tests/fixtures/articles/wire_port_strike.txt"),
        repo("tests/fixtures/articles/diplomacy_wire.txt"),
        repo("tests/fixtures/articles/sports_feud.txt"),
        repo("tests/fixtures/report/hostile.jsonl"),
    ]
}

/// Write a report of `inputs()` and parse it.
fn report(tag: &str) -> (Element, String) {
    let dir = tmpdir(tag);
    let out = dir.join("r.html");
    let mut args = vec!["report".to_string()];
    args.extend(inputs());
    args.extend(["-o".into(), out.to_str().unwrap().into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("5 articles"), "{}", stderr(&o));
    let src = std::fs::read_to_string(&out).unwrap();
    let doc = html::parse(&src).unwrap_or_else(|e| panic!("report is not well formed: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    (doc, src)
}

/// No element loads anything: no `src`, no stylesheet or preload links, the only `href`s
/// are the data-URL icon and article links that open on click.
fn assert_self_contained(doc: &Element, src: &str, scripts: usize) {
    let with_src = doc.find_all(&|e| e.attr("src").is_some());
    assert!(with_src.is_empty(), "{with_src:?}");
    for e in doc.find_all(&|e| e.attr("href").is_some()) {
        match e.name.as_str() {
            "link" => assert_eq!(
                (e.attr("rel"), e.attr("href")),
                (Some("icon"), Some("data:,"))
            ),
            "a" => assert_eq!(e.attr("rel"), Some("noopener noreferrer")),
            other => panic!("<{other}> with href"),
        }
    }
    let scripts_found = doc.find_all(&|e| e.name == "script");
    assert_eq!(scripts_found.len(), scripts);
    for s in doc.find_all(&|e| e.name == "style" || e.name == "script") {
        let t = s.text();
        for bad in [
            "url(",
            "@import",
            "http:",
            "https:",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(!t.contains(bad), "<{}> mentions {bad}", s.name);
        }
    }
    let csp = doc.find_all(&|e| e.attr("http-equiv") == Some("Content-Security-Policy"));
    assert_eq!(csp.len(), 1);
    assert!(csp[0]
        .attr("content")
        .unwrap()
        .starts_with("default-src 'none';"));
    assert!(!src.contains("//fonts."));
}

#[test]
fn report_highlights_every_extracted_quote_with_its_speaker() {
    let (doc, src) = report("quotes");
    assert_self_contained(&doc, &src, 1);
    // The report shows every quote found, as `score --all-quotes` classifies them.
    let mut args = vec![
        "score".to_string(),
        "--all-quotes".into(),
        "--format".into(),
        "jsonl".into(),
    ];
    args.extend(inputs());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let quotes = jsonl(&run(&args));
    let articles = doc.find_all(&|e| e.name == "article");
    assert_eq!(articles.len(), 5);
    let mut k = 0;
    for art in &articles {
        // Extraction order is text order, and so is the page's.
        for m in art.find_all(&|e| e.name == "mark" && e.has_class("q")) {
            let q = &quotes[k];
            k += 1;
            assert_eq!(m.text(), q["quote"].as_str().unwrap());
            let speaker = q["speaker"].as_str().unwrap_or("");
            assert_eq!(m.attr("data-speaker"), Some(speaker));
            assert_eq!(m.attr("data-stance"), q["stance"].as_str());
            assert!(m
                .attr("title")
                .unwrap()
                .starts_with(q["stance"].as_str().unwrap()));
        }
        // The speaker badge follows its quote inside the quote's wrapper.
        for w in art.find_all(&|e| e.has_class("qw")) {
            let kids: Vec<&Element> = w.elements().collect();
            assert_eq!(kids.len(), 2);
            assert_eq!(kids[0].name, "mark");
            assert_eq!(kids[1].name, "button");
            let spk = kids[0].attr("data-speaker").unwrap();
            assert_eq!(kids[1].attr("data-speaker"), Some(spk));
            assert_eq!(
                kids[1].text(),
                if spk.is_empty() {
                    "unknown speaker"
                } else {
                    spk
                }
            );
        }
    }
    assert_eq!(k, quotes.len());
}

#[test]
fn report_shows_markup_in_articles_as_text() {
    let (doc, src) = report("escape");
    // Only the page's own script and no element came from the article.
    assert_eq!(doc.find_all(&|e| e.name == "script").len(), 1);
    assert!(doc.find_all(&|e| e.name == "img").is_empty());
    for art in doc.find_all(&|e| e.name == "article") {
        assert!(art.find_all(&|e| e.name == "b").is_empty());
    }
    assert!(!src.contains("<script>window"));
    assert!(!src.contains("javascript:"));
    let hostile = doc
        .find_all(&|e| e.name == "article")
        .into_iter()
        .find(|a| a.text().contains("Halvery."))
        .unwrap();
    let body = hostile.find_all(&|e| e.has_class("body"))[0].text();
    assert!(body.contains("\"<script>window.__pwned = true</script> We will answer"));
    assert!(body.contains("<b>today</b>"));
    assert!(body.contains("</mark></span><img src=x onerror="));
    let title = hostile.find_all(&|e| e.name == "summary")[0].text();
    assert!(title.starts_with("<img src=x onerror=\"window.__pwned=1\"> Markup in a title & more"));
    // A javascript: URL is not made a link.
    assert!(hostile.find_all(&|e| e.name == "a").is_empty());
    // The quote holding a closing tag is one quote, its text intact.
    let marks: Vec<String> = hostile
        .find_all(&|e| e.name == "mark")
        .iter()
        .map(|m| m.text())
        .collect();
    assert!(marks.contains(&"Nobody should test us. </mark></span><img src=x onerror=".to_string()));
}

#[test]
fn report_speaker_table_and_timeline_agree_with_score() {
    let (doc, _) = report("tables");
    let mut args = vec![
        "score".to_string(),
        "--all-quotes".into(),
        "--by".into(),
        "speaker".into(),
        "--format".into(),
        "jsonl".into(),
    ];
    args.extend(inputs());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let speakers = jsonl(&run(&args));
    let table = doc.find_all(&|e| e.attr("id") == Some("speakers"))[0];
    let rows = table.find_all(&|e| e.name == "tr");
    // Header row + one per speaker, unknown speakers included.
    assert_eq!(rows.len(), speakers.len() + 1);
    let head: Vec<String> = rows[0].elements().map(|c| c.text()).collect();
    for s in &speakers {
        let name = s["speaker"].as_str().unwrap_or("");
        let row = rows
            .iter()
            .find(|r| {
                r.find_all(&|e| e.has_class("spk"))
                    .first()
                    .is_some_and(|b| b.attr("data-speaker") == Some(name))
            })
            .unwrap_or_else(|| panic!("no row for {name:?}"));
        let cells: Vec<String> = row.elements().map(|c| c.text()).collect();
        assert_eq!(cells[1], s["quotes"].to_string());
        assert_eq!(cells[2], s["articles"].to_string());
        for (label, n) in s["stance"].as_object().unwrap() {
            let col = head.iter().position(|h| h == label).unwrap();
            assert_eq!(cells[col], n.to_string(), "{name} {label}");
        }
        for (label, n) in s["sentiment"].as_object().unwrap() {
            let col = head
                .iter()
                .position(|h| *h == format!("sentiment {label}"))
                .unwrap();
            assert_eq!(cells[col], n.to_string(), "{name} sentiment {label}");
        }
    }
    // Timeline: one bar per day and series with quotes; heights add up per label.
    let mut by_quote = vec![
        "score".to_string(),
        "--all-quotes".into(),
        "--format".into(),
        "jsonl".into(),
    ];
    by_quote.extend(inputs());
    let by_quote: Vec<&str> = by_quote.iter().map(String::as_str).collect();
    let quotes = jsonl(&run(&by_quote));
    let bars = doc.find_all(&|e| e.name == "rect" && e.has_class("bar"));
    for label in ["threatening", "conciliatory"] {
        let want = quotes
            .iter()
            .filter(|q| q["stance"] == label)
            .filter(|q| q["date"].as_str().is_some_and(|d| d != "2024-02-30"))
            .count();
        let class = if label == "threatening" { "s2" } else { "s0" };
        let got: usize = bars
            .iter()
            .filter(|b| b.has_class(class))
            .map(|b| b.attr("data-count").unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(got, want, "{label}");
    }
    // Undated articles and the one dated 2024-02-30 (not a real day) are left out.
    let undated = quotes
        .iter()
        .filter(|q| q["date"].as_str().is_none_or(|d| d == "2024-02-30"))
        .count();
    assert!(undated > 1);
    let notes: Vec<String> = doc
        .find_all(&|e| e.has_class("note"))
        .iter()
        .map(|n| n.text())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with(&format!("{undated} quotes from articles without a date"))),
        "{notes:?}"
    );
}

#[test]
fn report_refuses_to_overwrite_without_force_and_can_write_stdout() {
    let dir = tmpdir("force");
    let out = dir.join("r.html");
    std::fs::write(&out, "keep me").unwrap();
    let art = repo("tests/fixtures/articles/merger_talks.txt");
    let o = run(&["report", &art, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("already exists; pass --force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let o = run(&["report", &art, "-o", out.to_str().unwrap(), "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let written = std::fs::read_to_string(&out).unwrap();
    html::parse(&written).unwrap();
    // No temp file is left beside it.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1);
    let o = run(&["report", &art, "-o", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let doc = html::parse(&stdout).unwrap();
    assert_eq!(doc.find_all(&|e| e.name == "article").len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_skips_unreadable_inputs_but_writes_the_rest() {
    let dir = tmpdir("bad");
    let out = dir.join("r.html");
    let good = repo("tests/fixtures/articles/merger_talks.txt");
    let missing = dir.join("missing.txt");
    let o = run(&[
        "report",
        &good,
        missing.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let doc = html::parse(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc.find_all(&|e| e.name == "article").len(), 1);
    // Nothing readable at all: no page.
    let out2 = dir.join("none.html");
    let o = run(&[
        "report",
        missing.to_str().unwrap(),
        "-o",
        out2.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!out2.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_reads_articles_from_stdin() {
    let mut child = bin()
        .args(["report", "-o", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"\"We will strike back if they cross the line,\" said Ida Brandt.\n")
            .unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = html::parse(&String::from_utf8(o.stdout).unwrap()).unwrap();
    let marks = doc.find_all(&|e| e.name == "mark" && e.has_class("q"));
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].attr("data-speaker"), Some("Ida Brandt"));
}

#[test]
fn evaluate_html_draws_the_same_numbers_as_evaluate_json() {
    let dir = tmpdir("eval");
    let out = dir.join("eval.html");
    let data = repo("tests/fixtures/tiny.csv");
    let model = dir.join("tiny.model");
    let trained = run(&["train", "--data", &data, "-o", model.to_str().unwrap()]);
    assert!(trained.status.success(), "{}", stderr(&trained));
    let json_run = run(&[
        "evaluate",
        "--model",
        model.to_str().unwrap(),
        "--data",
        &data,
        "--label-column",
        "label",
        "--format",
        "json",
        "--html",
        out.to_str().unwrap(),
    ]);
    assert!(json_run.status.success(), "{}", stderr(&json_run));
    let j: serde_json::Value = serde_json::from_slice(&json_run.stdout).unwrap();
    let src = std::fs::read_to_string(&out).unwrap();
    let doc = html::parse(&src).unwrap_or_else(|e| panic!("not well formed: {e}"));
    assert_self_contained(&doc, &src, 0);

    let labels = j["confusion"]["labels"].as_array().unwrap();
    let k = labels.len();
    let cells = doc.find_all(&|e| e.name == "rect" && e.has_class("cell"));
    assert_eq!(cells.len(), k * k);
    let matrix = &j["confusion"]["matrix"];
    for c in &cells {
        let t: usize = c.attr("data-true").unwrap().parse().unwrap();
        let p: usize = c.attr("data-pred").unwrap().parse().unwrap();
        assert_eq!(c.attr("data-count").unwrap(), matrix[t][p].to_string());
    }
    let bars = doc.find_all(&|e| e.name == "rect" && e.has_class("metric"));
    assert_eq!(bars.len(), 3 * k);
    for b in &bars {
        let c: usize = b.attr("data-class").unwrap().parse().unwrap();
        let metric = match b.attr("data-metric").unwrap() {
            "F1" => "f1",
            m => m,
        };
        let want = j["per_class"][labels[c].as_str().unwrap()][metric]
            .as_f64()
            .unwrap();
        let got: f64 = b.attr("data-value").unwrap().parse().unwrap();
        assert!((got - want).abs() < 1e-6, "{metric} {c}: {got} vs {want}");
    }
    let acc = doc.find_all(&|e| e.attr("id") == Some("accuracy"))[0].text();
    assert!(acc.starts_with(&format!("{:.4}", j["accuracy"].as_f64().unwrap())));

    // Reliability bins hold every row once.
    let rows: u64 = matrix
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    let bins = doc.find_all(&|e| e.name == "circle" && e.has_class("bin"));
    let binned: u64 = bins
        .iter()
        .map(|b| b.attr("data-count").unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(binned, rows);

    // Mistakes: wrong rows only, most confident first.
    let table = doc.find_all(&|e| e.attr("id") == Some("mistakes"))[0];
    let trs = table.find_all(&|e| e.name == "tr");
    let wrong: u64 = rows - (0..k).map(|i| matrix[i][i].as_u64().unwrap()).sum::<u64>();
    assert_eq!(trs.len() as u64 - 1, wrong.min(25));
    let mut last = f64::INFINITY;
    for tr in &trs[1..] {
        let cells: Vec<String> = tr.elements().map(|c| c.text()).collect();
        assert_ne!(cells[2], cells[3], "a mistake has two different labels");
        let conf: f64 = cells[4].parse().unwrap();
        assert!(conf <= last);
        last = conf;
    }

    // Refuses to overwrite, before doing the work.
    let o = run(&["evaluate", "--data", &data, "--html", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_pages_long_inputs_from_the_start() {
    let dir = tmpdir("pages");
    let input = dir.join("many.jsonl");
    let lines: Vec<String> = (0..25)
        .map(|i| {
            serde_json::json!({
                "id": format!("a{i}"),
                "text": format!("\"We will meet again on day {i},\" said Ida Brandt."),
            })
            .to_string()
        })
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let o = run(&["report", input.to_str().unwrap(), "-o", "-"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = html::parse(&String::from_utf8(o.stdout).unwrap()).unwrap();
    let arts = doc.find_all(&|e| e.name == "article");
    assert_eq!(arts.len(), 25);
    // One page is laid out before the script runs; the rest wait hidden.
    let hidden: Vec<bool> = arts.iter().map(|a| a.attr("hidden").is_some()).collect();
    assert_eq!(hidden, (0..25).map(|i| i >= 20).collect::<Vec<_>>());
    let open = arts
        .iter()
        .filter(|a| {
            a.find_all(&|e| e.name == "details")[0]
                .attr("open")
                .is_some()
        })
        .count();
    assert_eq!(open, 3);
    let section = doc.find_all(&|e| e.attr("id") == Some("articles"))[0];
    assert_eq!(section.attr("data-page-size"), Some("20"));
    let _ = std::fs::remove_dir_all(&dir);
}
