//! What a noun phrase names: a person (with the title written beside the
//! name), a pronoun, an epithet for someone named earlier (`the Russian
//! leader`), a group or role phrase, a document, or nobody. Kept apart from
//! `phrase`, which only finds the phrase's boundaries.

use super::phrase::{is_pronoun, np_after, owns_institution};
use super::Np;
use crate::quotes::lexicon;
use crate::quotes::names::{self, joins_run, run_word, NameKind};
use crate::quotes::tokens::Doc;

/// Turns a noun phrase into a speaker phrase.
pub(super) fn classify(doc: &Doc, (a, b): (usize, usize)) -> Option<Np> {
    if b <= a {
        return None;
    }
    if b - a == 1 && is_pronoun(doc.lower(a)) {
        return Some(Np::Pronoun(a));
    }
    let s = if lexicon::determiner(doc.lower(a)) {
        a + 1
    } else {
        a
    };
    let mut r = b;
    while r > s {
        let t = r - 1;
        let joins = t > s && joins_run(doc, t);
        if (run_word(doc, t) && !(t + 1 < b && doc.is_possessive(t) && !owns_institution(doc, t)))
            || joins
        {
            r -= 1;
        } else {
            break;
        }
    }
    // `spokeswoman for Kestrel Energy`, `lawyer for Dan Cole`: the role
    // speaks, not the name after the connector.
    let conn = if r > s + 1 && doc.starts_lower(r - 1) && lexicon::determiner(doc.lower(r - 1)) {
        r - 1
    } else {
        r
    };
    let role_of = conn > s
        && r < b
        && doc.starts_lower(conn - 1)
        && lexicon::np_connector(doc.lower(conn - 1));
    if r < b && !doc.is_possessive(b - 1) && !role_of {
        let split = names::split_run(doc, r, b);
        let title_words: Vec<String> = (s..split.title.1)
            .map(|t| doc.lower(t).to_string())
            .collect();
        let evidence = title_words
            .iter()
            .any(|w| names::is_role(w) || lexicon::title_word(w) || lexicon::honorific(w));
        let kind = names::name_kind(doc, split.name, evidence);
        if kind != NameKind::Other {
            // Acronyms or nationality words alone are no title (`NATO Putin`).
            let title = evidence.then(|| doc.join(s, split.title.1));
            return Some(Np::Person {
                name: split.name,
                title,
            });
        }
        if let Some(head) = epithet_head(doc, a, b) {
            return Some(Np::Epithet(group_text(doc, a, b), a, head));
        }
        return Some(Np::Group(group_text(doc, a, b), a));
    }
    let head = doc.lower_bare(b - 1);
    // `His answer was short: "..."`: the owner of the words speaks.
    if b == a + 2 && matches!(doc.lower(a), "his" | "her" | "their") && lexicon::speech_noun(&head)
    {
        return Some(Np::Pronoun(a));
    }
    if lexicon::document_noun(&head) {
        // `the White House pool report` names its source; a bare `the
        // document` stands for the one the article described earlier.
        if b - s >= 2 && (s..b).any(|t| doc.is_cap(t)) {
            return Some(Np::Group(group_text(doc, a, b), a));
        }
        return Some(match introduced_document(doc, a, &head) {
            Some(text) => Np::Group(text, a),
            None => Np::Nobody,
        });
    }
    if lexicon::stop_word(&head) || !head.chars().any(char::is_alphabetic) || b == s {
        return None;
    }
    // A bare singular noun is rarely a subject (`... retail park said`
    // comes from a longer phrase we cannot see): plurals, roles and a few
    // collective nouns stand alone (`officials`, `police`).
    let bare = s == a && b == a + 1;
    let standalone = head.ends_with('s')
        || names::is_role(&head)
        || matches!(
            head.as_str(),
            "police" | "staff" | "management" | "government" | "military" | "security"
        );
    if bare && !standalone {
        return None;
    }
    if let Some(head) = epithet_head(doc, a, b) {
        return Some(Np::Epithet(group_text(doc, a, b), a, head));
    }
    Some(Np::Group(group_text(doc, a, b), a))
}

/// How far back (in tokens) a bare `the document` looks for the sentence
/// that introduced it.
const DOCUMENT_LOOK_BACK: usize = 400;

/// The description an article gave a document when it introduced it (`An
/// internal memo obtained by the Ledger`), for a later bare `the memo`:
/// an indefinite phrase with the same head and at least one more word, with
/// a `obtained by X`-like or `from X` phrase after it. `None` when the article
/// gives no more than the bare noun.
fn introduced_document(doc: &Doc, at: usize, head: &str) -> Option<String> {
    let lo = at.saturating_sub(DOCUMENT_LOOK_BACK);
    for t in (lo..at).rev() {
        // Cheap test first: this loop may see hundreds of tokens.
        let tok = doc.tokens[t];
        let first = doc.chars[tok.start].to_lowercase().next();
        if !doc.is_word(t) || first != head.chars().next() || doc.lower_bare(t) != head {
            continue;
        }
        let mut k = t;
        while k > lo && t - k < 4 && doc.is_word(k - 1) {
            let l = doc.lower(k - 1);
            if lexicon::determiner(l) || lexicon::stop_word(l) {
                break;
            }
            k -= 1;
        }
        let indefinite = k > lo && doc.is_word(k - 1) && matches!(doc.lower(k - 1), "a" | "an");
        if !indefinite || k == t {
            continue;
        }
        let (_, sent_hi) = doc.sentences[doc.sentence_of[t]];
        let hi = sent_hi.min(t + 12);
        let mut end = t + 1;
        let next = if doc.is_word(t + 1) {
            doc.lower(t + 1).to_string()
        } else {
            String::new()
        };
        let from = if next.ends_with("ed") && doc.is_word(t + 2) && doc.lower(t + 2) == "by" {
            Some(t + 3)
        } else if matches!(next.as_str(), "from" | "by") {
            Some(t + 2)
        } else {
            None
        };
        if let Some(r) = from.and_then(|f| np_after(doc, f, hi)) {
            end = r.1;
        }
        return Some(group_text(doc, k - 1, end));
    }
    None
}

/// The head of `the [modifiers] HEAD` when HEAD is a nationality, an age
/// (`34-year-old`) or a person's role, and nothing marks an institution.
fn epithet_head(doc: &Doc, a: usize, b: usize) -> Option<String> {
    if doc.lower(a) != "the" || b < a + 2 {
        return None;
    }
    let plain = (a + 1..b).all(|t| {
        let l = doc.lower(t);
        !doc.is_possessive(t) && !lexicon::np_connector(l) && !lexicon::institution_word(l)
    });
    let head = doc.lower(b - 1);
    let age = head.ends_with("-year-old");
    let person_head =
        lexicon::demonym(head) || age || (lexicon::role_noun(head) && !head.ends_with('s'));
    (plain && person_head).then(|| {
        if age {
            "year-old".to_string()
        } else {
            head.to_string()
        }
    })
}

/// The phrase as written, with a leading determiner in lower case.
pub(super) fn group_text(doc: &Doc, a: usize, b: usize) -> String {
    let mut text = doc.join(a, b);
    if lexicon::determiner(doc.lower(a)) {
        let first = doc.text(a);
        text.replace_range(..first.len(), &first.to_lowercase());
    }
    text
}
