//! Polarity terms: a word list of positive and negative words, so that a sentiment model
//! can weigh words it never saw in training by the list's judgement.
//!
//! Each token whose analysed form is a listed word adds the term `p:pos` or `p:neg` beside
//! its ordinary terms; inside a negation scope (`not good` → `NEG_good`) the polarity flips.
//! The list is part of the feature settings, so a model file carries the list it was
//! trained with, and predicts the same way whatever list a later build ships.

use serde::{Deserialize, Serialize};

use crate::text::{Analyzed, Analyzer};
use crate::util::FastMap;

/// The term a positive word adds.
pub const POSITIVE: &str = "p:pos";
/// The term a negative word adds.
pub const NEGATIVE: &str = "p:neg";

/// The built-in list: `datasets/polarity.csv` (`word,polarity`), written for this project.
const BUILT_IN: &str = include_str!("../../datasets/polarity.csv");

/// Positive and negative words (lower case, single words), sorted and unique.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lexicon {
    /// Words that carry a positive feeling.
    pub positive: Vec<String>,
    /// Words that carry a negative feeling.
    pub negative: Vec<String>,
}

impl Lexicon {
    /// The list that ships with `stance` (`datasets/polarity.csv`).
    pub fn built_in() -> Lexicon {
        Lexicon::parse(BUILT_IN).unwrap_or_else(|e| unreachable!("built-in list: {e}"))
    }

    /// Parse `word,polarity` lines after a header; polarity is `positive` or `negative`.
    /// A word listed with both polarities is an error; blank lines are skipped.
    pub fn parse(text: &str) -> std::result::Result<Lexicon, String> {
        let (mut positive, mut negative) = (Vec::new(), Vec::new());
        for (i, line) in text.lines().enumerate().skip(1) {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (word, polarity) = line
                .split_once(',')
                .ok_or_else(|| format!("line {}: expected word,polarity", i + 1))?;
            let word = word.trim().to_lowercase();
            if word.is_empty() || word.contains(char::is_whitespace) {
                return Err(format!("line {}: {word:?} is not one word", i + 1));
            }
            match polarity.trim() {
                "positive" => positive.push(word),
                "negative" => negative.push(word),
                other => return Err(format!("line {}: polarity {other:?}", i + 1)),
            }
        }
        positive.sort();
        positive.dedup();
        negative.sort();
        negative.dedup();
        if let Some(w) = positive.iter().find(|w| negative.binary_search(w).is_ok()) {
            return Err(format!("{w:?} is listed as both positive and negative"));
        }
        Ok(Lexicon { positive, negative })
    }
}

/// A lexicon matched against one analysis pipeline's token hashes.
#[derive(Debug, Clone)]
pub(crate) struct Polarity {
    /// Token hash → positive?
    words: FastMap<u64, bool>,
}

impl Polarity {
    /// Each word as `analyzer` analyses it (stemmed, say), and its negated form, which
    /// counts with the other polarity.
    pub fn new(analyzer: &Analyzer, lexicon: &Lexicon) -> Polarity {
        let mut words = FastMap::default();
        let mut buf = Analyzed::default();
        let lists = [(&lexicon.positive, true), (&lexicon.negative, false)];
        for (list, positive) in lists {
            for w in list {
                analyzer.analyze_hashes_into(w, &mut buf);
                if let [t] = buf.words() {
                    words.entry(t.hash).or_insert(positive);
                }
                analyzer.analyze_hashes_into(&format!("not {w}"), &mut buf);
                if let [_, t] = buf.words() {
                    words.entry(t.hash).or_insert(!positive);
                }
            }
        }
        Polarity { words }
    }

    /// Calls `f` with the index and polarity of each listed token of `analyzed`.
    pub fn each(&self, analyzed: &Analyzed, mut f: impl FnMut(usize, bool)) {
        for (i, w) in analyzed.words().iter().enumerate() {
            if let Some(&positive) = self.words.get(&w.hash) {
                f(i, positive);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::AnalyzerSettings;

    fn polarity_of(text: &str, lexicon: &Lexicon) -> Vec<(String, bool)> {
        let a = Analyzer::new(AnalyzerSettings::default());
        let p = Polarity::new(&a, lexicon);
        let mut an = Analyzed::default();
        a.analyze_into(text, &mut an);
        let mut out = Vec::new();
        p.each(&an, |i, pos| {
            out.push((an.term(&an.words()[i]).to_string(), pos))
        });
        out
    }

    fn small() -> Lexicon {
        Lexicon::parse("word,polarity\nwonderful,positive\nhelpful,positive\nawful,negative\n")
            .unwrap()
    }

    #[test]
    fn listed_words_match_through_stemming_and_negation_flips_them() {
        assert_eq!(
            polarity_of("A wonderful, helpful day. Not awful at all", &small()),
            [
                ("wonder".to_string(), true),
                ("help".to_string(), true),
                ("NEG_aw".to_string(), true),
            ]
        );
        assert_eq!(
            polarity_of("not wonderful", &small()),
            [("NEG_wonder".to_string(), false)]
        );
    }

    #[test]
    fn bad_lists_are_refused_with_the_line() {
        for (text, says) in [
            ("word,polarity\ngood\n", "line 2"),
            ("word,polarity\ngood,great\n", "polarity \"great\""),
            ("word,polarity\nvery good,positive\n", "not one word"),
            ("word,polarity\ngood,positive\ngood,negative\n", "both"),
        ] {
            let e = Lexicon::parse(text).unwrap_err();
            assert!(e.contains(says), "{text:?}: {e}");
        }
    }

    #[test]
    fn the_built_in_list_parses_and_holds_both_polarities() {
        let l = Lexicon::built_in();
        assert!(l.positive.len() > 1000 && l.negative.len() > 1000);
        assert!(l.positive.iter().any(|w| w == "delighted"));
        assert!(l.negative.iter().any(|w| w == "disgraceful"));
    }
}
