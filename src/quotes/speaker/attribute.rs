//! The attribution pass: every quote in order, the same-sentence rules
//! first, then, for quotes without a cue, the fallbacks (a cue in the
//! sentence before, the previous quote's speaker, a cue opening the next
//! sentence). Parts of one multi-paragraph quote share a speaker.

use super::cues::{cue_at, name_quote, Cue};
use super::headlines::inherit_headline_speakers;
use super::partial::word_count;
use super::resolve::{Found, Resolver};
use super::rules::{direct_after, direct_before, last_cue};
use super::subject::subject_before;
use super::{Attribution, Np, QuoteFlags, WINDOW};
use crate::quotes::names::People;
use crate::quotes::tokens::{Doc, Kind};

/// The last quote attributed so far, for quotes that carry no cue.
struct Previous {
    para: usize,
    /// Token of the quote.
    tok: usize,
    sentence: usize,
    attribution: Attribution,
}

/// Attributes every quote span of the document.
pub(crate) fn attribute(doc: &Doc, mut people: People, flags: &[QuoteFlags]) -> Vec<Attribution> {
    let n = doc.spans.len();
    let direct: Vec<Option<Np>> = (0..n)
        .map(|s| {
            let qt = doc.quote_token[s];
            direct_after(doc, qt).or_else(|| direct_before(doc, qt))
        })
        .collect();
    // Organisations and role phrases that speak anywhere in the running
    // text (`election officials said ...`) are what a later `they` or `it`
    // may refer to, quote or no quote.
    let mut groups: Vec<(usize, String)> = (0..doc.tokens.len())
        .filter(|&t| cue_at(doc, t) == Some(Cue::Finite))
        .filter_map(|t| {
            let (sent_lo, _) = doc.sentences[doc.sentence_of[t]];
            match subject_before(doc, sent_lo.max(t.saturating_sub(WINDOW)), t) {
                Some(Np::Group(text, at)) => Some((at, text)),
                _ => None,
            }
        })
        .collect();
    let mut epithets: Vec<(usize, String)> = Vec::new();
    for np in direct.iter().flatten() {
        match np {
            Np::Group(text, at) => groups.push((*at, text.clone())),
            Np::Epithet(_, at, head) => epithets.push((*at, head.clone())),
            _ => {}
        }
    }
    groups.sort_by_key(|g| g.0);
    epithets.sort_by_key(|g| g.0);
    let pronouns = people.resolve_references(doc, &groups, &epithets);
    let mut r = Resolver {
        doc,
        people,
        pronouns,
    };

    let mut out = vec![Attribution::default(); n];
    let mut previous: Option<Previous> = None;
    let mut s = 0;
    while s < n {
        // A multi-paragraph quote: its parts share one speaker.
        let mut e = s + 1;
        while e < n && doc.spans[e].continues_prev && doc.spans[e - 1].continues_next {
            e += 1;
        }
        let first_direct = direct[s..e].iter().flatten().next().cloned();
        let mut found = r.settle(first_direct);
        let scare = flags[s].scare;
        let sentence = doc.sentence_of[doc.quote_token[s]];
        if found == Found::Open && !flags[s].partial {
            found = fallback(&mut r, s, previous.as_ref());
        } else if found == Found::Open {
            // A partial quote shares the attribution of a quote earlier in
            // the same sentence (`said it had "acted" and that it was "..."`);
            // one of four or more words with no cue of its own goes on with
            // the speaker of the quote in the same or the previous paragraph.
            let para = doc.spans[s].para;
            let qt = doc.quote_token[s];
            // ... unless someone else is named since (`Chairman X repeated
            // that he wants "..."`).
            let continues = |p: &&Previous| {
                p.sentence == sentence
                    || (!scare
                        && word_count(doc, s) >= 4
                        && p.para + 1 >= para
                        && p.attribution
                            .speaker
                            .as_deref()
                            .is_some_and(|sp| !r.people.other_mentioned(p.tok, qt, sp)))
            };
            if let Some(p) = previous.as_ref().filter(continues) {
                found = Found::Settled(p.attribution.clone());
            }
        }
        let attribution = match found {
            Found::Settled(a) => a,
            Found::Open => Attribution::default(),
        };
        for slot in &mut out[s..e] {
            *slot = attribution.clone();
        }
        if !scare {
            previous = Some(Previous {
                para: doc.spans[e - 1].para,
                tok: doc.quote_token[e - 1],
                sentence: doc.sentence_of[doc.quote_token[e - 1]],
                attribution,
            });
        }
        s = e;
    }
    inherit_headline_speakers(doc, &mut out);
    out
}

/// Rules for a quote without a cue of its own, in order: a speech verb in the
/// sentence just before (same paragraph, no quote in it); the quote just
/// before in the same paragraph; a speech verb opening the next sentence; the
/// quote just before in the previous paragraph.
fn fallback(r: &mut Resolver, s: usize, previous: Option<&Previous>) -> Found {
    let doc = r.doc;
    let qt = doc.quote_token[s];
    let para = doc.spans[s].para;
    let (plo, phi) = doc.para_range[para];
    let si = doc.sentence_of[qt];
    let (sent_lo, sent_hi) = doc.sentences[si];

    if qt == sent_lo && si > 0 {
        let (lo, hi) = doc.sentences[si - 1];
        // The sentence before may close the previous paragraph when the
        // quote opens its own (a speech introduced by `..., before he spoke.`).
        let adjacent = lo >= plo || qt == plo;
        // Size first: the quote scan must stay bounded on giant sentences.
        let quoted = (lo..hi).any(|t| doc.quote_of(t).is_some() && !name_quote(doc, t));
        if adjacent && hi - lo <= 4 * WINDOW && !quoted {
            let found = r.settle(last_cue(doc, lo, hi, true));
            if found != Found::Open {
                return found;
            }
        }
    }
    if let Some(p) = previous.filter(|p| p.para == para && p.attribution.speaker.is_some()) {
        return Found::Settled(p.attribution.clone());
    }
    // Only a quote standing as its own sentence takes the subject of the
    // next one: after `X e-mailed me that "..."` the next sentence's subject
    // is someone else.
    let ends_sentence = (qt + 1..sent_hi).all(|t| doc.tokens[t].kind == Kind::Punct);
    let opens_sentence = (sent_lo..qt).all(|t| !doc.is_word(t));
    if ends_sentence && opens_sentence && sent_hi < phi {
        let (lo, hi) = doc.sentences[doc.sentence_of[sent_hi]];
        let end = hi.min(lo + 8);
        for c in lo..end {
            if doc.quote_of(c).is_some() {
                break;
            }
            if cue_at(doc, c) == Some(Cue::Finite) {
                let subject = subject_before(doc, lo, c);
                let found = r.settle(subject);
                if found != Found::Open {
                    return found;
                }
                break;
            }
        }
    }
    if let Some(p) = previous.filter(|p| p.para + 1 == para && p.attribution.speaker.is_some()) {
        return Found::Settled(p.attribution.clone());
    }
    Found::Open
}
