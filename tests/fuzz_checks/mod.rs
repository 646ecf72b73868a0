//! One entry point per fuzz target: raw bytes in, a panic only when an invariant breaks.
//!
//! The fuzz targets in `fuzz/fuzz_targets/` call these, and `tests/fuzz_regressions.rs`
//! replays every saved input in `tests/fuzz-regressions/<target>/` through the same
//! function, so a fixed crash stays fixed under a plain `cargo test`.
//!
//! To add a target: write `pub fn name(data: &[u8])` here, add it to [`TARGETS`], add a
//! three-line `fuzz/fuzz_targets/name.rs` and a `[[bin]]` entry in `fuzz/Cargo.toml`.

use std::io::Cursor;
use std::path::Path;

use linfa::ParamGuard;
use stance::features::FeatureParams;
use stance::input::labelled::{ReadOptions, MAX_TEXT_BYTES};
use stance::input::lines::LineReader;
use stance::models::{ModelKind, ModelSettings};
use stance::pipeline::format::checksum;
use stance::pipeline::{Pipeline, TrainingMeta, MAGIC};
use stance::quotes::{extract, ExtractOptions};
use stance::text::{Analyzer, AnalyzerSettings, Language};
use stance::Error;

/// A target's check: raw bytes in, a panic on a broken invariant.
pub type Check = fn(&[u8]);

/// Every target by name.
pub const TARGETS: &[(&str, Check)] = &[
    ("analyzer", analyzer),
    ("vectorizer", vectorizer),
    ("labelled", labelled),
    ("table", table),
    ("lines", lines),
    ("model", model),
    ("pipeline", pipeline),
    ("quotes", quotes),
];

/// An error a user sees: one line, naming the source, and counted as bad input.
fn user_error(e: &Error, source: &str) {
    let msg = e.to_string();
    assert!(
        !msg.contains(['\n', '\r']),
        "error message is not one line: {msg:?}"
    );
    assert!(msg.contains(source), "error does not name {source}: {msg}");
    assert!(
        e.is_bad_input(),
        "bad data reported as a runtime failure: {msg}"
    );
}

/// Analyzer settings from one byte of flags and one of language.
fn analyzer_settings(flags: u8, lang: u8) -> AnalyzerSettings {
    AnalyzerSettings {
        lowercase: flags & 1 != 0,
        contractions: flags & 2 != 0,
        numbers: flags & 4 != 0,
        negation: flags & 8 != 0,
        stop_words: flags & 16 != 0,
        stem: Language::ALL.get(lang as usize % 19).copied(),
    }
}

/// Tokens keep valid, ordered spans of the original text, whatever the settings.
pub fn analyzer(data: &[u8]) {
    let [flags, lang, rest @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let a = Analyzer::new(analyzer_settings(*flags, *lang));
    let toks = a.tokens(&text);
    let mut last = 0;
    for t in &toks {
        assert!(t.start <= t.end && t.end <= text.len(), "{t:?}");
        assert!(
            text.is_char_boundary(t.start) && text.is_char_boundary(t.end),
            "{t:?}"
        );
        assert!(t.start >= last, "tokens out of order: {t:?}");
        assert!(!t.text.is_empty(), "empty token {t:?}");
        last = t.start;
    }
    assert_eq!(a.terms(&text).len(), toks.len());
    // The memoised analysis gives the filter pipeline's tokens, terms and hashes.
    let mut fast = stance::text::Analyzed::default();
    a.analyze_into(&text, &mut fast);
    let got: Vec<(String, usize, usize)> = fast
        .words()
        .iter()
        .map(|w| {
            assert_eq!(w.hash, stance::text::word_hash(fast.term(w).as_bytes()));
            (fast.term(w).to_string(), w.start, w.end)
        })
        .collect();
    let want: Vec<(String, usize, usize)> =
        toks.iter().map(|t| (t.term(), t.start, t.end)).collect();
    assert_eq!(got, want);
    if text.is_ascii() {
        use unicode_segmentation::UnicodeSegmentation;
        let ours: Vec<(usize, &str)> = stance::text::AsciiWords::new(&text).collect();
        let theirs: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
        assert_eq!(ours, theirs);
    }
}

/// Texts, one per line; at most 64 of them.
fn docs(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .split('\n')
        .take(64)
        .map(str::to_string)
        .collect()
}

fn feature_params(b: &[u8; 4]) -> FeatureParams {
    let lo = 1 + b[1] % 3;
    let hi = lo + (b[1] / 3) % (4 - lo);
    let char_ngrams = (b[2] & 1 != 0).then(|| {
        let lo = 1 + (b[2] >> 1) % 8;
        (lo, lo + (b[2] >> 4) % (9 - lo))
    });
    FeatureParams::new()
        .analyzer(analyzer_settings(b[0], b[3]))
        .ngrams(lo, hi)
        .char_ngrams(char_ngrams)
        .min_df(1 + (b[3] >> 5) as u32 % 3)
        .sublinear_tf(b[0] & 32 != 0)
}

/// TF-IDF rows are sorted, in range, finite and unit length; a text alone gets the row it
/// gets in a batch.
pub fn vectorizer(data: &[u8]) {
    let [a, b, c, d, rest @ ..] = data else {
        return;
    };
    let params = feature_params(&[*a, *b, *c, *d])
        .check()
        .expect("valid params");
    let texts = docs(rest);
    let v = params.fit(&texts).expect("fit never fails on text");
    let n = v.vocabulary().len();
    assert_eq!(v.idf().len(), n);
    assert!(v.idf().iter().all(|x| x.is_finite() && *x >= 1.0));
    let batch = v.transform(&texts);
    for (i, t) in texts.iter().enumerate() {
        let (idx, val) = v.transform_one(t);
        assert!(idx.windows(2).all(|w| w[0] < w[1]), "unsorted row {idx:?}");
        assert!(idx.iter().all(|&j| (j as usize) < n));
        assert!(val.iter().all(|x| x.is_finite() && *x > 0.0), "{val:?}");
        let norm: f32 = val.iter().map(|x| x * x).sum();
        assert!(val.is_empty() || (norm - 1.0).abs() < 1e-3, "norm² {norm}");
        let (bi, bv) = batch.row(i);
        assert_eq!((bi, bv), (&idx[..], &val[..]));
    }
}

/// Labelled CSV or JSONL: rows in order with sane lines, or one-line errors naming the file.
pub fn labelled(data: &[u8]) {
    let [flags, rest @ ..] = data else {
        return;
    };
    let path = ["data.csv", "data.jsonl", "-"][*flags as usize % 3];
    let opts = ReadOptions {
        skip_bad_rows: flags & 4 != 0,
        lossy: flags & 8 != 0,
        filter: (flags & 16 != 0).then(|| ("split".to_string(), "train".to_string())),
        ..ReadOptions::default()
    };
    match stance::input::labelled::parse_labelled(path, rest, &opts) {
        Err(e) => user_error(&e, path),
        Ok(d) => {
            assert_eq!(d.texts.len(), d.labels.len());
            assert_eq!(d.texts.len(), d.lines.len());
            let max_line = line_ends(rest) + 1;
            assert!(d.lines.windows(2).all(|w| w[0] < w[1]), "{:?}", d.lines);
            assert!(d.lines.iter().all(|&l| l >= 1 && l <= max_line));
            for (t, l) in d.texts.iter().zip(&d.labels) {
                assert!(!t.trim().is_empty() && !l.is_empty());
                assert!(t.len() <= MAX_TEXT_BYTES && !t.contains('\0'));
                assert_eq!(l.trim(), l);
            }
            for (line, reason) in &d.skipped {
                assert!(*line <= max_line, "skipped line {line}");
                assert!(!reason.contains(['\n', '\r']), "{reason:?}");
            }
        }
    }
}

/// Line ends as csv counts them: `\n`, `\r\n` and a lone `\r`.
fn line_ends(data: &[u8]) -> u64 {
    let lone_cr = data
        .windows(2)
        .filter(|w| w[0] == b'\r' && w[1] != b'\n')
        .count()
        + usize::from(data.last() == Some(&b'\r'));
    (data.iter().filter(|&&b| b == b'\n').count() + lone_cr) as u64
}

/// Any CSV for `data check`: rows in order, or one-line errors naming the file.
pub fn table(data: &[u8]) {
    let [flags, rest @ ..] = data else {
        return;
    };
    match stance::input::labelled::parse_table("t.csv", rest, flags & 1 != 0) {
        Err(e) => user_error(&e, "t.csv"),
        Ok(t) => {
            let lines: Vec<u64> = t.rows.iter().map(|r| r.0).collect();
            assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
            assert!(lines.iter().all(|&l| l >= 1 && l <= line_ends(rest) + 1));
            // `data check` on it: every line it reports is a row's line.
            let cols = t.headers.len();
            let rules = stance::labelling::checks::CheckRules {
                max_words: 8,
                jaccard: 0.5,
                min_label_share: 0.2,
            };
            let split = (cols > 2).then_some(2);
            let r = stance::labelling::checks::check(&t, 0, &[1.min(cols - 1)], split, &[], &rules);
            assert_eq!(r.rows, t.rows.len());
            let reported = r.empty.iter().chain(&r.too_long).chain(&r.empty_labels);
            for l in reported.chain(&r.shared_between_splits) {
                assert!(lines.binary_search(l).is_ok(), "line {l} is not a row");
            }
            for p in &r.near_duplicates {
                assert!(p.line_a < p.line_b && lines.binary_search(&p.line_b).is_ok());
            }
        }
    }
}

/// `predict` input: each line exactly as in the input (without its CRLF or the BOM), or
/// an error whose byte offset points at the problem.
pub fn lines(data: &[u8]) {
    let [flags, rest @ ..] = data else {
        return;
    };
    let lossy = flags & 1 != 0;
    let max_line = if flags & 2 != 0 { 16 } else { MAX_TEXT_BYTES };
    let mut r = LineReader::from_reader("in.txt", Box::new(Cursor::new(rest.to_vec())), lossy)
        .max_line(max_line);
    let body = rest.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(rest);
    let mut want = body
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let mut n = 0;
    loop {
        match r.next_line() {
            Ok(None) => break,
            Ok(Some(line)) => {
                n += 1;
                let raw = want.next().expect("more lines than the input has");
                assert!(line.len() <= max_line || lossy, "line over the limit");
                if !lossy {
                    assert_eq!(line.as_bytes(), raw, "line {n} changed");
                }
            }
            Err(e) => {
                user_error(&e, "in.txt");
                if let Error::InvalidUtf8 { offset, .. } = e {
                    let at = &rest[offset as usize..];
                    let bad = std::str::from_utf8(at).err().map(|e| e.valid_up_to());
                    assert_eq!(bad, Some(0), "offset {offset} is not at the bad byte");
                }
                return;
            }
        }
    }
    assert!(want.all(|l| l.is_empty()), "lines lost after line {n}");
}

/// Model bytes, as they are and with a valid checksum appended (so the parser behind the
/// checksum is reached): refused with one line, or a model that predicts and round-trips.
pub fn model(data: &[u8]) {
    model_bytes(data);
    let mut fixed = Vec::with_capacity(data.len() + 64);
    if !data.starts_with(MAGIC) {
        fixed.extend_from_slice(MAGIC);
        fixed.extend_from_slice(&1u32.to_le_bytes());
    }
    fixed.extend_from_slice(data);
    // The checksum of the version the bytes claim.
    let version = fixed
        .get(MAGIC.len()..MAGIC.len() + 4)
        .map_or(0, |v| u32::from_le_bytes([v[0], v[1], v[2], v[3]]));
    let sum = checksum(version, &fixed);
    fixed.extend_from_slice(&sum);
    model_bytes(&fixed);
}

fn model_bytes(bytes: &[u8]) {
    match Pipeline::from_bytes(bytes, Path::new("fuzz.model")) {
        Err(e) => user_error(&e, "fuzz.model"),
        Ok(p) => predicts_and_round_trips(&p, &["we will strike back", "", "talks, not war 😊"]),
    }
}

/// Probabilities are finite, in label order and sum to 1; saving and loading again gives
/// the same bytes and the same predictions.
fn predicts_and_round_trips(p: &Pipeline, texts: &[&str]) {
    let k = p.labels().len();
    let preds = p.predict(texts);
    for pr in &preds {
        assert_eq!(pr.probabilities.len(), k);
        assert!(pr.label < k);
        assert!(
            pr.probabilities.iter().all(|x| x.is_finite() && *x >= 0.0),
            "{pr:?}"
        );
        let sum: f32 = pr.probabilities.iter().sum();
        assert!(
            (sum - 1.0).abs() < 1e-4,
            "probabilities sum to {sum}: {pr:?}"
        );
    }
    let bytes = p.to_bytes().expect("serialise");
    let again = Pipeline::from_bytes(&bytes, Path::new("again.model")).expect("reload");
    assert_eq!(again.to_bytes().expect("serialise"), bytes);
    assert_eq!(again.predict(texts), preds);
}

/// Training on any texts: a one-line refusal, or a model that predicts and round-trips.
pub fn pipeline(data: &[u8]) {
    let [a, b, c, d, kind, rest @ ..] = data else {
        return;
    };
    let features = feature_params(&[*a, *b, *c, *d])
        .check()
        .expect("valid params");
    let kind = ModelKind::ALL[*kind as usize % ModelKind::ALL.len()];
    let settings = ModelSettings {
        // Few iterations: the point is what the data does, not convergence.
        max_iter: 20,
        ..ModelSettings::for_kind(kind)
    };
    let texts = docs(rest);
    let labels: Vec<String> = texts.iter().map(|t| format!("l{}", t.len() % 3)).collect();
    match Pipeline::fit(
        &texts,
        &labels,
        &features,
        &settings,
        TrainingMeta::default(),
    ) {
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains(['\n', '\r']), "{msg:?}");
        }
        Ok(p) => {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            predicts_and_round_trips(&p, &refs);
        }
    }
}

/// Paragraphs as the extractor defines them (non-blank lines, trimmed), as char ranges;
/// written apart from it so the check does not share its mistakes.
pub fn paragraphs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..=chars.len() {
        let brk = chars
            .get(i)
            .is_none_or(|c| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'));
        if brk {
            let line = &chars[start..i];
            let lead = line.iter().take_while(|c| c.is_whitespace()).count();
            let trail = line.iter().rev().take_while(|c| c.is_whitespace()).count();
            if lead < line.len() {
                out.push((start + lead, i - trail));
            }
            start = i + 1;
        }
    }
    out
}

/// Quote extraction on any text: offsets index the text (as chars, and as bytes on char
/// boundaries) and give the quote; every quote lies inside the paragraph it opens in; quotes
/// come in order, within the length limit.
pub fn quotes(data: &[u8]) {
    let [flags, rest @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let opts = ExtractOptions {
        keep_scare_quotes: flags & 1 != 0,
        max_quote_chars: if flags & 2 != 0 { 20 } else { 5_000 },
    };
    let found = extract(&text, &opts);
    let chars: Vec<char> = text.chars().collect();
    let bytes_at: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .collect();
    let paras = paragraphs(&chars);
    let mut last = (0, 0);
    for q in &found {
        assert!(q.start < q.end && q.end <= chars.len(), "{q:?}");
        assert_eq!(chars[q.start..q.end].iter().collect::<String>(), q.text);
        let (bs, be) = (bytes_at[q.start], bytes_at[q.end]);
        assert!(text.is_char_boundary(bs) && text.is_char_boundary(be));
        assert_eq!(&text[bs..be], q.text);
        assert!(q.end - q.start <= opts.max_quote_chars, "{q:?}");
        let (ps, pe) = *paras.get(q.paragraph).expect("paragraph index in range");
        assert!(
            ps <= q.start && q.end <= pe,
            "quote {q:?} leaves its paragraph {ps}..{pe}"
        );
        assert!((q.paragraph, q.start) >= last, "quotes out of order");
        last = (q.paragraph, q.start);
    }
}
