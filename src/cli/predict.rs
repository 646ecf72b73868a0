//! `stance predict`: label texts from arguments or stdin, streaming.

use std::io::Write;

use anyhow::Result;
use clap::Args as ClapArgs;
use rayon::prelude::*;
use stance::data::LineReader;
use stance::pipeline::Prediction;

use super::common::{csv_field, ellipsize, stdout, Format, ModelChoice};

/// Lines predicted together: large enough to keep both cores busy, small enough that
/// memory stays flat on endless input.
const BATCH: usize = 8192;
/// A batch also ends at this many bytes of text, so long lines keep memory flat too.
const BATCH_BYTES: usize = 4 << 20;

/// Predict labels.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance predict --model mr.model \"a gripping, beautifully made film\"\n  cat texts.txt | stance predict --model mr.model --format jsonl"
)]
pub struct Args {
    #[command(flatten)]
    model: ModelChoice,
    /// Output format: table, jsonl or csv.
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
    let p = a.model.load()?;
    let mut out = stdout();
    let w = Writer {
        format: a.format,
        labels: p.labels().to_vec(),
    };
    w.header(&mut out)?;
    if !a.texts.is_empty() {
        let preds = p.predict(&a.texts);
        let mut buf = Vec::new();
        w.rows(&mut buf, &a.texts, &preds)?;
        out.write_all(&buf)?;
    } else {
        // A reader thread fills the next batch while this one is labelled and formatted in
        // parallel, so reading and writing overlap the work instead of adding to it.
        let mut r = LineReader::open(&a.input, a.lossy)?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<stance::Result<Vec<String>>>(2);
        let reader = std::thread::spawn(move || {
            loop {
                let mut batch: Vec<String> = Vec::with_capacity(BATCH);
                let mut bytes = 0;
                let mut end = false;
                while batch.len() < BATCH && bytes < BATCH_BYTES {
                    match r.next_line() {
                        Ok(Some(l)) => {
                            bytes += l.len();
                            batch.push(l);
                        }
                        Ok(None) => {
                            end = true;
                            break;
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return r.replaced;
                        }
                    }
                }
                // The receiver is gone only when writing failed; that error is reported.
                if (!batch.is_empty() && tx.send(Ok(batch)).is_err()) || end {
                    return r.replaced;
                }
            }
        });
        for batch in rx {
            let batch = batch?;
            let chunks: Vec<std::io::Result<Vec<u8>>> = batch
                .par_chunks(256)
                .map(|texts| {
                    let preds: Vec<Prediction> = texts.iter().map(|t| p.predict_one(t)).collect();
                    let mut buf = Vec::with_capacity(texts.iter().map(|t| t.len() + 64).sum());
                    w.rows(&mut buf, texts, &preds)?;
                    Ok(buf)
                })
                .collect();
            for c in chunks {
                out.write_all(&c?)?;
            }
        }
        let replaced = reader.join().unwrap_or(0);
        if replaced > 0 {
            eprintln!("warning: replaced invalid UTF-8 in {replaced} line(s)");
        }
    }
    out.flush()?;
    Ok(())
}

struct Writer {
    format: Format,
    labels: Vec<String>,
}

impl Writer {
    /// Labels with their probabilities, sorted by label as in a JSON object's keys.
    fn sorted_labels<'a>(
        &'a self,
        probs: &'a [f32],
    ) -> impl Iterator<Item = (&'a String, &'a f32)> {
        let mut pairs: Vec<(&String, &f32)> = self.labels.iter().zip(probs).collect();
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        pairs.into_iter()
    }

    fn header(&self, out: &mut impl Write) -> std::io::Result<()> {
        {
            match self.format {
                Format::Csv => {
                    let probs: Vec<String> = self
                        .labels
                        .iter()
                        .map(|l| csv_field(&format!("p_{l}")))
                        .collect();
                    writeln!(out, "text,label,confidence,{}", probs.join(","))?;
                }
                Format::Table => writeln!(out, "{:<14}  {:>10}  text", "label", "confidence")?,
                _ => {}
            }
        }
        Ok(())
    }

    fn rows(
        &self,
        out: &mut impl Write,
        texts: &[String],
        preds: &[Prediction],
    ) -> std::io::Result<()> {
        for (t, p) in texts.iter().zip(preds) {
            let label = &self.labels[p.label];
            let conf = p.probabilities[p.label];
            match self.format {
                Format::Jsonl | Format::Json => {
                    // Written field by field (keys in the order serde_json's map gives):
                    // building a JSON value per line cost more than predicting it.
                    out.write_all(b"{\"confidence\":")?;
                    serde_json::to_writer(&mut *out, &round(conf))?;
                    out.write_all(b",\"label\":")?;
                    serde_json::to_writer(&mut *out, label)?;
                    out.write_all(b",\"probabilities\":{")?;
                    for (i, (l, &v)) in self.sorted_labels(&p.probabilities).enumerate() {
                        if i > 0 {
                            out.write_all(b",")?;
                        }
                        serde_json::to_writer(&mut *out, l)?;
                        out.write_all(b":")?;
                        serde_json::to_writer(&mut *out, &round(v))?;
                    }
                    out.write_all(b"},\"text\":")?;
                    serde_json::to_writer(&mut *out, t)?;
                    out.write_all(b"}\n")?;
                }
                Format::Csv => {
                    let probs: Vec<String> = p
                        .probabilities
                        .iter()
                        .map(|v| format!("{:.6}", v))
                        .collect();
                    writeln!(
                        out,
                        "{},{},{:.6},{}",
                        csv_field(t),
                        csv_field(label),
                        conf,
                        probs.join(",")
                    )?;
                }
                Format::Table => {
                    writeln!(
                        out,
                        "{:<14}  {:>10.4}  {}",
                        ellipsize(label, 14),
                        conf,
                        ellipsize(t, 100)
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// Six decimals are plenty and keep JSONL lines short.
fn round(v: f32) -> f64 {
    (v as f64 * 1e6).round() / 1e6
}
