//! What counts as a speech cue: finite verbs (`said`), participles
//! (`saying`), `according to`; reporting verbs and news outlets that only pass
//! words on; and quotes that give a name rather than words (`a reader named
//! "Mags"`). Every other rule asks these questions, so they stand alone.

use super::partial::word_count;
use super::Np;
use crate::quotes::lexicon;
use crate::quotes::names::{self, run_word};
use crate::quotes::tokens::Doc;

/// Kinds of speech cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cue {
    /// `said`, `told`, `warned`...
    Finite,
    /// `saying`, `adding`...: the subject is the clause's subject.
    Participle,
    /// `according to X`.
    According,
}

/// The kind of speech cue at token `t`, if it is one.
pub(super) fn cue_at(doc: &Doc, t: usize) -> Option<Cue> {
    if !doc.is_word(t) {
        return None;
    }
    let l = doc.lower(t);
    // `According to X, ...` often opens a sentence; other cues are lower case.
    if l == "according" {
        return (doc.is_word(t + 1) && doc.lower(t + 1) == "to").then_some(Cue::According);
    }
    if !doc.starts_lower(t) {
        return None;
    }
    if l == "pointed" {
        return (doc.is_word(t + 1) && doc.lower(t + 1) == "out").then_some(Cue::Finite);
    }
    let after_name =
        t > 0 && (run_word(doc, t - 1) || matches!(doc.lower(t - 1), "he" | "she" | "it" | "they"));
    if lexicon::finite_cue(l) || (lexicon::ambiguous_cue(l) && after_name) {
        Some(Cue::Finite)
    } else if lexicon::participle_cue(l) {
        Some(Cue::Participle)
    } else {
        None
    }
}

/// A quoted name rather than quoted words: a short quote right after
/// `named`, `called`, `dubbed`..., or set off by a comma after a person noun
/// (`a commenter named "skyfox99" said`, `Another reader, "Mags," wrote`).
pub(super) fn name_quote(doc: &Doc, t: usize) -> bool {
    let Some(s) = doc.quote_of(t) else {
        return false;
    };
    let span = &doc.spans[s];
    let short = span.end - span.start <= 40
        && word_count(doc, s) <= 3
        && !doc.chars[span.start..span.end.saturating_sub(1)]
            .iter()
            .any(|c| matches!(c, '.' | '!' | '?'));
    if !short || t == 0 {
        return false;
    }
    let naming = doc.is_word(t - 1)
        && matches!(
            doc.lower(t - 1),
            "named" | "called" | "nicknamed" | "dubbed" | "username" | "handle" | "alias"
        );
    let set_off = doc.punct(t - 1) == Some(',')
        && t >= 2
        && doc.is_word(t - 2)
        && names::is_role(&doc.lower_bare(t - 2));
    naming || set_off
}

/// The name a name quote gives, without invisible chars and trailing
/// punctuation.
pub(super) fn quoted_name(doc: &Doc, t: usize) -> Option<Np> {
    let s = doc.quote_of(t)?;
    let span = &doc.spans[s];
    let text: String = doc.chars[span.start..span.end]
        .iter()
        .filter(|c| !matches!(c, '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}'))
        .collect();
    let text = text.trim_end_matches([',', '.', ';', ':']).trim();
    (!text.is_empty()).then(|| Np::Group(text.to_string(), t))
}

/// `reported`, `reports`, `reporting`: the subject passes on what someone
/// else said.
pub(super) fn reporting_verb(doc: &Doc, c: usize) -> bool {
    doc.lower(c).starts_with("report")
}

/// A speaker phrase that is a news outlet (`Reuters`, `the Ledger
/// newspaper`, `Radio Nine`).
pub(super) fn is_outlet(doc: &Doc, (a, b): (usize, usize)) -> bool {
    b > a
        && b - a <= 6
        && (a..b).any(|t| doc.is_word(t) && lexicon::outlet_word(&doc.lower_bare(t)))
}
