//! Actor and modality marks: who acts, and when.
//!
//! A bag of n-grams sees `we will strike` and `they say they will strike us` as nearly the
//! same words. The marks add what tells them apart. A clause opens a *frame* when a subject
//! (`i`, `we`, `our`: first person; `you`, `your`: second; `they`, `he`, `she`, `their`, …:
//! third) is followed within three words by a modal: `will`, `shall`, `going to` (future),
//! `would`, `could`, `might`, `may` (hypothetical) or `did`, `was`, `were`, `had` (past).
//! The frame is named by person and mode, with `c` added after an `if` or `unless` earlier
//! in the sentence: `m:1f` is "we will", `m:3fc` "if …, they will", `m:1p` "we did".
//!
//! Each frame adds its name as a term, and every word after the modal up to the end of the
//! clause (punctuation) adds a marked copy, `m:1f strike`, beside its ordinary terms. So
//! `if they shell us, we will strike` carries `m:1fc strike`, while `they will strike` carries
//! `m:3f strike`. The cues are matched by the hash of their analysed form, so stemming,
//! contractions (`we'll` → `we will`) and the hash-only analysis path all see the same cues.

use crate::text::{word_hash, Analyzed, Analyzer};
use crate::util::FastMap;

/// Every mark starts with this; the rest (`1f`, `3hc`) holds no letter-only word, so no
/// token of a text can equal a mark.
pub const MARK_PREFIX: &str = "m:";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Person(u8),
    Mode(u8),
    /// `go`, the stem of `going`: future when `to` follows.
    Go,
    To,
    Condition,
}

const PERSONS: [(&str, u8); 13] = [
    ("i", 0),
    ("we", 0),
    ("our", 0),
    ("my", 0),
    ("you", 1),
    ("your", 1),
    ("they", 2),
    ("he", 2),
    ("she", 2),
    ("their", 2),
    ("his", 2),
    ("her", 2),
    ("it", 2),
];

/// Modes: 0 future, 1 hypothetical, 2 past.
const MODES: [(&str, u8); 11] = [
    ("will", 0),
    ("shall", 0),
    ("would", 1),
    ("could", 1),
    ("might", 1),
    ("may", 1),
    ("did", 2),
    ("was", 2),
    ("were", 2),
    ("had", 2),
    ("has", 2),
];

const MODE_CHARS: [char; 3] = ['f', 'h', 'p'];

/// How many words after a subject its modal may come (`we are going to`, `they really will`).
const WINDOW: usize = 3;

/// Number of distinct marks: 3 persons × 3 modes × with or without a condition.
const N_MARKS: usize = 18;

/// The cues of one analysis pipeline, by hash, and the names of the marks.
#[derive(Debug, Clone)]
pub(crate) struct Marks {
    cues: FastMap<u64, Cue>,
    names: Vec<String>,
    name_hashes: Vec<u64>,
}

/// One mark found in a text: which frame, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    /// The frame ([`Marks::name`]).
    pub id: usize,
    /// The word marked, or for the frame's own term, its modal.
    pub at: usize,
    /// A marked word (`m:1f strike`) rather than the frame's own term (`m:1f`).
    pub word: bool,
}

impl Marks {
    /// The cues as `analyzer` analyses them (lower case and capitalised, so that
    /// analysis without lowercasing still finds sentence-initial `We`).
    pub fn new(analyzer: &Analyzer) -> Marks {
        let mut cues = FastMap::default();
        let mut buf = Analyzed::default();
        let mut add = |word: &str, cue: Cue| {
            let mut cap = word.to_string();
            if let Some(first) = cap.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            for form in [word.to_string(), cap, word.to_uppercase()] {
                analyzer.analyze_hashes_into(&form, &mut buf);
                if let [w] = buf.words() {
                    cues.entry(w.hash).or_insert(cue);
                }
            }
        };
        for (w, p) in PERSONS {
            add(w, Cue::Person(p));
        }
        for (w, m) in MODES {
            add(w, Cue::Mode(m));
        }
        add("going", Cue::Go);
        add("to", Cue::To);
        add("if", Cue::Condition);
        add("unless", Cue::Condition);
        let mut names = Vec::with_capacity(N_MARKS);
        for id in 0..N_MARKS {
            let (person, mode, cond) = (id / 6, (id / 2) % 3, id % 2 == 1);
            let mut n = format!("{MARK_PREFIX}{}{}", person + 1, MODE_CHARS[mode]);
            if cond {
                n.push('c');
            }
            names.push(n);
        }
        let name_hashes = names.iter().map(|n| word_hash(n.as_bytes())).collect();
        Marks {
            cues,
            names,
            name_hashes,
        }
    }

    /// Name of mark `id` (`m:1f`).
    pub fn name(&self, id: usize) -> &str {
        &self.names[id]
    }

    /// [`word_hash`] of mark `id`'s name: a marked word's term hash folds this, then the
    /// word's own hash, as `term_hash("m:1f strike")` does.
    pub fn name_hash(&self, id: usize) -> u64 {
        self.name_hashes[id]
    }

    /// Calls `f` with every mark of `text`, whose analysed words are `analyzed`.
    pub fn each(&self, text: &str, analyzed: &Analyzed, mut f: impl FnMut(Mark)) {
        let words = analyzed.words();
        let mut cond = false;
        let mut subject: Option<(u8, usize)> = None;
        let mut frame: Option<usize> = None;
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                match boundary(text.get(words[i - 1].end..w.start).unwrap_or("")) {
                    Boundary::Sentence => {
                        cond = false;
                        subject = None;
                        frame = None;
                    }
                    Boundary::Clause => {
                        subject = None;
                        frame = None;
                    }
                    Boundary::None => {}
                }
            }
            let cue = self.cues.get(&w.hash).copied();
            let mode = match cue {
                Some(Cue::Mode(m)) => Some(m),
                Some(Cue::Go)
                    if words
                        .get(i + 1)
                        .is_some_and(|n| self.cues.get(&n.hash) == Some(&Cue::To)) =>
                {
                    Some(0)
                }
                _ => None,
            };
            match (cue, mode, subject) {
                (_, Some(m), Some((p, at))) if i - at <= WINDOW => {
                    let id = p as usize * 6 + m as usize * 2 + usize::from(cond);
                    frame = Some(id);
                    subject = None;
                    f(Mark {
                        id,
                        at: i,
                        word: false,
                    });
                    continue;
                }
                (Some(Cue::Person(p)), _, _) => subject = Some((p, i)),
                (Some(Cue::Condition), _, _) => {
                    cond = true;
                    frame = None;
                }
                _ => {}
            }
            if let Some(id) = frame {
                f(Mark {
                    id,
                    at: i,
                    word: true,
                });
            }
        }
    }
}

enum Boundary {
    None,
    Clause,
    Sentence,
}

/// What the text between two words ends: a sentence (`.`, `!`, `?`, `;`), a clause (other
/// punctuation but apostrophes and hyphens inside words), or nothing.
fn boundary(gap: &str) -> Boundary {
    let mut b = Boundary::None;
    for c in gap.chars() {
        match c {
            '.' | '!' | '?' | ';' | '…' => return Boundary::Sentence,
            ',' | ':' | '(' | ')' | '[' | ']' | '—' | '–' | '"' | '“' | '”' => {
                b = Boundary::Clause
            }
            _ => {}
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::AnalyzerSettings;

    fn marks_of(text: &str) -> Vec<String> {
        let a = Analyzer::new(AnalyzerSettings::default());
        let m = Marks::new(&a);
        let mut an = Analyzed::default();
        a.analyze_into(text, &mut an);
        let mut out = Vec::new();
        m.each(text, &an, |k| {
            out.push(if k.word {
                format!("{} {}", m.name(k.id), an.term(&an.words()[k.at]))
            } else {
                m.name(k.id).to_string()
            })
        });
        out
    }

    #[test]
    fn first_person_future_marks_the_words_after_the_modal() {
        assert_eq!(
            marks_of("We will strike their bases. Talks later"),
            ["m:1f", "m:1f strike", "m:1f their", "m:1f base"]
        );
    }

    #[test]
    fn reported_and_conditional_frames_differ_from_a_plain_threat() {
        assert_eq!(
            marks_of("They say they will hit us"),
            ["m:3f", "m:3f hit", "m:3f us"]
        );
        assert_eq!(
            marks_of("If they shell us, we'll respond"),
            ["m:1fc", "m:1fc respond"]
        );
        assert_eq!(marks_of("We struck them. We did it"), ["m:1p", "m:1p it"]);
    }

    #[test]
    fn contractions_and_going_to_open_a_future_frame() {
        assert_eq!(
            marks_of("we're going to sue"),
            ["m:1f", "m:1f to", "m:1f sue"]
        );
        assert_eq!(
            marks_of("you won't like it"),
            ["m:2f", "m:2f not", "m:2f NEG_like", "m:2f NEG_it"]
        );
    }

    #[test]
    fn a_modal_too_far_from_its_subject_or_across_a_comma_opens_no_frame() {
        assert!(marks_of("We, as a nation, will").is_empty());
        assert_eq!(marks_of("we said many times that it will"), ["m:3f"]);
        assert!(marks_of("the weather will turn").is_empty());
    }
}
