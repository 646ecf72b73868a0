//! The speaker a cue points to: the subject before the verb (through
//! adverbs, time phrases and appositives: `Ethan Cole, a senior fellow,
//! said`), the phrase after an inverted verb (`said Ethan Cole, a senior
//! fellow`), or the subject opening the clause (`The ministry issued a
//! statement saying`). The same-sentence and fallback rules all call these.

use super::classify::classify;
use super::cues::{name_quote, quoted_name};
use super::phrase::{np_after, np_before};
use super::Np;
use crate::quotes::lexicon;
use crate::quotes::names;
use crate::quotes::tokens::Doc;

/// The words after a comma that describe the person before it (`Ethan Cole,
/// a senior fellow at ...`), as a title; `None` for clauses (`who ...`).
fn appositive_title(doc: &Doc, start: usize, hi: usize) -> Option<String> {
    let mut end = start;
    while end < hi && end - start < 12 && doc.is_word(end) {
        end += 1;
    }
    // `a cardiologist who was not involved`: the relative clause is no title.
    let relative =
        (start + 1..end).find(|&t| matches!(doc.lower(t), "who" | "which" | "whose" | "that"));
    // An appositive is closed by a comma or the end of the sentence; words
    // running into a quote are the clause's subject (`According to Reeve,
    // the government "will not ..."`).
    let closed = (end == hi && doc.quote_of(end).is_none())
        || matches!(doc.punct(end), Some(',' | '.' | ';' | ')'));
    if end == start || end - start >= 12 || !closed {
        return None;
    }
    let end = relative.unwrap_or(end);
    let first = doc.lower(start);
    let s = if matches!(first, "a" | "an" | "the") {
        start + 1
    } else {
        start
    };
    // A role word may follow its qualifiers (`operations director at ...`).
    let describes = s > start
        || (s..end.min(s + 3)).any(|t| {
            let w = doc.lower_bare(t);
            names::is_role(&w) || lexicon::title_word(&w)
        });
    (describes && s < end).then(|| doc.join(s, end))
}

/// Speaker phrase after a speech verb (`said Ethan Cole, a senior fellow`),
/// with an appositive title or an appositive name.
pub(super) fn speaker_after(doc: &Doc, start: usize, hi: usize) -> Option<Np> {
    let range = np_after(doc, start, hi)?;
    let np = classify(doc, range)?;
    if doc.punct(range.1) != Some(',') {
        return Some(np);
    }
    match np {
        Np::Person { name, title: None } => Some(Np::Person {
            name,
            title: appositive_title(doc, range.1 + 1, hi),
        }),
        Np::Group(text, at) | Np::Epithet(text, at, _) => {
            // `said the club's captain, Ana Ruiz`: the name follows the role.
            let named = np_after(doc, range.1 + 1, hi).and_then(|r| classify(doc, r));
            match named {
                Some(Np::Person { name, .. }) => Some(Np::Person {
                    name,
                    title: Some(strip_article(&text)),
                }),
                _ => Some(Np::Group(text, at)),
            }
        }
        other => Some(other),
    }
}

/// A role phrase without its leading article or possessive pronoun, as a
/// title (`the club's captain` gives `club's captain`, `her lawyer` gives
/// `lawyer`).
fn strip_article(text: &str) -> String {
    for article in [
        "the ", "a ", "an ", "his ", "her ", "their ", "its ", "our ",
    ] {
        if let Some(rest) = text.strip_prefix(article) {
            return rest.to_string();
        }
    }
    text.to_string()
}

/// The subject of the speech verb at `cue`, looking back no further than
/// `lo`: skips adverbs and time phrases, and reads appositives (`Ethan Cole,
/// a senior fellow, said`; `the union's leader, Ana Ruiz, said`).
pub(super) fn subject_before(doc: &Doc, lo: usize, cue: usize) -> Option<Np> {
    let mut j = cue;
    for _ in 0..6 {
        if j > lo && doc.starts_lower(j - 1) {
            let l = doc.lower(j - 1);
            if lexicon::skippable_before_cue(l) || (l.ends_with("ly") && l.len() > 3) {
                j -= 1;
                continue;
            }
        }
        if j >= lo + 2 && lexicon::calendar_word(doc.lower(j - 1)) && doc.is_word(j - 2) {
            let l = doc.lower(j - 2);
            if matches!(l, "on" | "last" | "this" | "late" | "early" | "next") {
                j -= 2;
                continue;
            }
        }
        break;
    }
    if j > lo && name_quote(doc, j - 1) {
        return quoted_name(doc, j - 1);
    }
    if j > lo && doc.is_word(j - 1) && matches!(doc.lower(j - 1), "and" | "but") {
        // `X declined to comment but wrote ...`: the clause's subject speaks.
        let (sent_lo, _) = doc.sentences[doc.sentence_of[j - 1]];
        return clause_subject(doc, lo.max(sent_lo), j - 1);
    }
    if j > lo && doc.punct(j - 1) == Some(',') {
        let app_end = j - 1;
        let mut p = app_end;
        while p > lo
            && app_end - p < 20
            && doc.punct(p - 1) != Some(',')
            && doc.quote_of(p - 1).is_none()
        {
            p -= 1;
        }
        if p == app_end || p <= lo || doc.punct(p - 1) != Some(',') {
            return None;
        }
        let subject_range = np_before(doc, lo, p - 1);
        let subject = subject_range.and_then(|r| classify(doc, r));
        // `Asim Ray, research director at the group, Cage, said`: two
        // appositives; the name before both speaks.
        if !matches!(subject, Some(Np::Person { .. })) {
            let mut c = p - 1;
            while c > lo && p - 1 - c < 20 && doc.punct(c - 1) != Some(',') && doc.is_word(c - 1) {
                c -= 1;
            }
            if c > lo + 1 && c < p - 1 && doc.punct(c - 1) == Some(',') {
                let first = np_before(doc, lo, c - 1).and_then(|r| classify(doc, r));
                if let Some(Np::Person { name, title }) = first {
                    return Some(Np::Person {
                        name,
                        title: appositive_title(doc, c, p - 1).or(title),
                    });
                }
            }
        }
        // Read forwards: the name opens the appositive and an affiliation
        // may follow it (`Mr Mbatha of the Civic Alliance`).
        let appositive = np_after(doc, p, app_end).and_then(|r| classify(doc, r));
        return match (subject, appositive) {
            (Some(Np::Person { name, title }), _) => Some(Np::Person {
                name,
                title: appositive_title(doc, p, app_end).or(title),
            }),
            // `Her rival, Mr Mbatha of the Civic Alliance, said`: the role
            // is the better title than a courtesy title.
            (Some(Np::Group(text, _) | Np::Epithet(text, _, _)), Some(Np::Person { name, .. })) => {
                Some(Np::Person {
                    name,
                    title: Some(strip_article(&text)),
                })
            }
            (subject, _) => subject,
        };
    }
    let range = np_before(doc, lo, j)?;
    // `The developer behind the retail park has described`: a phrase right
    // after a preposition is its object; the clause's subject speaks.
    let after_preposition = range.0 > lo
        && doc.starts_lower(range.0 - 1)
        && lexicon::preposition(doc.lower(range.0 - 1));
    if after_preposition {
        // `expert and director at the Harlow Trust Ana Ruiz said`: a full
        // name right before the verb speaks, whatever stands before it.
        if let Some(np @ Np::Person { name, .. }) = classify(doc, range) {
            if name.1 - name.0 >= 2 && name.1 == range.1 {
                return Some(np);
            }
        }
        let (sent_lo, _) = doc.sentences[doc.sentence_of[range.0]];
        return clause_subject(doc, lo.max(sent_lo), range.0 - 1);
    }
    classify(doc, range)
}

/// The subject at the start of a clause (`The ministry issued a statement
/// saying ...`), after an introductory phrase ending in a comma.
pub(super) fn clause_subject(doc: &Doc, lo: usize, limit: usize) -> Option<Np> {
    let mut s = lo;
    if doc.is_word(s) {
        let l = doc.lower(s);
        if lexicon::sentence_starter(l) && !lexicon::determiner(l) {
            let comma = (s..limit.min(s + 10)).find(|&t| doc.punct(t) == Some(','))?;
            s = comma + 1;
        }
    }
    np_after(doc, s, limit).and_then(|r| classify(doc, r))
}
