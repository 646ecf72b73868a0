use super::*;

fn terms(text: &str) -> Vec<String> {
    Analyzer::new(AnalyzerSettings::default()).terms(text)
}

fn plain(text: &str) -> Vec<String> {
    Analyzer::new(AnalyzerSettings {
        stem: None,
        negation: false,
        ..AnalyzerSettings::default()
    })
    .terms(text)
}

#[test]
fn table_of_analysis_cases() {
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("   \n\t ", &[]),
        ("We will respond.", &["we", "will", "respond"]),
        ("We won't back down", &["we", "will", "not", "back", "down"]),
        ("They don't want war", &["they", "do", "not", "want", "war"]),
        ("Russia\u{2019}s army", &["russia", "army"]),
        ("Russia's army", &["russia", "army"]),
        ("we\u{2019}ll talk", &["we", "will", "talk"]),
        (
            "they're ready; I'm not",
            &["they", "are", "ready", "i", "am", "not"],
        ),
        (
            "I can't and I cannot",
            &["i", "can", "not", "and", "i", "can", "not"],
        ),
        ("rock'n'roll", &["rock'n'roll"]),
        ("1,200 troops in 2021", &["<num>", "troops", "in", "<num>"]),
        ("Zürich ÉTÉ", &["zürich", "été"]),
        (
            "Мы готовы к переговорам",
            &["мы", "готовы", "к", "переговорам"],
        ),
        ("good news 😊", &["good", "news", "😊"]),
        ("停火 协议", &["停", "火", "协", "议"]),
    ];
    for (text, want) in cases {
        assert_eq!(&plain(text), want, "input {text:?}");
    }
}

#[test]
fn negation_scope_runs_to_the_next_punctuation() {
    let got = Analyzer::new(AnalyzerSettings {
        stem: None,
        ..AnalyzerSettings::default()
    })
    .terms("we do not want war, but peace");
    assert_eq!(
        got,
        ["we", "do", "not", "NEG_want", "NEG_war", "but", "peace"]
    );
}

#[test]
fn negation_applies_to_split_contractions() {
    let got = Analyzer::new(AnalyzerSettings {
        stem: None,
        ..AnalyzerSettings::default()
    })
    .terms("We won't negotiate.");
    assert_eq!(got, ["we", "will", "not", "NEG_negotiate"]);
}

#[test]
fn english_stemming_is_snowball() {
    assert_eq!(
        terms("threatening threats negotiations"),
        ["threaten", "threat", "negoti"]
    );
    assert_eq!(terms("never attacking"), ["never", "NEG_attack"]);
}

#[test]
fn stemming_language_is_configurable() {
    let a = Analyzer::new(AnalyzerSettings {
        stem: Some(Language::French),
        ..AnalyzerSettings::default()
    });
    assert_eq!(a.terms("les négociations"), ["le", "négoci"]);
    assert_eq!(Language::parse("French"), Some(Language::French));
    assert_eq!(Language::parse("klingon"), None);
}

#[test]
fn stop_words_are_off_by_default_and_keep_stance_words() {
    assert_eq!(
        plain("the talks will fail if not"),
        ["the", "talks", "will", "fail", "if", "not"]
    );
    let a = Analyzer::new(AnalyzerSettings {
        stop_words: true,
        stem: None,
        negation: false,
        ..AnalyzerSettings::default()
    });
    assert_eq!(
        a.terms("the talks will fail if not"),
        ["talks", "will", "fail", "if", "not"]
    );
}

#[test]
fn stop_word_list_is_sorted_for_binary_search() {
    assert!(stopwords::ENGLISH.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn offsets_point_into_the_original_text() {
    let text = "We WON\u{2019}T go — Ruiz\u{2019}s team said";
    let toks = Analyzer::new(AnalyzerSettings::default()).tokens(text);
    let spans: Vec<&str> = toks.iter().map(|t| &text[t.start..t.end]).collect();
    assert_eq!(
        spans,
        ["We", "WO", "N\u{2019}T", "go", "Ruiz", "team", "said"]
    );
}

proptest::proptest! {
    #[test]
    fn analysis_never_panics_and_offsets_are_char_boundaries(text in "\\PC{0,200}") {
        let toks = Analyzer::new(AnalyzerSettings::default()).tokens(&text);
        for t in &toks {
            proptest::prop_assert!(t.start <= t.end && t.end <= text.len());
            proptest::prop_assert!(text.is_char_boundary(t.start));
            proptest::prop_assert!(text.is_char_boundary(t.end));
        }
    }
}
