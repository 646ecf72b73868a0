//! `stance predict`: label texts from arguments or stdin, streaming.

use std::io::Write;

use anyhow::Result;
use clap::Args as ClapArgs;
use rayon::prelude::*;
use stance::features::TermHashes;
use stance::input::lines::LineReader;
use stance::pipeline::Prediction;

use super::common::{csv_io, csv_writer, ellipsize, stdout, write_csv_row, Format, ModelChoice};

/// Lines predicted together: large enough to keep both cores busy, small enough that
/// memory stays flat on endless input.
const BATCH: usize = 8192;
/// A batch also ends at this many bytes of text, so long lines keep memory flat too.
const BATCH_BYTES: usize = 4 << 20;
/// Lines labelled and written per parallel task.
const CHUNK: usize = 256;

/// Predict labels.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance predict --model mr.model \"a gripping, beautifully made film\"\n  cat texts.txt | stance predict --model mr.model --format jsonl"
)]
pub struct Args {
    #[command(flatten)]
    model: ModelChoice,
    /// Output format: table, jsonl (one object per line), csv or json (one array).
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Read texts one per line from this file (`-` is stdin) when no TEXT is given.
    #[arg(long, default_value = "-", value_name = "FILE")]
    input: String,
    /// Replace invalid UTF-8 in the input with U+FFFD instead of failing.
    #[arg(long)]
    lossy: bool,
    /// Texts to label; without any, lines are read from --input.
    #[arg(value_name = "TEXT")]
    texts: Vec<String>,
}

pub fn run(a: Args) -> Result<()> {
    // Lines from stdin or --input: a reader thread starts at once, so the first batch is
    // read while the model loads, and later ones while the previous is labelled.
    let lines = if a.texts.is_empty() {
        Some(spawn_reader(LineReader::open(&a.input, a.lossy)?))
    } else {
        None
    };
    // While the model loads, the first batch's terms are hashed with the settings in the
    // model's header (loading leaves a core mostly idle). Only while it loads: input that
    // has not come by then (a terminal, a slow pipe) is not waited for here, so a model
    // that fails to load is reported at once.
    let model = &a.model;
    let loaded = &std::sync::atomic::AtomicBool::new(false);
    let (p, lines) = match lines {
        Some((rx, reader)) => {
            let (p, first) = rayon::join(
                || {
                    let p = model.load();
                    loaded.store(true, std::sync::atomic::Ordering::Release);
                    p
                },
                move || {
                    let first = loop {
                        match rx.recv_timeout(std::time::Duration::from_millis(1)) {
                            Ok(batch) => break Some(batch),
                            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                                if !loaded.load(std::sync::atomic::Ordering::Acquire) => {}
                            Err(_) => break None,
                        }
                    };
                    let hashed = match (&first, model.peek_header()) {
                        (Some(Ok(batch)), Ok(h)) => {
                            Some(TermHashes::new(&h.features, &batch.lines()))
                        }
                        _ => None,
                    };
                    (rx, first, hashed)
                },
            );
            let (rx, first, hashed) = first;
            (p, Some((rx, reader, first, hashed)))
        }
        None => (model.load(), None),
    };
    let p = p?;
    let mut out = stdout();
    let w = Writer::new(a.format, p.labels())?;
    w.header(&mut out)?;
    if let Some((rx, reader, first, mut hashed)) = lines {
        // Each batch's output is written while the next batch is labelled: written after
        // it, the other core sat idle for a tenth of the run (22 MB of JSONL to a file).
        let mut pending: Vec<std::io::Result<Vec<u8>>> = Vec::new();
        for (b, batch) in first.into_iter().chain(rx).enumerate() {
            let batch = batch?;
            let texts = batch.lines();
            let ahead = hashed.take().and_then(|h| p.predict_hashed(&h));
            let previous = std::mem::take(&mut pending);
            let mut chunks = Vec::new();
            let mut written = Ok(());
            // The labelling goes to the pool; this thread (not one of the pool's, and the
            // only one that may hold the stdout lock) writes meanwhile.
            rayon::in_place_scope(|s| {
                s.spawn(|_| {
                    chunks = texts
                        .par_chunks(CHUNK)
                        .enumerate()
                        .map(|(i, texts)| {
                            let labelled;
                            let preds: &[Prediction] = match &ahead {
                                Some(all) => &all[i * CHUNK..i * CHUNK + texts.len()],
                                None => {
                                    labelled = p.predict_serial(texts);
                                    &labelled
                                }
                            };
                            let mut buf =
                                Vec::with_capacity(texts.iter().map(|t| t.len() + 64).sum());
                            w.rows(&mut buf, texts, preds, b == 0 && i == 0)?;
                            Ok(buf)
                        })
                        .collect::<Vec<std::io::Result<Vec<u8>>>>();
                });
                written = previous.into_iter().try_for_each(|c| out.write_all(&c?));
            });
            written?;
            pending = chunks;
        }
        for c in pending {
            out.write_all(&c?)?;
        }
        let replaced = reader.join().unwrap_or(0);
        if replaced > 0 {
            eprintln!("warning: replaced invalid UTF-8 in {replaced} line(s)");
        }
    } else {
        let preds = p.predict(&a.texts);
        let mut buf = Vec::new();
        w.rows(&mut buf, &a.texts, &preds, true)?;
        out.write_all(&buf)?;
    }
    w.footer(&mut out)?;
    out.flush()?;
    Ok(())
}

type Batches = std::sync::mpsc::Receiver<stance::Result<Batch>>;

/// Read batches of lines on a thread of their own; it returns how many lines had invalid
/// UTF-8 replaced. At most two batches wait, so memory stays flat on endless input.
fn spawn_reader(mut r: LineReader) -> (Batches, std::thread::JoinHandle<u64>) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<stance::Result<Batch>>(2);
    let reader = std::thread::spawn(move || loop {
        let mut batch = Batch::default();
        let mut end = false;
        while batch.ends.len() < BATCH && batch.text.len() < BATCH_BYTES {
            match r.next_line_into(&mut batch.text) {
                Ok(true) => batch.ends.push(batch.text.len()),
                Ok(false) => {
                    end = true;
                    break;
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return r.replaced;
                }
            }
        }
        // The receiver is gone only when writing failed (or the model did not load);
        // that error is reported.
        if (!batch.ends.is_empty() && tx.send(Ok(batch)).is_err()) || end {
            return r.replaced;
        }
    });
    (rx, reader)
}

/// Lines read together: their text end to end in one allocation, and where each ends.
#[derive(Default)]
struct Batch {
    text: String,
    ends: Vec<usize>,
}

impl Batch {
    fn lines(&self) -> Vec<&str> {
        let mut from = 0;
        self.ends
            .iter()
            .map(|&to| {
                let line = &self.text[from..to];
                from = to;
                line
            })
            .collect()
    }
}

struct Writer {
    format: Format,
    labels: Vec<String>,
    /// Label indices in label order, as a JSON object's keys are sorted.
    by_name: Vec<usize>,
    /// Each label as a JSON string, quoted and escaped once.
    json_labels: Vec<Vec<u8>>,
}

impl Writer {
    fn new(format: Format, labels: &[String]) -> std::io::Result<Writer> {
        let mut by_name: Vec<usize> = (0..labels.len()).collect();
        by_name.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
        let json_labels = labels
            .iter()
            .map(|l| {
                let mut b = Vec::new();
                write_json_string(&mut b, l).map(|()| b)
            })
            .collect::<std::io::Result<_>>()?;
        Ok(Writer {
            format,
            labels: labels.to_vec(),
            by_name,
            json_labels,
        })
    }

    fn header(&self, out: &mut impl Write) -> std::io::Result<()> {
        {
            match self.format {
                Format::Csv => {
                    let probs = self.labels.iter().map(|l| format!("p_{l}"));
                    let heads = ["text".to_string(), "label".into(), "confidence".into()];
                    write_csv_row(out, heads.into_iter().chain(probs))?;
                }
                Format::Table => writeln!(out, "{:<14}  {:>10}  text", "label", "confidence")?,
                Format::Json => out.write_all(b"[")?,
                Format::Jsonl => {}
            }
        }
        Ok(())
    }

    /// The end of the JSON array.
    fn footer(&self, out: &mut impl Write) -> std::io::Result<()> {
        if self.format == Format::Json {
            out.write_all(b"\n]\n")?;
        }
        Ok(())
    }

    /// The rows of `texts` labelled `preds`; `first` when they are the first of all.
    fn rows<S: AsRef<str>>(
        &self,
        out: &mut impl Write,
        texts: &[S],
        preds: &[Prediction],
        first: bool,
    ) -> std::io::Result<()> {
        match self.format {
            Format::Jsonl | Format::Json => self.json_rows(out, texts, preds, first),
            Format::Csv => self.csv_rows(out, texts, preds),
            Format::Table => {
                for (t, p) in texts.iter().zip(preds) {
                    writeln!(
                        out,
                        "{:<14}  {:>10.4}  {}",
                        ellipsize(&self.labels[p.label], 14),
                        p.probabilities[p.label],
                        ellipsize(t.as_ref(), 100)
                    )?;
                }
                Ok(())
            }
        }
    }

    /// Rows as JSON: one array, `[` in the header, each row on a line of its own after a
    /// comma (the first row of all after none); or one object per line.
    fn json_rows<S: AsRef<str>>(
        &self,
        out: &mut impl Write,
        texts: &[S],
        preds: &[Prediction],
        first: bool,
    ) -> std::io::Result<()> {
        for (n, (t, p)) in texts.iter().zip(preds).enumerate() {
            if self.format == Format::Json {
                out.write_all(if first && n == 0 { b"\n" } else { b",\n" })?;
            }
            // Written field by field (keys in the order serde_json's map gives):
            // building a JSON value per line cost more than predicting it.
            out.write_all(b"{\"confidence\":")?;
            write_probability(out, p.probabilities[p.label])?;
            out.write_all(b",\"label\":")?;
            out.write_all(&self.json_labels[p.label])?;
            out.write_all(b",\"probabilities\":{")?;
            for (n, &i) in self.by_name.iter().enumerate() {
                if n > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(&self.json_labels[i])?;
                out.write_all(b":")?;
                write_probability(out, p.probabilities[i])?;
            }
            out.write_all(b"},\"text\":")?;
            write_json_string(out, t.as_ref())?;
            out.write_all(if self.format == Format::Json {
                b"}"
            } else {
                b"}\n"
            })?;
        }
        Ok(())
    }

    /// Rows as CSV: one writer for the lot, the numbers formatted into one reused buffer.
    fn csv_rows<S: AsRef<str>>(
        &self,
        out: &mut impl Write,
        texts: &[S],
        preds: &[Prediction],
    ) -> std::io::Result<()> {
        use std::fmt::Write as _;
        let mut w = csv_writer(out);
        let mut num = String::new();
        let mut number = |w: &mut csv::Writer<_>, v: f32| {
            num.clear();
            // Writing to a String cannot fail.
            let _ = write!(num, "{v:.6}");
            w.write_field(&num).map_err(csv_io)
        };
        for (t, p) in texts.iter().zip(preds) {
            w.write_field(t.as_ref()).map_err(csv_io)?;
            w.write_field(&self.labels[p.label]).map_err(csv_io)?;
            number(&mut w, p.probabilities[p.label])?;
            for &v in &p.probabilities {
                number(&mut w, v)?;
            }
            w.write_record(None::<&[u8]>).map_err(csv_io)?;
        }
        w.flush()
    }
}

/// Write `s` as a JSON string. Most texts need no escaping: a branch-free scan (which
/// vectorises) finds that out, and they are then copied as they are.
fn write_json_string(out: &mut impl Write, s: &str) -> std::io::Result<()> {
    let plain = s
        .bytes()
        .fold(true, |ok, b| ok & (b >= 0x20 && b != b'"' && b != b'\\'));
    if plain {
        out.write_all(b"\"")?;
        out.write_all(s.as_bytes())?;
        out.write_all(b"\"")
    } else {
        serde_json::to_writer(&mut *out, s).map_err(std::io::Error::other)
    }
}

/// Write a probability with six decimals, trailing zeros dropped (`0.994573`, `0.5`,
/// `1.0`): plenty for a probability, short lines, and written without going through a
/// general float formatter, which cost as much as labelling the text.
fn write_probability(out: &mut impl Write, v: f32) -> std::io::Result<()> {
    let v = v as f64;
    if !(0.0..=1.0).contains(&v) {
        // Not a probability (cannot happen after softmax); any valid JSON number will do.
        return serde_json::to_writer(&mut *out, &v).map_err(std::io::Error::other);
    }
    let micros = (v * 1e6).round() as u32;
    if micros == 1_000_000 {
        return out.write_all(b"1.0");
    }
    let mut digits = *b"0.000000";
    let mut m = micros;
    for d in digits[2..].iter_mut().rev() {
        *d = b'0' + (m % 10) as u8;
        m /= 10;
    }
    // Keep at least one decimal, as `0.0`.
    let mut len = digits.len();
    while len > 3 && digits[len - 1] == b'0' {
        len -= 1;
    }
    out.write_all(&digits[..len])
}

#[cfg(test)]
mod tests {
    use super::write_probability;

    fn written(v: f32) -> String {
        let mut out = Vec::new();
        write_probability(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_strings_equal_serde_json_with_and_without_escapes() {
        for s in [
            "plain text",
            "",
            "say \"no\"",
            "back\\slash",
            "tab\there",
            "nul\u{0}",
            "é ✓ 🙂",
            "\u{7f}",
        ] {
            let mut out = Vec::new();
            super::write_json_string(&mut out, s).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn probabilities_are_written_with_six_decimals_at_most() {
        for (v, want) in [
            (0.0, "0.0"),
            (1.0, "1.0"),
            (0.5, "0.5"),
            (0.994573, "0.994573"),
            (0.1234567, "0.123457"),
            (0.000004, "0.000004"),
            (0.0000004, "0.0"),
            (0.9999996, "1.0"),
            (0.25, "0.25"),
        ] {
            assert_eq!(written(v), want, "{v}");
            let parsed: f64 = serde_json::from_str(want).unwrap();
            assert!((parsed - v as f64).abs() <= 5e-7, "{v} -> {want}");
        }
    }
}
