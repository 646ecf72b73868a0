//! Speaker attribution: speech cues around each quote, the noun phrase that
//! speaks, pronouns, and the fallbacks for quotes without a cue.
//!
//! Every look-around is bounded to a fixed number of tokens, so the pass is
//! linear in the article length however many quotes it holds.
//!
//! Each file answers one question, in the order the pass asks them:
//!
//! | file | question |
//! |---|---|
//! | `cues` | is this word a speech cue (`said`, `saying`, `according to`), or this quote a quoted name? |
//! | `partial` | is a quote partial (inside running text), or a scare quote? |
//! | `phrase` | where does the noun phrase before or after a token begin and end? |
//! | `classify` | what does that phrase name: a person, a pronoun, a group, an epithet, nobody? |
//! | `subject` | who is the subject of a cue: before it, after it, through an appositive? |
//! | `rules` | which cue in the quote's own sentence names its speaker? |
//! | `resolve` | which canonical name or role phrase does a speaker phrase stand for? |
//! | `attribute` | the pass over all quotes, and the fallbacks for quotes without a cue |
//! | `headlines` | headline quotes that repeat a body quote, or take its speaker |
//!
//! This file holds the types they share.

mod attribute;
mod classify;
mod cues;
mod headlines;
mod partial;
mod phrase;
mod resolve;
mod rules;
mod subject;

#[cfg(test)]
mod tests;

pub(crate) use attribute::attribute;
pub(crate) use headlines::repeated_headlines;
pub(crate) use partial::flags;

/// How far (in tokens) the rules look around a quote or a cue.
const WINDOW: usize = 30;

/// A speaker phrase found by the rules, before names are canonicalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Np {
    /// A person's name tokens, with the title written next to them.
    Person {
        /// Name token range.
        name: (usize, usize),
        /// Title words (`ministry spokesman`), if any.
        title: Option<String>,
    },
    /// A pronoun token (`he said`).
    Pronoun(usize),
    /// A role phrase or an organisation (`a company spokeswoman`, `the
    /// ministry`, `Russia`), as written, and the token where it starts.
    Group(String, usize),
    /// A definite description that usually stands for a person named
    /// earlier (`the Portuguese`, `the Russian leader`, `the 34-year-old`):
    /// the phrase, its first token and its head word.
    Epithet(String, usize, String),
    /// A cue names no speaker we can report (`the statement said`).
    Nobody,
}

/// The speaker given to one quote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Attribution {
    /// Canonical name or role phrase.
    pub speaker: Option<String>,
    /// Title, for a named person.
    pub title: Option<String>,
}

/// Per-quote flags computed before attribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct QuoteFlags {
    /// A partial quote inside running text.
    pub partial: bool,
    /// A scare quote: short, partial, with no speech cue nearby.
    pub scare: bool,
}
