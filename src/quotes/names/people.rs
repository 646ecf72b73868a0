//! The article's people: every person mentioned outside quotes, the fullest
//! form of each name (`Putin` is `Vladimir Putin`), titles and mentions by
//! token. Built once per article from the runs; the attribution rules then
//! ask it questions and add the titles they learn.

use std::collections::HashMap;

use super::runs::find_runs;
use super::{Gender, NameKind};
use crate::quotes::lexicon;
use crate::quotes::tokens::Doc;

/// A mention of a person at a token.
#[derive(Debug, Clone)]
pub(super) struct Mention {
    /// First token of the name.
    pub(super) tok: usize,
    /// Canonical key of the person.
    pub(super) key: String,
    /// A possessive mention (`Godane's death`): the person is talked about,
    /// and a later he or she is more likely someone else.
    pub(super) weak: bool,
}

/// What the article tells about one person.
#[derive(Debug, Clone, Default)]
pub(super) struct Entity {
    /// Canonical display form.
    display: String,
    /// Gender, once the article reveals it.
    pub(super) gender: Option<Gender>,
    /// The first title the article gives.
    title: Option<String>,
}

/// A full (two or more word) person name seen in the article.
#[derive(Debug, Clone)]
struct FullName {
    tok: usize,
    words: Vec<String>,
    display: String,
}

/// The people of one article.
#[derive(Debug, Default)]
pub(crate) struct People {
    full: Vec<FullName>,
    by_last: HashMap<String, Vec<usize>>,
    by_first: HashMap<String, Vec<usize>>,
    /// Longest full name for each (first word, last word) pair.
    longest: HashMap<(String, String), usize>,
    /// Person mentions in token order.
    pub(super) mentions: Vec<Mention>,
    /// What the article tells about each person, by key.
    pub(super) entities: HashMap<String, Entity>,
    /// First title seen for each surname, so `Liz Truss` finds the title
    /// given to `Elizabeth Truss` without scanning every entity.
    title_by_surname: HashMap<String, String>,
}

/// Last word of a person key.
fn surname(key: &str) -> &str {
    key.rsplit(' ').next().unwrap_or(key)
}

impl People {
    /// Finds every person mentioned outside quotes.
    pub fn build(doc: &Doc) -> Self {
        let runs = find_runs(doc);
        let mut people = People::default();
        for run in &runs {
            let (a, b) = run.split.name;
            if run.kind == NameKind::Person && b - a >= 2 {
                people.add_full(doc, a, b);
            }
        }
        for run in runs {
            let (a, b) = run.split.name;
            let person = match run.kind {
                NameKind::Person => true,
                NameKind::Maybe => {
                    let w = doc.lower_bare(a);
                    people.by_last.contains_key(&w)
                        || people.by_first.contains_key(&w)
                        || speaks_next(doc, b)
                }
                NameKind::Other => false,
            };
            if !person {
                continue;
            }
            let words: Vec<String> = (a..b).map(|t| doc.text_bare(t)).collect();
            let display = people.canonical(&words, a);
            let key = display.to_lowercase();
            let entity = people.entities.entry(key.clone()).or_default();
            entity.display = display;
            if entity.gender.is_none() {
                entity.gender = run.gender;
            }
            if entity.title.is_none() {
                entity.title = run.title;
            }
            if let Some(t) = &entity.title {
                people
                    .title_by_surname
                    .entry(surname(&key).to_string())
                    .or_insert_with(|| t.clone());
            }
            people.mentions.push(Mention {
                tok: a,
                key,
                weak: doc.is_possessive(b - 1),
            });
        }
        people
    }

    /// Records the full name at tokens `[a, b)`.
    fn add_full(&mut self, doc: &Doc, a: usize, b: usize) {
        let words: Vec<String> = (a..b).map(|t| doc.lower_bare(t)).collect();
        let display = (a..b)
            .map(|t| doc.text_bare(t))
            .collect::<Vec<_>>()
            .join(" ");
        let (Some(first), Some(last)) = (words.first().cloned(), words.last().cloned()) else {
            return;
        };
        let idx = self.full.len();
        let len = words.len();
        self.full.push(FullName {
            tok: a,
            words,
            display,
        });
        self.by_last.entry(last.clone()).or_default().push(idx);
        self.by_first.entry(first.clone()).or_default().push(idx);
        let best = self.longest.entry((first, last)).or_insert(idx);
        if self.full[*best].words.len() < len {
            *best = idx;
        }
    }

    /// The fullest form of a name seen in the article: a surname alone maps to
    /// the full name with that surname mentioned most recently before `tok`
    /// (or the first one after it); a full name maps to a longer form with the
    /// same first and last word (`John Kennedy` to `John F. Kennedy`).
    pub fn canonical(&self, words: &[String], tok: usize) -> String {
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        let joined = words.join(" ");
        let (Some(first), Some(last)) = (lower.first(), lower.last()) else {
            return joined;
        };
        if lower.len() >= 2 {
            return self.longest_form(first, last).unwrap_or(joined);
        }
        // Lists are in text order, so a binary search finds the latest full
        // name before `tok` without rescanning the list for every mention.
        let pick = |list: &Vec<usize>| -> usize {
            let n = list.partition_point(|&i| self.full[i].tok <= tok);
            list[n.saturating_sub(1)]
        };
        let hit = self
            .by_last
            .get(last)
            .filter(|l| !l.is_empty())
            .map(pick)
            .or_else(|| {
                // A given name alone maps only when it is unambiguous.
                let list = self.by_first.get(first).filter(|l| !l.is_empty())?;
                let one = &self.full[list[0]].display;
                let unique = list.len() <= 8 && list.iter().all(|&i| &self.full[i].display == one);
                unique.then_some(list[0])
            });
        match hit {
            Some(i) => {
                let f = &self.full[i];
                let (first, last) = (&f.words[0], &f.words[f.words.len() - 1]);
                self.longest_form(first, last)
                    .unwrap_or_else(|| f.display.clone())
            }
            None => joined,
        }
    }

    /// The longest full name with this first and last word.
    fn longest_form(&self, first: &str, last: &str) -> Option<String> {
        let idx = self.longest.get(&(first.to_string(), last.to_string()))?;
        self.full.get(*idx).map(|f| f.display.clone())
    }

    /// Display form of a person key.
    pub fn display(&self, key: &str) -> Option<String> {
        self.entities.get(key).map(|e| e.display.clone())
    }

    /// The title the article gave a person, if any (by key, else by surname).
    pub fn title_of(&self, key: &str) -> Option<String> {
        self.entities
            .get(key)
            .and_then(|e| e.title.clone())
            .or_else(|| self.title_by_surname.get(surname(key)).cloned())
    }

    /// Records a title seen next to a person in an attribution, unless the
    /// article already gave one.
    pub fn learn_title(&mut self, key: &str, title: &str) {
        if let Some(e) = self.entities.get_mut(key) {
            e.title.get_or_insert_with(|| title.to_string());
        }
        self.title_by_surname
            .entry(surname(key).to_string())
            .or_insert_with(|| title.to_string());
    }

    /// The person mentioned nearest to token `at` (at most `reach` tokens
    /// away, before or after) whose title names the place `place`: the word
    /// itself (`UK Foreign Secretary` for `UK`), its adjective (`Valdorian
    /// Trade Minister` for `Valdoria`) or, for a known place, any word
    /// sharing its first four letters (`British` for `Britain`).
    pub fn leader_of(&self, place: &str, at: usize, reach: usize) -> Option<String> {
        let known = lexicon::place(place);
        let stem: String = place.chars().take(4).collect();
        let root = place.trim_end_matches(['a', 'e', 'i', 'o', 'u', 'y']);
        let adjective = |w: &str| {
            w.len() > place.len()
                && root.chars().count() >= 3
                && w.starts_with(root)
                && ["an", "ese", "ish", "i"].iter().any(|e| w.ends_with(e))
        };
        let names_place = |key: &str| {
            self.title_of(key).is_some_and(|t| {
                t.to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| {
                        w == place
                            || adjective(w)
                            || (known && stem.chars().count() == 4 && w.starts_with(&stem))
                    })
            })
        };
        let from = self.mentions.partition_point(|m| m.tok + reach < at);
        self.mentions[from..]
            .iter()
            .take_while(|m| m.tok <= at + reach)
            .filter(|m| names_place(&m.key))
            .min_by_key(|m| m.tok.abs_diff(at))
            .and_then(|m| self.display(&m.key))
    }

    /// True if someone other than `display` is mentioned in tokens `(lo, hi)`.
    pub fn other_mentioned(&self, lo: usize, hi: usize, display: &str) -> bool {
        let key = display.to_lowercase();
        let from = self.mentions.partition_point(|m| m.tok <= lo);
        self.mentions[from..]
            .iter()
            .take_while(|m| m.tok < hi)
            .any(|m| m.key != key)
    }

    /// Registers a person named as a speaker that the mention pass missed.
    pub fn ensure(&mut self, key: &str, display: &str) {
        self.entities
            .entry(key.to_string())
            .or_insert_with(|| Entity {
                display: display.to_string(),
                ..Entity::default()
            });
    }
}

/// A finite speech verb right after token `b - 1` (`Dunn said`).
fn speaks_next(doc: &Doc, b: usize) -> bool {
    doc.starts_lower(b) && lexicon::finite_cue(doc.lower(b))
}
