//! Partial and scare quotes: a quote inside running text (`NATO had
//! "brazenly tricked" Russia`) rather than a statement of its own, and short
//! ones with no speech cue nearby that are the writer's, not anyone's words.
//! The flags are set before attribution, which handles partial quotes
//! differently and never lets a scare quote pass its speaker on.

use super::cues::{cue_at, name_quote};
use super::{QuoteFlags, WINDOW};
use crate::quotes::tokens::Doc;

/// Words in the quoted text.
pub(super) fn word_count(doc: &Doc, s: usize) -> usize {
    let span = &doc.spans[s];
    let mut count = 0;
    let mut in_word = false;
    for &c in &doc.chars[span.start..span.end] {
        let w = c.is_alphanumeric();
        if w && !in_word {
            count += 1;
        }
        in_word = w || (in_word && matches!(c, '\'' | '’' | '-'));
    }
    count
}

/// A quote embedded in running text (`NATO had "brazenly tricked" Russia`)
/// rather than standing as a statement of its own.
fn is_partial(doc: &Doc, s: usize) -> bool {
    let span = &doc.spans[s];
    let qt = doc.quote_token[s];
    let (plo, _) = doc.para_range[span.para];
    if span.continues_prev || qt == plo {
        return false;
    }
    let p = qt - 1;
    if !doc.is_word(p) {
        return false;
    }
    if cue_at(doc, p).is_some() {
        return false;
    }
    let first_upper = doc.chars[span.start].is_uppercase();
    if doc.lower(p) == "that" {
        return !first_upper;
    }
    let ends_like_sentence = matches!(doc.chars[span.end - 1], '.' | '!' | '?' | ',');
    !(first_upper && ends_like_sentence && word_count(doc, s) >= 4)
}

/// A speech cue within a few tokens of the quote, in the same sentence.
fn cue_nearby(doc: &Doc, qt: usize) -> bool {
    let (lo, hi) = doc.sentences[doc.sentence_of[qt]];
    let from = lo.max(qt.saturating_sub(WINDOW));
    let to = hi.min(qt + WINDOW);
    (from..to).any(|t| cue_at(doc, t).is_some())
}

/// `so-called "peace plan"`: the writer's distance, not anyone's words.
fn so_called(doc: &Doc, qt: usize) -> bool {
    let Some(p) = qt.checked_sub(1).filter(|&p| doc.is_word(p)) else {
        return false;
    };
    let l = doc.lower(p);
    l == "so-called" || (l == "called" && p > 0 && doc.is_word(p - 1) && doc.lower(p - 1) == "so")
}

/// Partial and scare flags of every quote.
pub(crate) fn flags(doc: &Doc) -> Vec<QuoteFlags> {
    (0..doc.spans.len())
        .map(|s| {
            let partial = is_partial(doc, s);
            let qt = doc.quote_token[s];
            let scare = name_quote(doc, qt)
                || (partial
                    && word_count(doc, s) <= 3
                    && (so_called(doc, qt) || !cue_nearby(doc, qt)));
            QuoteFlags { partial, scare }
        })
        .collect()
}
