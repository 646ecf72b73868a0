//! Name tests: title and name splitting (`runs`), what a name names
//! (`kind`), canonical names and titles (`people`), pronouns and role phrases
//! (`references`). They share one helper that builds a `Doc` from text.

use super::references::person_role;
use super::*;
use crate::quotes::{marks, tokens::Doc};

fn with_doc<R>(text: &str, f: impl FnOnce(&Doc) -> R) -> R {
    let chars: Vec<char> = text.chars().collect();
    let paras = marks::paragraphs(&chars);
    let spans = marks::find_spans(&chars, &paras);
    let doc = Doc::build(&chars, paras, spans);
    f(&doc)
}

fn find(doc: &Doc, word: &str) -> usize {
    (0..doc.tokens.len())
        .find(|&t| doc.text(t) == word)
        .unwrap_or(usize::MAX)
}

#[test]
fn title_is_split_from_the_name() {
    with_doc("Russian President Vladimir Putin spoke.", |doc| {
        let s = split_run(doc, 0, 4);
        assert_eq!(doc.join(s.title.0, s.title.1), "Russian President");
        assert_eq!(doc.join(s.name.0, s.name.1), "Vladimir Putin");
    });
}

#[test]
fn title_with_of_and_leading_acronym_is_split() {
    with_doc("US Secretary of State Antony Blinken spoke.", |doc| {
        let s = split_run(doc, 0, 6);
        assert_eq!(doc.join(s.name.0, s.name.1), "Antony Blinken");
    });
}

#[test]
fn leading_acronym_is_not_part_of_a_name() {
    with_doc("and NATO Putin asserted", |doc| {
        let s = split_run(doc, 1, 3);
        assert_eq!(doc.join(s.name.0, s.name.1), "Putin");
    });
}

#[test]
fn surname_that_is_a_title_word_stays_a_name() {
    with_doc(
        "Martin Luther King spoke. John Major and the Foreign Secretary met.",
        |doc| {
            let s = split_run(doc, 0, 3);
            assert_eq!(doc.join(s.name.0, s.name.1), "Martin Luther King");
            assert_eq!(name_kind(doc, s.name, false), NameKind::Person);
            let major = find(doc, "John");
            assert_eq!(name_kind(doc, (major, major + 2), false), NameKind::Person);
            let fs = find(doc, "Foreign");
            assert_eq!(name_kind(doc, (fs, fs + 2), false), NameKind::Other);
        },
    );
}

#[test]
fn places_and_organisations_are_not_people() {
    with_doc("United States State Department Moscow Kyiv", |doc| {
        assert_eq!(name_kind(doc, (0, 2), false), NameKind::Other);
        assert_eq!(name_kind(doc, (2, 4), false), NameKind::Other);
        assert_eq!(name_kind(doc, (4, 5), false), NameKind::Other);
    });
}

#[test]
fn surname_alone_maps_to_the_full_name() {
    with_doc(
        "Vladimir Putin spoke. Later Putin left. Ms Truss and Liz Truss met.",
        |doc| {
            let people = People::build(doc);
            assert_eq!(
                people.canonical(&["Putin".into()], find(doc, "Later")),
                "Vladimir Putin"
            );
            assert_eq!(
                people.canonical(&["Truss".into()], find(doc, "Ms")),
                "Liz Truss"
            );
        },
    );
}

#[test]
fn role_noun_before_a_name_is_its_title() {
    with_doc(
        "Foreign ministry spokesman Zhang Wei told a briefing.",
        |doc| {
            let people = People::build(doc);
            assert_eq!(
                people.title_of("zhang wei").as_deref(),
                Some("Foreign ministry spokesman")
            );
        },
    );
}

#[test]
fn pronouns_take_the_most_recent_person_of_matching_gender() {
    with_doc("Mr Tom Hale met Anna Berg. He left. She stayed.", |doc| {
        let mut people = People::build(doc);
        let res = people.resolve_references(doc, &[], &[]);
        assert_eq!(
            res.get(&find(doc, "He")),
            Some(&Referent::Person("tom hale".into()))
        );
        assert_eq!(
            res.get(&find(doc, "She")),
            Some(&Referent::Person("anna berg".into()))
        );
    });
}

#[test]
fn pronoun_use_fixes_an_unknown_gender() {
    with_doc(
        "Kofi Dlamini and Ren Sato met. Sato said she was tired. He left.",
        |doc| {
            let mut people = People::build(doc);
            let res = people.resolve_references(doc, &[], &[]);
            assert_eq!(
                res.get(&find(doc, "she")),
                Some(&Referent::Person("ren sato".into()))
            );
            assert_eq!(
                res.get(&find(doc, "He")),
                Some(&Referent::Person("kofi dlamini".into()))
            );
        },
    );
}

#[test]
fn person_role_reads_the_head_of_a_role_phrase() {
    assert_eq!(
        person_role("one consultant at a Riverside hospital"),
        Some(None)
    );
    assert_eq!(
        person_role("a company spokeswoman"),
        Some(Some(Gender::Female))
    );
    assert_eq!(person_role("one of the men"), Some(Some(Gender::Male)));
    assert_eq!(person_role("officials"), None);
    assert_eq!(person_role("the ministry"), None);
}

#[test]
fn honorific_gives_gender() {
    with_doc("Mrs Okafor and Rami Haddad met. He spoke.", |doc| {
        let mut people = People::build(doc);
        let res = people.resolve_references(doc, &[], &[]);
        assert_eq!(
            res.get(&find(doc, "He")),
            Some(&Referent::Person("rami haddad".into()))
        );
    });
}
