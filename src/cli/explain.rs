//! `stance explain`: which n-grams moved a decision, or a model's strongest features.

use std::io::Write;

use anyhow::Result;
use clap::Args as ClapArgs;
use stance::evaluate::explain::{explain, top_features, ClassFeatures, Explanation};

use super::common::{ellipsize, stdout, ModelChoice, ReportFormat, UsageError};

/// Explain a decision or a model.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Contributions are exact: a model's score for class c is bias_c + Σ x_j·W[j,c] \
over the text's n-grams j (x_j its TF-IDF value), and its probabilities are softmax(score / T). \
Each contribution is shown relative to the mean over classes, x_j·(W[j,c] − mean_c' W[j,c']): \
positive pushes towards c. The relative bias plus all contributions give the relative scores. \
N-grams are shown as the model stores them: stemmed, NEG_ inside a negation scope, c: in front \
of character n-grams; `words` is the text they came from.\n\n\
Without TEXT, the --top features of each class: the largest W[j,c] − mean_c' W[j,c'].\n\n\
Example:\n  stance explain \"If they cross this line, we will respond with force\"\n  \
stance explain --model mr.model --format json \"a gripping, beautifully made film\"\n  \
stance explain --model mr.model --top 20"
)]
pub struct Args {
    #[command(flatten)]
    model: ModelChoice,
    /// How many n-grams to show (per class without TEXT).
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Output format: table or json.
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
    /// The text to explain; without it, the model's strongest features per class.
    #[arg(value_name = "TEXT")]
    text: Option<String>,
}

pub fn run(a: Args) -> Result<()> {
    if a.top == 0 {
        return Err(UsageError("--top 0: need at least 1".into()).into());
    }
    let p = a.model.load()?;
    let mut out = stdout();
    match &a.text {
        Some(text) => {
            let mut e = explain(&p, text);
            if a.format == ReportFormat::Json {
                e.terms.truncate(a.top);
                serde_json::to_writer_pretty(&mut out, &explanation_json(text, &e))?;
                writeln!(out)?;
            } else {
                write_explanation(&mut out, text, &e, a.top)?;
            }
        }
        None => {
            let f = top_features(&p, a.top);
            if a.format == ReportFormat::Json {
                serde_json::to_writer_pretty(&mut out, &f)?;
                writeln!(out)?;
            } else {
                write_features(&mut out, &f)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn per_class(labels: &[String], v: &[f32]) -> serde_json::Value {
    labels
        .iter()
        .zip(v)
        .map(|(l, x)| (l.clone(), serde_json::json!(x)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn explanation_json(text: &str, e: &Explanation) -> serde_json::Value {
    let terms: Vec<serde_json::Value> = e
        .terms
        .iter()
        .map(|t| {
            serde_json::json!({
                "ngram": t.term,
                "words": t.words,
                "tfidf": t.value,
                "contribution": per_class(&e.labels, &t.contributions),
            })
        })
        .collect();
    serde_json::json!({
        "text": text,
        "label": e.labels[e.label],
        "probabilities": per_class(&e.labels, &e.probabilities),
        "temperature": e.temperature,
        "prior_shift": (!e.prior_shift.is_empty()).then(|| per_class(&e.labels, &e.prior_shift)),
        "relative_to": "mean over classes",
        "bias": per_class(&e.labels, &e.bias),
        "scores": per_class(&e.labels, &e.scores),
        "ngrams": terms,
    })
}

fn write_explanation(
    out: &mut impl Write,
    text: &str,
    e: &Explanation,
    top: usize,
) -> std::io::Result<()> {
    // `label value, label value`, one value per label.
    let by_label = |values: &[f32], fmt: fn(f32) -> String| -> String {
        let parts: Vec<String> = e
            .labels
            .iter()
            .zip(values)
            .map(|(l, &v)| format!("{l} {}", fmt(v)))
            .collect();
        parts.join(", ")
    };
    writeln!(out, "text        {}", ellipsize(text, 100))?;
    writeln!(
        out,
        "prediction  {} ({})",
        e.labels[e.label],
        by_label(&e.probabilities, |p| format!("{p:.4}"))
    )?;
    let shift = if e.prior_shift.is_empty() {
        String::new()
    } else {
        format!(
            " plus the prior's log ratio: {}",
            by_label(&e.prior_shift, |d| format!("{d:+.3}"))
        )
    };
    writeln!(
        out,
        "contributions x·W relative to the mean over classes (score units; probabilities use score / {}{shift}), strongest for {} first",
        e.temperature, e.labels[e.label]
    )?;
    writeln!(out)?;
    let shown = &e.terms[..top.min(e.terms.len())];
    let tw = shown
        .iter()
        .map(|t| t.term.chars().count().min(28))
        .max()
        .unwrap_or(0)
        .max(20);
    let words: Vec<String> = shown
        .iter()
        .map(|t| ellipsize(&t.words.join(" / "), 28))
        .collect();
    let ww = words
        .iter()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let cw: Vec<usize> = e
        .labels
        .iter()
        .map(|l| l.chars().count().clamp(7, 14))
        .collect();
    write!(out, "{:tw$}  {:ww$}  {:>6}", "n-gram", "words", "tf-idf")?;
    for (l, w) in e.labels.iter().zip(&cw) {
        write!(out, "  {:>w$}", ellipsize(l, *w))?;
    }
    writeln!(out)?;
    let row = |out: &mut dyn Write, name: &str, words: &str, value: &str, v: &[f32]| {
        write!(
            out,
            "{:tw$}  {:ww$}  {:>6}",
            ellipsize(name, 28),
            words,
            value
        )?;
        for (x, w) in v.iter().zip(&cw) {
            write!(out, "  {:>+w$.3}", x)?;
        }
        writeln!(out)
    };
    for (t, w) in shown.iter().zip(&words) {
        row(
            out,
            &t.term,
            w,
            &format!("{:.3}", t.value),
            &t.contributions,
        )?;
    }
    let rest = &e.terms[shown.len()..];
    if !rest.is_empty() {
        let mut sum = vec![0.0f32; e.labels.len()];
        for t in rest {
            for (s, c) in sum.iter_mut().zip(&t.contributions) {
                *s += c;
            }
        }
        row(
            out,
            &format!(
                "({} more n-gram{})",
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ),
            "",
            "",
            &sum,
        )?;
    }
    row(out, "(bias)", "", "", &e.bias)?;
    row(out, "= score", "", "", &e.scores)?;
    if e.terms.is_empty() {
        writeln!(out, "\nno n-gram of the text is in the model's vocabulary")?;
    }
    Ok(())
}

fn write_features(out: &mut impl Write, f: &[ClassFeatures]) -> std::io::Result<()> {
    writeln!(
        out,
        "strongest features per class: weight W[j,c] relative to the mean over classes"
    )?;
    for c in f {
        writeln!(out)?;
        writeln!(out, "{}", c.label)?;
        for fw in &c.features {
            writeln!(out, "  {:>+8.3}  {}", fw.weight, fw.term)?;
        }
    }
    Ok(())
}
