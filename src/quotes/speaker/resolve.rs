//! From a speaker phrase to what the output prints: a person's canonical
//! full name and title, the referent of a pronoun or epithet, a country's
//! leader, or a role phrase as written. This is the only step that reads and
//! updates what the article says about its people (`names::People`).

use std::collections::HashMap;

use super::{Attribution, Np, WINDOW};
use crate::quotes::lexicon;
use crate::quotes::names::{People, Referent};
use crate::quotes::tokens::Doc;

/// Outcome of the rules for one quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Found {
    /// A rule named the speaker (or settled that none can be named).
    Settled(Attribution),
    /// No rule applied.
    Open,
}

/// Turns speaker phrases into attributions for one article.
pub(super) struct Resolver<'d, 'a> {
    /// The article.
    pub(super) doc: &'d Doc<'a>,
    /// Its people; titles learnt from attributions are added as they come.
    pub(super) people: People,
    /// What each pronoun and epithet token refers to.
    pub(super) pronouns: HashMap<usize, Referent>,
}

impl Resolver<'_, '_> {
    /// The attribution a speaker phrase stands for.
    fn resolve(&mut self, np: &Np) -> Attribution {
        match np {
            Np::Person { name, title } => {
                let words: Vec<String> = (name.0..name.1).map(|t| self.doc.text_bare(t)).collect();
                let display = self.people.canonical(&words, name.0);
                // One unknown word whose adjective titles someone nearby is a
                // country, not a person (`Valdoria said` near `Valdorian Trade
                // Minister Ilse Brandt`).
                if !display.contains(' ') && title.is_none() {
                    let lower = display.to_lowercase();
                    if let Some(leader) = self.people.leader_of(&lower, name.0, 4 * WINDOW) {
                        let key = leader.to_lowercase();
                        return Attribution {
                            title: self.people.title_of(&key),
                            speaker: Some(leader),
                        };
                    }
                }
                let key = display.to_lowercase();
                self.people.ensure(&key, &display);
                let honorific_only = title
                    .as_ref()
                    .is_some_and(|t| t.split(' ').all(|w| lexicon::honorific(&w.to_lowercase())));
                if !honorific_only {
                    if let Some(t) = title {
                        self.people.learn_title(&key, t);
                    }
                }
                let title = match title {
                    Some(t) if !honorific_only => Some(t.clone()),
                    other => self.people.title_of(&key).or_else(|| other.clone()),
                };
                Attribution {
                    speaker: Some(display),
                    title,
                }
            }
            Np::Pronoun(t) => match self.pronouns.get(t) {
                Some(Referent::Person(key)) => Attribution {
                    speaker: self.people.display(key),
                    title: self.people.title_of(key),
                },
                Some(Referent::Group(text)) => Attribution {
                    speaker: Some(text.clone()),
                    title: None,
                },
                None => Attribution::default(),
            },
            Np::Group(text, at) => {
                // A lone capitalised word that is the surname or given name of
                // a person named in full (`Hall`, `English`) is that person,
                // even when it also spells a place or an institution.
                let word = self.doc.is_cap(*at) && !text.contains(' ');
                // A country does not speak: its words are its leader's, when
                // one is named nearby (`Russia said` near `Russian President
                // Vladimir Putin`), else nobody's.
                let lower = text.to_lowercase();
                let leader = word
                    .then(|| self.people.leader_of(&lower, *at, 4 * WINDOW))
                    .flatten();
                if leader.is_some() || (word && lexicon::place(&lower)) {
                    let title = leader
                        .as_ref()
                        .and_then(|l| self.people.title_of(&l.to_lowercase()));
                    return Attribution {
                        speaker: leader,
                        title,
                    };
                }
                if word {
                    let full = self.people.canonical(&[self.doc.text_bare(*at)], *at);
                    if full.contains(' ') {
                        let key = full.to_lowercase();
                        return Attribution {
                            title: self.people.title_of(&key),
                            speaker: Some(full),
                        };
                    }
                }
                Attribution {
                    speaker: Some(text.clone()),
                    title: None,
                }
            }
            Np::Epithet(text, at, _) => match self.pronouns.get(at) {
                Some(Referent::Person(key)) => Attribution {
                    speaker: self.people.display(key),
                    title: self.people.title_of(key),
                },
                _ => Attribution {
                    speaker: Some(text.clone()),
                    title: None,
                },
            },
            Np::Nobody => Attribution::default(),
        }
    }

    /// The attribution of a rule's phrase; `Open` when the rule found none.
    pub(super) fn settle(&mut self, np: Option<Np>) -> Found {
        match np {
            Some(np) => Found::Settled(self.resolve(&np)),
            None => Found::Open,
        }
    }
}
