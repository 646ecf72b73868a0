//! What a name names: a person, maybe a person (one unknown word), or
//! something else (a place, an organisation, a bare title); and the gender
//! that honorifics, gendered titles and given names tell. Tests on a name's
//! words and the word before it only; finding the names is `runs`' work.

use super::{Gender, NameKind};
use crate::quotes::lexicon;
use crate::quotes::tokens::Doc;

/// Decides whether the name tokens `[a, b)` name a person. `evidence` is true
/// when a person title, an honorific or a role noun stands before them.
pub(crate) fn name_kind(doc: &Doc, (a, b): (usize, usize), evidence: bool) -> NameKind {
    let n = b.saturating_sub(a);
    if n == 0 || n > 5 {
        return NameKind::Other;
    }
    let words: Vec<String> = (a..b).map(|t| doc.lower_bare(t)).collect();
    let first = words[0].as_str();
    let last = words[n - 1].as_str();
    // `Foreign Secretary`, `Russian President`: titles alone; but a known
    // given name keeps `John Major` and `Carole King` people.
    let title_only = lexicon::title_word(last) && !lexicon::first_name(first);
    // After a title or an honorific a lone word is a surname even when it
    // spells a nationality or a place (`Mr English`, `Minister Jordan`).
    let titled = a > 0 && doc.is_word(a - 1) && {
        let before = doc.lower(a - 1);
        lexicon::honorific(before) || lexicon::role_noun(before)
    };
    let lone_not_name = lexicon::org_name(first)
        || lexicon::sentence_starter(first)
        || lexicon::title_word(first)
        || lexicon::finite_cue(first)
        || ((!evidence || !titled) && (lexicon::place(first) || lexicon::demonym(first)));
    let hard_reject = words.iter().any(|w| lexicon::org_word(w))
        || (a..b).any(|t| doc.is_acronym(t) || !doc.is_word(t))
        || title_only
        || (n == 1 && lone_not_name)
        || (n >= 2 && lexicon::place_prefix(first) && !lexicon::first_name(first))
        || (n >= 2 && lexicon::place(last));
    if hard_reject {
        return NameKind::Other;
    }
    if evidence || lexicon::first_name(first) {
        return NameKind::Person;
    }
    // Institution words are heads and come last (`Hyde Park`, `Station
    // Road`); first they are often surnames (`Hall Min-jun`, `Hall Ortega`).
    let weak = if n == 1 { &words[..] } else { &words[1..] };
    if weak.iter().any(|w| lexicon::weak_org_word(w)) {
        return NameKind::Other;
    }
    if n == 1 {
        return NameKind::Maybe;
    }
    let plain = words.iter().all(|w| {
        !lexicon::demonym(w) && !lexicon::calendar_word(w) && !lexicon::sentence_starter(w)
    });
    if plain {
        NameKind::Person
    } else {
        NameKind::Other
    }
}

/// Gender told by honorifics, gendered titles or a given name.
pub(super) fn gender_hint(words: &[String], first_name: Option<&str>) -> Option<Gender> {
    for w in words {
        if lexicon::male_marker(w) {
            return Some(Gender::Male);
        }
        if lexicon::female_marker(w) {
            return Some(Gender::Female);
        }
    }
    let first = first_name?;
    if lexicon::male_first_name(first) {
        Some(Gender::Male)
    } else if lexicon::female_first_name(first) {
        Some(Gender::Female)
    } else {
        None
    }
}

/// A role noun, singular or plural.
pub(crate) fn is_role(word: &str) -> bool {
    lexicon::role_noun(word) || word.strip_suffix('s').is_some_and(lexicon::role_noun)
}
