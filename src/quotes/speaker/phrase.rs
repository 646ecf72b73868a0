//! Noun phrase boundaries: where the phrase that ends right before a token
//! (the subject of `... said`) or starts right at one (the speaker in `said
//! ...`) begins and ends. Only token ranges come out; what the phrase names is
//! decided in `classify`.

use super::cues::cue_at;
use crate::quotes::lexicon;
use crate::quotes::names::{self, joins_run, run_word, NameKind};
use crate::quotes::tokens::Doc;

/// A subject pronoun, in lower case.
pub(super) fn is_pronoun(word: &str) -> bool {
    matches!(word, "he" | "she" | "they" | "it" | "we" | "i")
}

/// `Doctors' Association`, `St Mary's Hospital`: a capitalised possessive
/// inside an institution's name.
pub(super) fn owns_institution(doc: &Doc, t: usize) -> bool {
    run_word(doc, t + 1) && lexicon::institution_word(doc.lower(t + 1))
}

/// A word that may stand before the head of a role phrase (`senior`,
/// `jailed`, `company`, `European`).
fn modifier_like(doc: &Doc, t: usize) -> bool {
    let l = doc.lower_bare(t);
    run_word(doc, t)
        || doc.is_possessive(t)
        || lexicon::title_word(&l)
        || names::is_role(&l)
        || lexicon::institution_word(&l)
        || lexicon::demonym(&l)
        || (l.ends_with("ed") && l.len() > 4)
        || lexicon::role_modifier(&l)
}

/// The noun phrase ending right before `end`, not reaching before `lo`.
pub(super) fn np_before(doc: &Doc, lo: usize, end: usize) -> Option<(usize, usize)> {
    if end <= lo || !doc.is_word(end - 1) {
        return None;
    }
    let head = end - 1;
    let hl = doc.lower(head);
    if is_pronoun(hl) {
        return Some((head, end));
    }
    let named = run_word(doc, head);
    let start = if named {
        named_start(doc, lo, end)
    } else {
        if lexicon::stop_word(hl) || cue_at(doc, head).is_some() || lexicon::calendar_word(hl) {
            return None;
        }
        common_start(doc, lo, head)
    };
    let start = with_determiner(doc, lo, start);
    if named {
        return Some((start, end));
    }
    Some((with_prepositions(doc, lo, start), end))
}

/// Start of a phrase whose head is a capitalised word: the run of capitalised
/// words ending at `end`, widened to the role it belongs to or to the role
/// phrase that titles it.
fn named_start(doc: &Doc, lo: usize, end: usize) -> usize {
    let k = run_start(doc, lo, end);
    // `a spokeswoman for Kestrel Energy`, `a spokesman for the Foreign
    // Office`: the role is the head.
    let det = k > lo && doc.starts_lower(k - 1) && lexicon::determiner(doc.lower(k - 1));
    let kk = if det { k - 1 } else { k };
    // ... unless the run ends in a person's name after an organisation
    // (`director at the Harlow Trust Ana Ruiz`).
    let role_of = kk >= lo + 2
        && doc.starts_lower(kk - 1)
        && lexicon::np_connector(doc.lower(kk - 1))
        && doc.starts_lower(kk - 2)
        && names::is_role(doc.lower(kk - 2))
        && {
            let split = names::split_run(doc, k, end);
            let named = split.title.1 > split.title.0
                && split.name.1 - split.name.0 >= 2
                && names::name_kind(doc, split.name, false) == NameKind::Person;
            !named
        };
    if role_of {
        let mut k = kk - 2;
        while k > lo && end - k < 10 && doc.is_word(k - 1) && modifier_like(doc, k - 1) {
            k -= 1;
        }
        k
    }
    // A role phrase before the run is its title: a few lower-case
    // modifiers, then capitalised ones (`US State Department spokesman`,
    // `jailed opposition leader`).
    else if k > lo && doc.starts_lower(k - 1) && names::is_role(doc.lower(k - 1)) {
        role_title_start(doc, lo, k - 1)
    } else {
        k
    }
}

/// Start of the run of capitalised words (with the particles and `of`s that
/// join them) ending at `end`.
fn run_start(doc: &Doc, lo: usize, end: usize) -> usize {
    let mut k = end;
    while k > lo {
        let t = k - 1;
        let joins = t > lo && joins_run(doc, t);
        if (run_word(doc, t) && (!doc.is_possessive(t) || owns_institution(doc, t))) || joins {
            k -= 1;
        } else {
            break;
        }
    }
    k
}

/// Start of the role phrase whose role noun is at `role`: up to three
/// lower-case modifiers, then up to four capitalised ones.
fn role_title_start(doc: &Doc, lo: usize, role: usize) -> usize {
    let mut k = role;
    let mut lower_mods = 0;
    while k > lo
        && lower_mods < 3
        && doc.is_word(k - 1)
        && modifier_like(doc, k - 1)
        && !doc.is_cap(k - 1)
    {
        k -= 1;
        lower_mods += 1;
    }
    let mut cap_mods = 0;
    while k > lo && cap_mods < 4 && run_word(doc, k - 1) && !doc.is_possessive(k - 1) {
        k -= 1;
        cap_mods += 1;
    }
    k
}

/// Start of a phrase whose head `head` is a lower-case noun: up to four
/// modifiers before it (`senior company officials`), stopping at a
/// determiner, a function word or a speech cue.
fn common_start(doc: &Doc, lo: usize, head: usize) -> usize {
    let mut k = head;
    let mut count = 0;
    while k > lo && count < 4 && doc.is_word(k - 1) {
        let t = k - 1;
        let l = doc.lower(t);
        if lexicon::determiner(l) {
            break;
        }
        let connects = lexicon::np_connector(l)
            && t > lo
            && doc.is_word(t - 1)
            && (names::is_role(doc.lower(t - 1)) || lexicon::institution_word(doc.lower(t - 1)));
        // A plain noun may open the phrase (`election officials`) when
        // nothing but a determiner or a boundary stands before it.
        let opens = t == lo || !doc.is_word(t - 1) || lexicon::determiner(doc.lower(t - 1));
        let plain_noun =
            opens && !l.ends_with("ly") && !lexicon::calendar_word(l) && doc.starts_lower(t);
        let blocked = lexicon::stop_word(l) || cue_at(doc, t).is_some();
        if !connects && (blocked || !(modifier_like(doc, t) || plain_noun)) {
            break;
        }
        k = t;
        count += 1;
    }
    k
}

/// `k`, or the token before it when that is a determiner (`the`, `a`).
fn with_determiner(doc: &Doc, lo: usize, k: usize) -> usize {
    if k > lo && doc.is_word(k - 1) && lexicon::determiner(doc.lower(k - 1)) {
        k - 1
    } else {
        k
    }
}

/// Start of a lower-case phrase starting at `k`, widened to the noun before
/// up to two prepositions: `a voice from the gallery`, `one of the people`,
/// `a lawyer for one of the men` belong to their head noun.
fn with_prepositions(doc: &Doc, lo: usize, mut k: usize) -> usize {
    for _ in 0..2 {
        if k < lo + 2 || !doc.starts_lower(k - 1) || !doc.starts_lower(k - 2) {
            break;
        }
        let prep = doc.lower(k - 1);
        let noun = doc.lower(k - 2);
        let quantity = matches!(
            noun,
            "one" | "some" | "many" | "most" | "none" | "two" | "three" | "several" | "each"
        );
        let joins = matches!(prep, "of" | "for" | "at" | "from" | "in" | "with")
            && (quantity || (!lexicon::stop_word(noun) && !lexicon::determiner(noun)))
            && cue_at(doc, k - 2).is_none()
            && !lexicon::calendar_word(noun);
        if !joins {
            break;
        }
        k = with_determiner(doc, lo, k - 2);
    }
    k
}

/// The noun phrase starting at `start`, not reaching `hi`.
pub(super) fn np_after(doc: &Doc, start: usize, hi: usize) -> Option<(usize, usize)> {
    let mut k = start;
    // `one of his close friends`, `some of the residents`: the part and the
    // whole are one phrase.
    let part_of = k + 3 < hi
        && doc.is_word(k + 1)
        && doc.lower(k + 1) == "of"
        && matches!(
            doc.lower(k),
            "one" | "some" | "many" | "most" | "several" | "two" | "three" | "none" | "each"
        );
    if part_of {
        k += 2;
    }
    if k < hi && doc.is_word(k) && lexicon::determiner(doc.lower(k)) {
        k += 1;
    } else if k < hi && doc.is_word(k) && is_pronoun(doc.lower(k)) {
        return Some((k, k + 1));
    }
    let body = k;
    let mut head_seen = false;
    let mut name_seen = false;
    while k < hi && k - start < 10 && doc.is_word(k) {
        let l = doc.lower_bare(k);
        if run_word(doc, k) {
            k += 1;
            // After `Kestrel's`, what follows is a new head (`Kestrel's chief`).
            let possessive = doc.is_possessive(k - 1);
            head_seen &= !possessive;
            name_seen = !possessive;
            continue;
        }
        let next_ok = doc.is_word(k + 1)
            && (run_word(doc, k + 1)
                || lexicon::determiner(doc.lower(k + 1))
                || doc.starts_lower(k + 1));
        // `of` after a name starts an affiliation, not more of the name
        // (`Tobias Wren of Greyfield Securities`).
        let after_name = k > 0 && run_word(doc, k - 1) && !joins_run(doc, k);
        if lexicon::np_connector(&l) && k > body && k + 1 < hi && next_ok && !after_name {
            k += 1;
            head_seen = false;
            continue;
        }
        if lexicon::stop_word(&l)
            || cue_at(doc, k).is_some()
            || lexicon::calendar_word(&l)
            || (l.ends_with("ly") && !names::is_role(&l))
        {
            break;
        }
        let nounish_at = |t: usize| {
            let l = doc.lower_bare(t);
            doc.starts_lower(t)
                && (names::is_role(&l)
                    || lexicon::institution_word(&l)
                    || lexicon::title_word(&l)
                    || lexicon::document_noun(&l))
        };
        // `the White House pool report`: a noun before a head noun.
        let compound = name_seen
            && k + 1 < hi
            && nounish_at(k + 1)
            && !lexicon::stop_word(&l)
            && cue_at(doc, k + 1).is_none();
        let nounish = compound
            || names::is_role(&l)
            || lexicon::institution_word(&l)
            || lexicon::title_word(&l);
        // After a head noun or a name, a plain lower-case word is a verb
        // (`Castell smiled`, `the company expects`), not part of the phrase.
        if (head_seen || name_seen) && !nounish {
            break;
        }
        head_seen |= nounish;
        k += 1;
    }
    (k > body).then_some((start, k))
}
