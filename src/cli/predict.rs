//! `stance predict`: label texts from arguments or stdin, streaming.

use std::io::Write;

use anyhow::Result;
use clap::Args as ClapArgs;
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
    let mut w = Writer {
        format: a.format,
        labels: p.labels().to_vec(),
        header_done: false,
    };
    if !a.texts.is_empty() {
        let preds = p.predict(&a.texts);
        w.write(&mut out, &a.texts, &preds)?;
    } else {
        let mut r = LineReader::open(&a.input, a.lossy)?;
        let mut batch: Vec<String> = Vec::with_capacity(BATCH);
        loop {
            batch.clear();
            let mut bytes = 0;
            let mut end = false;
            while batch.len() < BATCH && bytes < BATCH_BYTES {
                match r.next_line()? {
                    Some(l) => {
                        bytes += l.len();
                        batch.push(l);
                    }
                    None => {
                        end = true;
                        break;
                    }
                }
            }
            let preds = p.predict(&batch);
            w.write(&mut out, &batch, &preds)?;
            if end {
                break;
            }
        }
        if r.replaced > 0 {
            eprintln!("warning: replaced invalid UTF-8 in {} line(s)", r.replaced);
        }
    }
    out.flush()?;
    Ok(())
}

struct Writer {
    format: Format,
    labels: Vec<String>,
    header_done: bool,
}

impl Writer {
    fn write(
        &mut self,
        out: &mut impl Write,
        texts: &[String],
        preds: &[Prediction],
    ) -> std::io::Result<()> {
        if !self.header_done {
            self.header_done = true;
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
        for (t, p) in texts.iter().zip(preds) {
            let label = &self.labels[p.label];
            let conf = p.probabilities[p.label];
            match self.format {
                Format::Jsonl | Format::Json => {
                    let probs: serde_json::Map<String, serde_json::Value> = self
                        .labels
                        .iter()
                        .zip(&p.probabilities)
                        .map(|(l, &v)| (l.clone(), serde_json::json!(round(v))))
                        .collect();
                    let o = serde_json::json!({
                        "text": t, "label": label, "confidence": round(conf), "probabilities": probs,
                    });
                    writeln!(out, "{o}")?;
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
