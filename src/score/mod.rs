//! Scoring articles: every quote found ([`crate::quotes`]) classified by a stance and a
//! sentiment model, and the roll-ups of those rows by article and by speaker.
//!
//! This is what `stance score` does, as a library: the command line, the HTML report and
//! any other front end call the same functions and get the same rows. Rows are also given
//! as JSON objects with the keys of `stance score --format jsonl` ([`quote_json`],
//! [`ArticleSummary::to_json`], [`SpeakerRow::to_json`]).

mod rollup;

pub use rollup::{ArticleSummary, SpeakerRollup, SpeakerRow};

use crate::evaluate::explain::top_ngrams;
use crate::input::articles::Article;
use crate::pipeline::Pipeline;
use crate::quotes::{ExtractOptions, Quote, QuoteKind};

/// Partial quotes shorter than this are a few words in the writer's sentence, too little to
/// carry a stance; [`ScoreOptions::all_quotes`] scores them too.
pub const MIN_PARTIAL_WORDS: usize = 4;

/// N-grams given per label by [`ScoreOptions::explain`].
pub const EXPLAIN_NGRAMS: usize = 3;

/// How quotes are found and which are classified.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreOptions {
    /// Keep scare quotes (one to three words with no speech cue), flagged partial. Default
    /// off.
    pub keep_scare_quotes: bool,
    /// Drop quotes longer than this many characters (a run-away from a missing mark).
    /// Default 5000.
    pub max_quote_chars: usize,
    /// Classify every quote found; otherwise direct quotes and partial quotes of at least
    /// [`MIN_PARTIAL_WORDS`] words ([`scored_by_default`]). Default off.
    pub all_quotes: bool,
    /// Give each quote the n-grams that pushed it most towards its labels. Default off.
    pub explain: bool,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            keep_scare_quotes: false,
            max_quote_chars: 5000,
            all_quotes: false,
            explain: false,
        }
    }
}

/// Whether a quote is classified by default: direct quotes, and partial quotes of at least
/// [`MIN_PARTIAL_WORDS`] words.
pub fn scored_by_default(q: &Quote) -> bool {
    match q.kind {
        QuoteKind::Direct => true,
        QuoteKind::Partial => {
            q.text
                .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
                .filter(|w| !w.is_empty())
                .count()
                >= MIN_PARTIAL_WORDS
        }
        QuoteKind::Scare => false,
    }
}

/// An article's quotes, with what was left out.
#[derive(Debug, Clone)]
pub struct Extracted {
    /// Quotes in text order, offsets into [`Article::text`] (date prefix included).
    pub quotes: Vec<Quote>,
    /// Quotes dropped for being longer than [`ScoreOptions::max_quote_chars`].
    pub over_long: usize,
}

/// The quotes of one article, offsets into the article text as read (prefix included).
pub fn extract_article(a: &Article, keep_scare_quotes: bool, max_quote_chars: usize) -> Extracted {
    // The length limit is applied here rather than in `extract` (which would drop the same
    // quotes) so that the dropped ones can be counted and reported.
    let opts = ExtractOptions {
        keep_scare_quotes,
        max_quote_chars: usize::MAX,
    };
    let mut quotes = crate::quotes::extract(a.body(), &opts);
    let found = quotes.len();
    quotes.retain(|q| q.end - q.start <= max_quote_chars);
    let over_long = found - quotes.len();
    for q in &mut quotes {
        q.start += a.body_start;
        q.end += a.body_start;
    }
    Extracted { quotes, over_long }
}

/// One quote classified by both models.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The quote.
    pub quote: Quote,
    /// Stance label.
    pub stance: String,
    /// Its probability.
    pub stance_confidence: f32,
    /// All stance probabilities, in the stance model's label order.
    pub stance_probs: Vec<f32>,
    /// Sentiment label.
    pub sentiment: String,
    /// Its probability.
    pub sentiment_confidence: f32,
    /// With [`ScoreOptions::explain`]: the n-grams (as written in the quote) that pushed
    /// most towards the stance label, then towards the sentiment label.
    pub why: Option<(Vec<String>, Vec<String>)>,
}

/// One article scored.
#[derive(Debug, Clone)]
pub struct ArticleScores {
    /// The classified quotes, in text order.
    pub quotes: Vec<Scored>,
    /// Quotes dropped for being longer than [`ScoreOptions::max_quote_chars`].
    pub over_long: usize,
    /// Short partial quotes found but not classified (see [`ScoreOptions::all_quotes`]).
    pub left_out: usize,
}

/// A stance model and a sentiment model applied together to articles.
#[derive(Debug)]
pub struct Scorer<'m> {
    /// Stance model.
    pub stance: &'m Pipeline,
    /// Sentiment model.
    pub sentiment: &'m Pipeline,
    /// How quotes are found and which are classified.
    pub options: ScoreOptions,
}

impl<'m> Scorer<'m> {
    /// A scorer of the two models with `options`.
    pub fn new(stance: &'m Pipeline, sentiment: &'m Pipeline, options: ScoreOptions) -> Self {
        Scorer {
            stance,
            sentiment,
            options,
        }
    }

    /// Find an article's quotes and classify those the options select.
    pub fn score_article(&self, a: &Article) -> ArticleScores {
        let o = &self.options;
        let Extracted {
            mut quotes,
            over_long,
        } = extract_article(a, o.keep_scare_quotes, o.max_quote_chars);
        let found = quotes.len();
        if !o.all_quotes {
            quotes.retain(scored_by_default);
        }
        ArticleScores {
            left_out: found - quotes.len(),
            over_long,
            quotes: self.score_quotes(quotes),
        }
    }

    /// Classify quotes already found.
    pub fn score_quotes(&self, quotes: Vec<Quote>) -> Vec<Scored> {
        let (st, se) = (self.stance, self.sentiment);
        quotes
            .into_iter()
            .map(|q| {
                let ps = st.predict_one(&q.text);
                let pe = se.predict_one(&q.text);
                Scored {
                    stance: st.labels()[ps.label].clone(),
                    stance_confidence: ps.probabilities[ps.label],
                    stance_probs: ps.probabilities,
                    sentiment: se.labels()[pe.label].clone(),
                    sentiment_confidence: pe.probabilities[pe.label],
                    why: self
                        .options
                        .explain
                        .then(|| (top_words(st, &q.text), top_words(se, &q.text))),
                    quote: q,
                }
            })
            .collect()
    }
}

/// The [`EXPLAIN_NGRAMS`] n-grams that pushed `text` most towards its label, as written.
fn top_words(p: &Pipeline, text: &str) -> Vec<String> {
    top_ngrams(p, text, EXPLAIN_NGRAMS)
        .into_iter()
        .map(|t| t.words.into_iter().next().unwrap_or(t.term))
        .collect()
}

/// Six decimals keep JSON rows short.
pub fn round(v: f32) -> f64 {
    (v as f64 * 1e6).round() / 1e6
}

/// A value of one field of a quote's row, borrowed from the article, the quote and its
/// classification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'a> {
    /// A string, or null.
    Str(Option<&'a str>),
    /// An offset.
    Int(usize),
    /// A flag.
    Bool(bool),
    /// A probability, rounded by [`round`].
    Num(f64),
    /// A list of strings.
    List(&'a [String]),
}

impl Field<'_> {
    /// The value as JSON.
    pub fn to_json(self) -> serde_json::Value {
        match self {
            Field::Str(s) => s.into(),
            Field::Int(n) => n.into(),
            Field::Bool(b) => b.into(),
            Field::Num(x) => x.into(),
            Field::List(l) => l.into(),
        }
    }
}

/// The fields of one quote's row, keys sorted (the order JSON output has them): the keys of
/// `stance extract --format jsonl`, and given its classification, those of `stance score
/// --format jsonl`. [`quote_json`] is this row as a JSON object; a front end that makes
/// objects of its own (the Python package) builds them from here without copying.
pub fn quote_fields<'a>(
    a: &'a Article,
    q: &'a Quote,
    s: Option<&'a Scored>,
) -> Vec<(&'static str, Field<'a>)> {
    let mut f = Vec::with_capacity(15);
    f.extend([
        ("article", Field::Str(Some(&a.id))),
        ("date", Field::Str(a.date.as_deref())),
        ("end", Field::Int(q.end)),
        ("kind", Field::Str(Some(q.kind.name()))),
        ("partial", Field::Bool(q.partial)),
        ("quote", Field::Str(Some(&q.text))),
    ]);
    let why = s.and_then(|s| s.why.as_ref());
    if let Some(s) = s {
        f.push(("sentiment", Field::Str(Some(&s.sentiment))));
        f.push((
            "sentiment_confidence",
            Field::Num(round(s.sentiment_confidence)),
        ));
        if let Some((_, se)) = why {
            f.push(("sentiment_ngrams", Field::List(se)));
        }
    }
    f.push(("speaker", Field::Str(q.speaker.as_deref())));
    f.push(("speaker_title", Field::Str(q.speaker_title.as_deref())));
    if let Some(s) = s {
        f.push(("stance", Field::Str(Some(&s.stance))));
        f.push(("stance_confidence", Field::Num(round(s.stance_confidence))));
        if let Some((st, _)) = why {
            f.push(("stance_ngrams", Field::List(st)));
        }
    }
    f.push(("start", Field::Int(q.start)));
    f
}

/// One quote as `stance extract --format jsonl` writes it, or, given its classification,
/// as `stance score --format jsonl` does ([`quote_fields`] as a JSON object).
pub fn quote_json(a: &Article, q: &Quote, s: Option<&Scored>) -> serde_json::Value {
    serde_json::Value::Object(
        quote_fields(a, q, s)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_json()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(text: &str, kind: QuoteKind) -> Quote {
        Quote {
            text: text.into(),
            start: 0,
            end: text.chars().count(),
            speaker: None,
            speaker_title: None,
            partial: kind != QuoteKind::Direct,
            kind,
            paragraph: 0,
        }
    }

    #[test]
    fn short_partial_and_scare_quotes_are_not_scored_by_default() {
        assert!(scored_by_default(&quote("yes", QuoteKind::Direct)));
        assert!(!scored_by_default(&quote("a bad deal", QuoteKind::Partial)));
        assert!(scored_by_default(&quote(
            "a bad deal for us",
            QuoteKind::Partial
        )));
        // Apostrophes keep a word whole: three words, not four.
        assert!(!scored_by_default(&quote(
            "don't we're can't",
            QuoteKind::Partial
        )));
        assert!(!scored_by_default(&quote(
            "many words in a scare quote",
            QuoteKind::Scare
        )));
    }

    #[test]
    fn over_long_quotes_are_dropped_counted_and_offsets_include_the_prefix() {
        let text = "date 2024-03-01\n\"We will talk,\" said Ana Lopes. \"This one is far too long to keep,\" she said.";
        let a = Article::from_text("a.txt".into(), "a.txt".into(), text.into());
        let e = extract_article(&a, false, 20);
        assert_eq!(e.over_long, 1);
        assert_eq!(e.quotes.len(), 1);
        let q = &e.quotes[0];
        assert_eq!(&text[q.start..q.end], q.text);
    }

    #[test]
    fn quote_fields_are_sorted_and_are_the_json_rows_keys_and_values() {
        let text = "\"We will talk to anyone,\" said Ana Lopes.";
        let a = Article::from_text("a.txt".into(), "a.txt".into(), text.into());
        let q = extract_article(&a, false, 5000).quotes.remove(0);
        let s = Scored {
            quote: q.clone(),
            stance: "neutral".into(),
            stance_confidence: 0.123_456_78,
            stance_probs: vec![0.123_456_78, 0.876_543_2],
            sentiment: "positive".into(),
            sentiment_confidence: 0.5,
            why: Some((vec!["talk".into()], vec!["anyone".into()])),
        };
        for scored in [None, Some(&s)] {
            let f = quote_fields(&a, &q, scored);
            let keys: Vec<&str> = f.iter().map(|(k, _)| *k).collect();
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            assert_eq!(keys, sorted);
            let json = quote_json(&a, &q, scored);
            let obj = json.as_object().unwrap();
            assert_eq!(obj.keys().map(String::as_str).collect::<Vec<_>>(), sorted);
            for (k, v) in f {
                assert_eq!(obj[k], v.to_json(), "{k}");
            }
        }
        let json = quote_json(&a, &q, Some(&s));
        assert_eq!(json["stance_confidence"], serde_json::json!(0.123457));
        assert_eq!(json["kind"], "direct");
        assert_eq!(json["stance_ngrams"], serde_json::json!(["talk"]));
        assert_eq!(json["speaker"], "Ana Lopes");
        assert_eq!(json.as_object().unwrap().len(), 15);
    }

    /// What the README's library example does.
    #[test]
    fn scoring_an_article_with_the_built_in_models_labels_every_default_quote() {
        use crate::pipeline::builtin::{builtin, Task};
        let (st, se) = (
            builtin(Task::Stance).unwrap(),
            builtin(Task::Sentiment).unwrap(),
        );
        let scorer = Scorer::new(&st, &se, ScoreOptions::default());
        let text = "\"We will talk to anyone who wants peace,\" said Ana Lopes. She called it \"a start\".";
        let a = Article::from_text("a.txt".into(), "a.txt".into(), text.into());
        let r = scorer.score_article(&a);
        // The two-word partial quote is found but left out by default.
        assert_eq!((r.quotes.len(), r.left_out, r.over_long), (1, 1, 0));
        let q = &r.quotes[0];
        assert_eq!(q.quote.speaker.as_deref(), Some("Ana Lopes"));
        assert!(st.labels().contains(&q.stance) && se.labels().contains(&q.sentiment));
        assert_eq!(q.stance_probs.len(), st.labels().len());
        assert!((q.stance_probs.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        let all = Scorer::new(
            &st,
            &se,
            ScoreOptions {
                all_quotes: true,
                ..ScoreOptions::default()
            },
        );
        assert_eq!(all.score_article(&a).quotes.len(), 2);
    }
}
