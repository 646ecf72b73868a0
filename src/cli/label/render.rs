//! What `stance label` shows on stderr: each quote in its paragraph, the models' guesses,
//! and the prompt.

use std::path::Path;

use stance::pipeline::builtin::Task;
use stance::pipeline::Pipeline;

use super::answers::key_hint;
use super::candidates::Candidate;
use crate::cli::common::progress::{say, say_inline};

/// The session's display, on stderr (through [`say!`], so that lines end right in raw
/// mode).
pub struct Ui {
    /// Bold, underline and dim: stderr is a terminal and `NO_COLOR` is not set.
    pub color: bool,
}

impl Ui {
    pub fn line(&self, s: &str) {
        say!("{s}");
    }

    pub fn prompt(&self, s: &str) {
        say_inline(s);
    }

    pub fn show(&self, c: &Candidate, header: &str, guesses: &[(Task, &Pipeline)], tasks: &[Task]) {
        let (b, u, d, r) = if self.color {
            ("\x1b[1m", "\x1b[4m", "\x1b[2m", "\x1b[0m")
        } else {
            ("", "", "", "")
        };
        say!("");
        say!("{d}── {header}{r}");
        let who = match (&c.speaker, &c.speaker_title) {
            (Some(s), Some(t)) => format!("{s} ({t})"),
            (Some(s), None) => s.clone(),
            _ => "(speaker unknown)".into(),
        };
        say!(
            "{d}{}{r}  {b}{who}{r}{}",
            Path::new(&c.source)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(&c.source),
            if c.partial { "  (partial quote)" } else { "" }
        );
        // The paragraph with the quote marked, trimmed to a readable window around it.
        let chars: Vec<char> = c.paragraph.chars().collect();
        let (qs, qe) = c.span;
        let from = qs.saturating_sub(300);
        let to = (qe + 300).min(chars.len());
        let part = |a: usize, z: usize| chars[a..z].iter().collect::<String>();
        let (open, close) = if self.color { (u, r) } else { ("[[", "]]") };
        say!(
            "  {}{}{open}{}{close}{}{}",
            if from > 0 { "…" } else { "" },
            part(from, qs),
            part(qs, qe),
            part(qe, to),
            if to < chars.len() { "…" } else { "" }
        );
        say!("  {b}“{}”{r}", c.text);
        for (task, p) in guesses {
            let pred = p.predict_one(&c.text);
            let mut probs: Vec<(&str, f32)> = p
                .labels()
                .iter()
                .map(String::as_str)
                .zip(pred.probabilities.iter().copied())
                .collect();
            probs.sort_by(|a, b| b.1.total_cmp(&a.1));
            let shown: Vec<String> = probs.iter().map(|(l, v)| format!("{l} {v:.2}")).collect();
            say!("  {d}model{r} {:<10} {}", task.name(), shown.join("  "));
        }
        let then = if tasks.len() > 1 {
            ", then sentiment - · 0 · +"
        } else {
            ""
        };
        self.prompt(&format!(
            "  {}{then} · s skip · u undo · q quit ▸ ",
            key_hint(tasks[0])
        ));
    }
}
