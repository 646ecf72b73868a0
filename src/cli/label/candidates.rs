//! The quotes of `stance label`: each with where it came from and the paragraph around it.

use stance::input::articles::Article;

use crate::cli::common::ArticleArgs;

/// A quote that can be labelled.
pub struct Candidate {
    /// The quote as stored ([`clean_quote`]).
    pub text: String,
    /// The article's id.
    pub source: String,
    pub speaker: Option<String>,
    pub speaker_title: Option<String>,
    pub partial: bool,
    /// The paragraph where the quote opens, and the quote's char range inside it.
    pub paragraph: String,
    pub span: (usize, usize),
}

/// The line (paragraph) of `chars` holding char `start`, and `[start, end)` clipped to it,
/// relative to the paragraph.
fn paragraph_around(chars: &[char], start: usize, end: usize) -> (String, (usize, usize)) {
    let brk = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    let start = start.min(chars.len());
    let mut s = start;
    while s > 0 && !brk(chars[s - 1]) {
        s -= 1;
    }
    let mut e = start;
    while e < chars.len() && !brk(chars[e]) {
        e += 1;
    }
    let para: String = chars[s..e].iter().collect();
    (para, (start - s, end.min(e).max(start) - s))
}

/// The quote as stored: runs of whitespace (line ends of multi-paragraph quotes) made one
/// space, and the comma that `"…," she said` leaves inside the marks removed.
fn clean_quote(q: &str) -> String {
    let flat = q.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.trim_end_matches([',', ' ']).to_string()
}

/// The quotes of one article, as found by `extract`.
pub fn candidates_of(input: &ArticleArgs, art: &Article) -> Vec<Candidate> {
    let chars: Vec<char> = art.text.chars().collect();
    input
        .extract(art)
        .into_iter()
        .map(|q| {
            let (paragraph, span) = paragraph_around(&chars, q.start, q.end);
            Candidate {
                text: clean_quote(&q.text),
                source: art.id.clone(),
                speaker: q.speaker,
                speaker_title: q.speaker_title,
                partial: q.partial,
                paragraph,
                span,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_quote_loses_line_breaks_and_the_attribution_comma() {
        assert_eq!(clean_quote("We will\n  respond,"), "We will respond");
        assert_eq!(clean_quote("Enough."), "Enough.");
    }

    #[test]
    fn paragraph_is_the_line_holding_the_quote_start() {
        let text: Vec<char> = "Title\n\nHe said \"we go\" today.\nNext line."
            .chars()
            .collect();
        let start = 16;
        let (p, (s, e)) = paragraph_around(&text, start, start + 5);
        assert_eq!(p, "He said \"we go\" today.");
        assert_eq!(
            &p.chars().collect::<Vec<_>>()[s..e]
                .iter()
                .collect::<String>(),
            "we go"
        );
        // A quote running past the paragraph end is clipped to it.
        let (p, (_, e)) = paragraph_around(&text, start, text.len());
        assert_eq!(e, p.chars().count());
    }
}
