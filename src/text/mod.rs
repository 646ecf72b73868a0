//! Text analysis: a pipeline of small filters over tokens that keep their byte offsets
//! into the original text.
//!
//! `split` (Unicode UAX-29 word boundaries) → `lowercase` → `contractions` → `numbers` →
//! `negation` → `stop_words` → `stem`. Each stage is a plain function in [`filters`];
//! [`AnalyzerSettings`] is plain serializable data that says which stages run, so a model
//! file can carry its analysis settings and rebuild the exact same pipeline.

mod fast;
pub mod filters;
mod stopwords;

pub(crate) use fast::fold_mul;
pub use fast::{word_hash, Analyzed, AsciiWords, Word};

use serde::{Deserialize, Serialize};

/// What kind of token a segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenKind {
    /// Letters, or letters mixed with digits.
    Word,
    /// Digits with optional separators (`1,200`, `3.5`).
    Number,
    /// A symbol such as an emoji or a currency sign: kept, it can carry sentiment.
    Symbol,
    /// Punctuation: ends a negation scope, then is dropped.
    Punct,
}

/// One token: its current text and the byte span `[start, end)` of the original text it
/// came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Text after the filters applied so far.
    pub text: String,
    /// Byte offset of the first byte in the original text.
    pub start: usize,
    /// Byte offset one past the last byte in the original text.
    pub end: usize,
    /// Token class.
    pub kind: TokenKind,
    /// Inside a negation scope (`not want` → `want` with `negated`).
    pub negated: bool,
}

impl Token {
    /// The feature term: the text, with `NEG_` in front inside a negation scope.
    pub fn term(&self) -> String {
        if self.negated {
            format!("NEG_{}", self.text)
        } else {
            self.text.clone()
        }
    }
}

/// Snowball stemmer languages (those rust-stemmers provides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Language {
    Arabic,
    Danish,
    Dutch,
    English,
    Finnish,
    French,
    German,
    Greek,
    Hungarian,
    Italian,
    Norwegian,
    Portuguese,
    Romanian,
    Russian,
    Spanish,
    Swedish,
    Tamil,
    Turkish,
}

impl Language {
    /// All languages, in the order shown to users.
    pub const ALL: [Language; 18] = [
        Language::Arabic,
        Language::Danish,
        Language::Dutch,
        Language::English,
        Language::Finnish,
        Language::French,
        Language::German,
        Language::Greek,
        Language::Hungarian,
        Language::Italian,
        Language::Norwegian,
        Language::Portuguese,
        Language::Romanian,
        Language::Russian,
        Language::Spanish,
        Language::Swedish,
        Language::Tamil,
        Language::Turkish,
    ];

    /// Lowercase name, as accepted by `--language`.
    pub fn name(self) -> String {
        format!("{self:?}").to_lowercase()
    }

    /// Parse a lowercase name.
    pub fn parse(s: &str) -> Option<Language> {
        Language::ALL
            .into_iter()
            .find(|l| l.name() == s.to_lowercase())
    }

    fn algorithm(self) -> rust_stemmers::Algorithm {
        use rust_stemmers::Algorithm as A;
        match self {
            Language::Arabic => A::Arabic,
            Language::Danish => A::Danish,
            Language::Dutch => A::Dutch,
            Language::English => A::English,
            Language::Finnish => A::Finnish,
            Language::French => A::French,
            Language::German => A::German,
            Language::Greek => A::Greek,
            Language::Hungarian => A::Hungarian,
            Language::Italian => A::Italian,
            Language::Norwegian => A::Norwegian,
            Language::Portuguese => A::Portuguese,
            Language::Romanian => A::Romanian,
            Language::Russian => A::Russian,
            Language::Spanish => A::Spanish,
            Language::Swedish => A::Swedish,
            Language::Tamil => A::Tamil,
            Language::Turkish => A::Turkish,
        }
    }
}

/// Which analysis stages run. Plain data: stored in every model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerSettings {
    /// Unicode lowercasing. Default on.
    pub lowercase: bool,
    /// Split English contractions (`won't` → `will not`, `Russia's` → `russia`). Default on.
    pub contractions: bool,
    /// Replace numbers by the term `<num>`. Default on.
    pub numbers: bool,
    /// Mark words after a negator (`not`, `never`, `no`, …) with `NEG_` until the next
    /// punctuation. Default on.
    pub negation: bool,
    /// Drop English stop words. Default off: `will`, `if`, `not`, `must` carry stance, and
    /// the list keeps those even when on.
    pub stop_words: bool,
    /// Snowball stemming language; `None` for no stemming. Default English.
    pub stem: Option<Language>,
}

impl Default for AnalyzerSettings {
    fn default() -> Self {
        AnalyzerSettings {
            lowercase: true,
            contractions: true,
            numbers: true,
            negation: true,
            stop_words: false,
            stem: Some(Language::English),
        }
    }
}

/// A ready-to-run analysis pipeline built from [`AnalyzerSettings`].
pub struct Analyzer {
    settings: AnalyzerSettings,
    stemmer: Option<rust_stemmers::Stemmer>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("settings", &self.settings)
            .finish()
    }
}

impl Clone for Analyzer {
    fn clone(&self) -> Self {
        Analyzer::new(self.settings.clone())
    }
}

impl Analyzer {
    /// Build the pipeline.
    pub fn new(settings: AnalyzerSettings) -> Self {
        let stemmer = settings
            .stem
            .map(|l| rust_stemmers::Stemmer::create(l.algorithm()));
        Analyzer { settings, stemmer }
    }

    /// The settings this pipeline was built from.
    pub fn settings(&self) -> &AnalyzerSettings {
        &self.settings
    }

    /// The stages that look at one token alone: split, lowercase, contractions, numbers.
    /// Punctuation tokens are kept (negation needs them).
    fn context_free(&self, text: &str) -> Vec<Token> {
        let s = &self.settings;
        let mut toks = filters::split(text);
        if s.lowercase {
            filters::lowercase(&mut toks);
        }
        if s.contractions {
            toks = filters::contractions(text, toks);
        }
        if s.numbers {
            filters::numbers(&mut toks);
        }
        toks
    }

    /// Run every stage; the result keeps punctuation tokens out and offsets in.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        let s = &self.settings;
        let mut toks = self.context_free(text);
        if s.negation {
            filters::negation(&mut toks);
        }
        toks.retain(|t| t.kind != TokenKind::Punct);
        if s.stop_words {
            filters::stop_words(&mut toks);
        }
        if let (Some(stemmer), Some(lang)) = (&self.stemmer, s.stem) {
            filters::stem(stemmer, lang as u8, &mut toks);
        }
        toks
    }

    /// The feature terms of a text, in order.
    pub fn terms(&self, text: &str) -> Vec<String> {
        self.tokens(text).iter().map(Token::term).collect()
    }
}

#[cfg(test)]
mod tests;
