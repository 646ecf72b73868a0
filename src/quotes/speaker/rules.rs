//! The rules that read the quote's own sentence: a cue after the quote
//! (`"...," X said`, `"...," said X`, `according to X`, a headline's `'...':
//! X`) and a cue before it (`X said: "..."`, `X: "..."`). They are tried first
//! for every quote; `attribute` falls back to other sentences only when they
//! find nothing.

use super::classify::classify;
use super::cues::{cue_at, is_outlet, name_quote, reporting_verb, Cue};
use super::phrase::{is_pronoun, np_after, np_before};
use super::subject::{clause_subject, speaker_after, subject_before};
use super::{Np, WINDOW};
use crate::quotes::lexicon;
use crate::quotes::marks::headline_like;
use crate::quotes::names::run_word;
use crate::quotes::tokens::{Doc, Kind};

/// The first token after `qt` that is a word, if only punctuation is between.
fn first_word_after(doc: &Doc, qt: usize, hi: usize) -> Option<usize> {
    (qt + 1..hi)
        .find(|&t| doc.tokens[t].kind != Kind::Punct)
        .filter(|&t| doc.is_word(t))
}

/// Attribution written after the quote in the same sentence: `"...," X said`,
/// `"...," said X`, `"...," according to X`, and in headlines `'...': X`.
pub(super) fn direct_after(doc: &Doc, qt: usize) -> Option<Np> {
    let (_, sent_end) = doc.sentences[doc.sentence_of[qt]];
    let hi = sent_end.min(qt + 1 + WINDOW);
    let first = first_word_after(doc, qt, hi);
    for c in qt + 1..hi {
        if doc.quote_of(c).is_some() {
            if name_quote(doc, c) {
                continue;
            }
            break;
        }
        if cue_at(doc, c).is_some() && reporting_verb(doc, c) {
            return Some(Np::Nobody);
        }
        match cue_at(doc, c) {
            Some(Cue::According) => return according_to(doc, c + 2, hi),
            Some(Cue::Finite) if Some(c) == first && lexicon::invertible_cue(doc.lower(c)) => {
                if let Some(np) = speaker_after(doc, c + 1, hi) {
                    return Some(np);
                }
            }
            // `an "immediate answer" ... for guarantees that it demanded`: a
            // verb in a relative clause is no attribution.
            Some(Cue::Finite)
                if c >= qt + 3
                    && is_pronoun(doc.lower(c - 1))
                    && matches!(doc.lower(c - 2), "that" | "which" | "what" | "who") => {}
            Some(Cue::Finite) => {
                if let Some(np) = subject_before(doc, qt + 1, c) {
                    return Some(np);
                }
            }
            _ => {}
        }
    }
    headline_speaker(doc, qt, hi)
}

/// `'War, war, war': Putin lashes out`: a name after a colon or dash
/// following a quote that opens a headline.
fn headline_speaker(doc: &Doc, qt: usize, hi: usize) -> Option<Np> {
    let para = doc.para_of[qt];
    let (plo, _) = doc.para_range[para];
    if qt != plo || !headline_like(doc.chars, doc.paras[para]) {
        return None;
    }
    if !matches!(doc.punct(qt + 1), Some(':' | '-' | '—' | '–' | '|')) {
        return None;
    }
    let mut b = qt + 2;
    while b < hi && run_word(doc, b) && !doc.is_possessive(b) {
        b += 1;
    }
    match classify(doc, (qt + 2, b))? {
        np @ (Np::Person { .. } | Np::Group(..) | Np::Epithet(..)) => Some(np),
        _ => None,
    }
}

/// `according to X`: X, unless X is a news outlet passing the words on.
fn according_to(doc: &Doc, start: usize, hi: usize) -> Option<Np> {
    if np_after(doc, start, hi).is_some_and(|r| is_outlet(doc, r)) {
        return Some(Np::Nobody);
    }
    speaker_after(doc, start, hi)
}

/// The attribution made by the speech verb nearest before `hi`, within `[lo, hi)`.
pub(super) fn last_cue(doc: &Doc, lo: usize, hi: usize, finite_only: bool) -> Option<Np> {
    for c in (lo..hi).rev() {
        if cue_at(doc, c).is_some() && reporting_verb(doc, c) {
            return Some(Np::Nobody);
        }
        match cue_at(doc, c) {
            Some(Cue::Finite) => {
                if let Some(np) = subject_before(doc, lo, c) {
                    return Some(np);
                }
                let nothing_before = (lo..c).all(|t| !doc.is_word(t));
                if nothing_before && lexicon::invertible_cue(doc.lower(c)) {
                    if let Some(np) = speaker_after(doc, c + 1, hi) {
                        return Some(np);
                    }
                }
            }
            Some(Cue::Participle) if !finite_only => {
                // `with Ana Ruiz responding`: a name right before the
                // participle is its subject.
                let named = np_before(doc, lo, c).and_then(|r| classify(doc, r));
                if let Some(np @ Np::Person { .. }) = named {
                    return Some(np);
                }
                if let Some(np) = clause_subject(doc, lo, c) {
                    return Some(np);
                }
            }
            Some(Cue::According) if !finite_only => return according_to(doc, c + 2, hi),
            _ => {}
        }
    }
    None
}

/// Attribution written before the quote in the same sentence: `X said: "..."`,
/// `X said "..."`, `X said that "..."`, `X: "..."`, `According to X, "..."`,
/// and the second half of an interrupted quote (`..., she said, "..."`).
pub(super) fn direct_before(doc: &Doc, qt: usize) -> Option<Np> {
    let (sent_start, _) = doc.sentences[doc.sentence_of[qt]];
    let floor = sent_start.max(qt.saturating_sub(WINDOW));
    let lo = (floor..qt)
        .rev()
        .find(|&t| doc.quote_of(t).is_some())
        .map_or(floor, |t| t + 1);
    if lo >= qt {
        return None;
    }
    let last = qt - 1;
    if doc.punct(last) == Some(':') {
        if let Some(np) = last_cue(doc, lo, last, false) {
            return Some(np);
        }
        if let Some(range) = np_before(doc, lo, last).filter(|r| r.0 == lo) {
            return classify(doc, range);
        }
        // `Smith was blunt: "..."`, `His answer was short: "..."`: only a
        // person may speak through a clause that has no speech verb.
        return match clause_subject(doc, lo, last) {
            Some(np @ (Np::Person { .. } | Np::Pronoun(_))) => Some(np),
            _ => None,
        };
    }
    last_cue(doc, lo, qt, false)
}
