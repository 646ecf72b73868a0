//! Quote extraction and speaker attribution for news articles.
//!
//! [`extract`] finds every quoted statement of an article body and who said
//! it. The work runs in stages, each a linear pass:
//!
//! 1. `marks`: paragraphs, and quotation marks paired into spans (straight,
//!    curly and mixed double marks; single marks where they are quotes rather
//!    than apostrophes; multi-paragraph and unbalanced quotes);
//! 2. `tokens`: the running text as tokens, each quote one token, and sentences;
//! 3. `names`: people mentioned, their titles, canonical full names, gender,
//!    and what each pronoun refers to;
//! 4. `speaker`: the speech cue and speaker phrase of each quote, and the
//!    fallbacks for quotes without a cue.
//!
//! Attribution order for one quote (the first rule that applies wins):
//! a speech cue after the quote in its sentence (`"...," X said`, `"...,"
//! said X`, `according to X`, a headline's `'...': X`); a cue before it
//! (`X said: "..."`, `X said that "..."`, `X: "..."`); then, for quotes that
//! are not partial, a cue in the sentence just before, the speaker of the
//! previous quote in the same paragraph, a cue opening the next sentence,
//! and the speaker of the previous quote in the previous paragraph. Parts of
//! one multi-paragraph quote share a speaker. Pronouns and epithets (`the
//! Portuguese`, `the Russian leader`) resolve to people named earlier; a
//! headline quote with no speaker of its own takes the speaker of the body
//! quote that repeats it. Anything else stays `None`.
//!
//! Offsets are Unicode scalar (char) offsets into the text as given.

mod lexicon;
mod marks;
mod names;
mod speaker;
mod tokens;

use serde::{Deserialize, Serialize};

/// What a quoted span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// A statement standing on its own (`"We will not move," she said.`).
    Direct,
    /// Quoted words inside a sentence of narration (`NATO had "brazenly
    /// tricked" Russia`).
    Partial,
    /// A scare quote: one to three words with no speech cue nearby, or a
    /// quoted name (`a reader named "Mags"`); printed only when asked for.
    Scare,
}

impl QuoteKind {
    /// The name in output: `direct`, `partial` or `scare`.
    pub fn name(self) -> &'static str {
        match self {
            QuoteKind::Direct => "direct",
            QuoteKind::Partial => "partial",
            QuoteKind::Scare => "scare",
        }
    }
}

/// One quoted statement found in an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    /// Exactly the article chars in `[start, end)`: the words inside the
    /// marks, with trailing punctuation inside them, marks excluded.
    pub text: String,
    /// Char offset of the first quoted char in the article text as given.
    pub start: usize,
    /// Char offset one past the last quoted char.
    pub end: usize,
    /// Canonical name (fullest form in the article) or a role phrase such as
    /// `a company spokeswoman`; `None` when the speaker is unknown.
    pub speaker: Option<String>,
    /// The speaker's title, e.g. `Russian President`, `ministry spokesman`.
    pub speaker_title: Option<String>,
    /// A partial quote inside running text (`NATO had "brazenly tricked"
    /// Russia`), or a kept scare quote.
    pub partial: bool,
    /// Direct, partial or scare; `partial` is true for the last two.
    pub kind: QuoteKind,
    /// Index of the paragraph (non-blank line) where the quote opens.
    pub paragraph: usize,
}

/// Extraction settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtractOptions {
    /// Keep scare quotes (one to three words in running text with no speech
    /// cue nearby), flagged partial. Dropped by default.
    pub keep_scare_quotes: bool,
    /// Quotes longer than this many chars are dropped: a span that long is
    /// almost always a run-away from a missing closing mark.
    pub max_quote_chars: usize,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            keep_scare_quotes: false,
            max_quote_chars: 5_000,
        }
    }
}

/// Finds the quotes of an article body and attributes their speakers.
///
/// Runs in time linear in the length of `text` and never panics.
pub fn extract(text: &str, opts: &ExtractOptions) -> Vec<Quote> {
    let chars: Vec<char> = text.chars().collect();
    let paras = marks::paragraphs(&chars);
    let spans = marks::find_spans(&chars, &paras);
    if spans.is_empty() {
        return Vec::new();
    }
    let doc = tokens::Doc::build(&chars, paras, spans);
    let people = names::People::build(&doc);
    let flags = speaker::flags(&doc);
    let attributions = speaker::attribute(&doc, people, &flags);
    let repeats = speaker::repeated_headlines(&doc);
    doc.spans
        .iter()
        .zip(flags)
        .zip(attributions)
        .zip(repeats)
        .filter(|(((span, flags), _), repeat)| {
            let body = &chars[span.start..span.end];
            body.iter().any(|c| c.is_alphanumeric())
                && body.len() <= opts.max_quote_chars
                && (!flags.scare || opts.keep_scare_quotes)
                && !repeat
        })
        .map(|(((span, flags), attribution), _)| Quote {
            text: chars[span.start..span.end].iter().collect(),
            start: span.start,
            end: span.end,
            speaker: attribution.speaker.map(|s| visible(&s)),
            speaker_title: attribution.title,
            partial: flags.partial || flags.scare,
            kind: if flags.scare {
                QuoteKind::Scare
            } else if flags.partial {
                QuoteKind::Partial
            } else {
                QuoteKind::Direct
            },
            paragraph: span.para,
        })
        .collect()
}

/// A name without soft hyphens and zero-width chars, which web pages leave
/// inside words (`Lady\u{ad}Amanita`) and which would split one speaker in two.
fn visible(name: &str) -> String {
    name.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}'
            )
        })
        .collect()
}

/// Strips a leading `date YYYY-MM-DD` line or prefix (with the whitespace
/// around it) that some article dumps carry before the body.
pub fn strip_date_prefix(text: &str) -> &str {
    let trimmed = text.trim_start();
    let Some(rest) = trimmed.strip_prefix("date") else {
        return text;
    };
    let rest_trim = rest.trim_start_matches([' ', '\t']);
    if rest_trim.len() == rest.len() {
        return text;
    }
    let date = rest_trim.as_bytes();
    let is_date = date.len() >= 10
        && date[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !is_date {
        return text;
    }
    rest_trim[10..].trim_start()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotes(text: &str) -> Vec<Quote> {
        extract(text, &ExtractOptions::default())
    }

    #[test]
    fn offsets_are_char_offsets_and_text_matches_them() {
        let text = "Çà “naïve café,” Zoë Ruiz said. “Él ganó.”";
        let chars: Vec<char> = text.chars().collect();
        for q in quotes(text) {
            let slice: String = chars[q.start..q.end].iter().collect();
            assert_eq!(slice, q.text);
        }
    }

    #[test]
    fn partial_quote_in_running_text_is_flagged() {
        let text = "He said that NATO had “brazenly tricked” Russia for years.";
        let q = quotes(text);
        assert_eq!(q.len(), 1);
        assert!(q[0].partial);
    }

    #[test]
    fn scare_quotes_are_dropped_by_default_and_kept_when_asked() {
        let text = "The so-called “peace plan” fell apart. Its “experts” left town.";
        assert!(quotes(text).is_empty());
        let keep = ExtractOptions {
            keep_scare_quotes: true,
            ..ExtractOptions::default()
        };
        let kept = extract(text, &keep);
        assert_eq!(kept.len(), 2);
        assert!(kept.iter().all(|q| q.partial));
    }

    #[test]
    fn short_partial_quote_with_a_cue_nearby_is_kept() {
        let text = "Ana Ruiz said the offer was “an insult” to workers.";
        let q = quotes(text);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].speaker.as_deref(), Some("Ana Ruiz"));
    }

    #[test]
    fn overlong_quote_is_dropped() {
        let text = format!("He said \"{}\"", "word ".repeat(2_000));
        assert!(quotes(&text).is_empty());
    }

    #[test]
    fn paragraph_index_counts_non_blank_lines() {
        let text = "Headline\n\nFirst.\n“Here,” she said.";
        assert_eq!(quotes(text)[0].paragraph, 2);
    }

    #[test]
    fn no_input_panics() {
        let long_marks = "\"“'‘’”".repeat(500);
        let inputs = [
            "",
            "\u{0}",
            "\"",
            "“",
            "'",
            "\n\n\n",
            "“”",
            "\"\u{0}\"",
            "\" said he \"",
            "a\"b\"c'd'e",
            "“x,” said",
            "“x,” according to",
            "said: “",
            long_marks.as_str(),
        ];
        for text in inputs {
            let _ = quotes(text);
        }
    }

    #[test]
    fn text_without_marks_gives_nothing() {
        assert!(quotes("Nothing quoted here at all.").is_empty());
    }

    #[test]
    fn date_prefix_is_stripped() {
        assert_eq!(strip_date_prefix(" date 2021-12-24 US body"), "US body");
        assert_eq!(strip_date_prefix("date 2021-12-24\nBody"), "Body");
        assert_eq!(strip_date_prefix("dated text"), "dated text");
        assert_eq!(strip_date_prefix("date 20x1"), "date 20x1");
    }
}
