//! What each he, she, they, it and epithet (`the Portuguese`, `the Russian
//! leader`) outside quotes refers to: one left-to-right pass over the tokens
//! with a capped look-back. Separate from `people`, which records what the
//! runs say, because this pass walks every token with a history of
//! referents and settles genders as it goes.

use std::collections::HashMap;

use super::kind::gender_hint;
use super::people::People;
use super::{Gender, Referent};
use crate::quotes::lexicon;
use crate::quotes::tokens::Doc;

impl People {
    /// True if the person's title fits a role head such as `leader` or
    /// `manager` (`the Russian leader` for a Russian President).
    fn title_fits(&self, key: &str, head: &str) -> bool {
        if head == "year-old" || lexicon::demonym(head) {
            return true;
        }
        let Some(title) = self.title_of(key) else {
            return false;
        };
        let title = title.to_lowercase();
        let words: Vec<&str> = title.split(|c: char| !c.is_alphanumeric()).collect();
        let leaderish = [
            "president",
            "minister",
            "chancellor",
            "premier",
            "leader",
            "king",
            "queen",
        ];
        words.contains(&head) || (head == "leader" && words.iter().any(|w| leaderish.contains(w)))
    }

    /// Resolves every he/she/they/it outside quotes, and every epithet,
    /// left to right. `groups` lists organisations and role phrases that
    /// spoke, by token; `epithets` lists `the Portuguese`-like phrases by
    /// first token, with their head word. Results are keyed by token.
    ///
    /// He and she take the most recent person whose gender does not clash;
    /// the choice then fixes that person's gender if it was unknown. They
    /// takes the most recent person or group; it takes the most recent group.
    /// An epithet takes the most recent person whose title fits its head
    /// (any person for a nationality or an age). The look-back is capped so
    /// the pass stays linear.
    pub fn resolve_references(
        &mut self,
        doc: &Doc,
        groups: &[(usize, String)],
        epithets: &[(usize, String)],
    ) -> HashMap<usize, Referent> {
        const LOOK_BACK: usize = 64;
        let mut out = HashMap::new();
        let mut history: Vec<Referent> = Vec::new();
        // Parallel to `history`: the entry came from a possessive mention.
        let mut weak: Vec<bool> = Vec::new();
        // Person-like role phrases (`one consultant`) and their gender.
        let mut roles: HashMap<String, Option<Gender>> = HashMap::new();
        let (mut m, mut g, mut ep) = (0, 0, 0);
        for t in 0..doc.tokens.len() {
            while ep < epithets.len() && epithets[ep].0 == t {
                let head = &epithets[ep].1;
                let found = history
                    .iter()
                    .rev()
                    .take(LOOK_BACK)
                    .find(|r| matches!(r, Referent::Person(k) if self.title_fits(k, head)))
                    .cloned();
                if let Some(referent) = found {
                    history.push(referent.clone());
                    weak.push(false);
                    out.insert(t, referent);
                }
                ep += 1;
            }
            while m < self.mentions.len() && self.mentions[m].tok == t {
                history.push(Referent::Person(self.mentions[m].key.clone()));
                weak.push(self.mentions[m].weak);
                m += 1;
            }
            while g < groups.len() && groups[g].0 == t {
                let text = &groups[g].1;
                if let Some(gender) = person_role(text) {
                    roles.insert(text.clone(), gender);
                }
                history.push(Referent::Group(text.clone()));
                weak.push(false);
                g += 1;
            }
            if !doc.is_word(t) {
                continue;
            }
            let tok = doc.tokens[t];
            if tok.end - tok.start > 4 {
                continue;
            }
            let word = doc.lower(t);
            let wanted = match word {
                "he" | "his" => Some(Gender::Male),
                "she" | "her" => Some(Gender::Female),
                "they" | "it" | "their" => None,
                _ => continue,
            };
            let recent = history.iter().rev().take(LOOK_BACK);
            let found = match word {
                "it" | "its" => recent
                    .into_iter()
                    .find(|r| matches!(r, Referent::Group(_)))
                    .cloned(),
                "they" | "their" => recent.into_iter().next().cloned(),
                _ => {
                    let fits = |r: &Referent| match r {
                        Referent::Person(k) => {
                            let g = self.entities.get(k).and_then(|e| e.gender);
                            g.is_none() || g == wanted
                        }
                        // An unnamed person who spoke more recently
                        // (`One consultant ... said`) may be he or she too.
                        Referent::Group(text) => {
                            roles.get(text).is_some_and(|g| g.is_none() || *g == wanted)
                        }
                    };
                    // A person only mentioned as an owner yields to one
                    // mentioned as such a little earlier.
                    let mut first_weak = None;
                    let mut strong = None;
                    for (i, (r, &w)) in recent.zip(weak.iter().rev()).enumerate() {
                        if first_weak.is_some() && i >= 16 {
                            break;
                        }
                        if !fits(r) {
                            continue;
                        }
                        if !w {
                            strong = Some(r);
                            break;
                        }
                        first_weak.get_or_insert(r);
                    }
                    strong.or(first_weak).cloned()
                }
            };
            if let Some(referent) = found {
                if wanted.is_some() {
                    if let (Referent::Person(k), Some(want)) = (&referent, wanted) {
                        if let Some(e) = self.entities.get_mut(k) {
                            e.gender.get_or_insert(want);
                        }
                    }
                    history.push(referent.clone());
                    weak.push(false);
                }
                out.insert(t, referent);
            }
        }
        out
    }
}

/// For a role phrase or organisation that spoke: `Some(gender)` when it
/// names one person (`one consultant at a hospital`, `a company
/// spokeswoman`), with the gender its head word tells; `None` for groups
/// and institutions (`officials`, `the ministry`).
pub(super) fn person_role(text: &str) -> Option<Option<Gender>> {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let preps = ["of", "for", "at", "from", "in", "with"];
    let cut = words
        .iter()
        .position(|w| preps.contains(&w.as_str()))
        .unwrap_or(words.len());
    let first_head = words[..cut].last()?.as_str();
    let quantity = matches!(first_head, "one" | "each");
    if quantity && words.get(cut).is_some_and(|w| w == "of") {
        // `one of the men`: one person out of a group.
        let group = words.last()?.as_str();
        let singular = match group {
            "men" => "man",
            "women" => "woman",
            "people" => "person",
            g => g.strip_suffix('s').unwrap_or(g),
        };
        let personal = lexicon::role_noun(singular) || singular == "person";
        return personal.then(|| gender_hint(&[singular.to_string()], None));
    }
    let plural = first_head.strip_suffix('s').is_some_and(lexicon::role_noun);
    if plural || !lexicon::role_noun(first_head) {
        return None;
    }
    Some(gender_hint(&[first_head.to_string()], None))
}
