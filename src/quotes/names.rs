//! People named in the article: finding name mentions, telling titles apart
//! from names, canonical full names, gender, and pronoun resolution.

use std::collections::HashMap;

use super::lexicon;
use super::tokens::Doc;

/// Grammatical gender as far as the article reveals it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gender {
    /// Referred to as he, Mr, spokesman, ...
    Male,
    /// Referred to as she, Ms, spokeswoman, ...
    Female,
}

/// A run of capitalised words split into its title and name parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunSplit {
    /// Tokens before the name (`Russian President`), possibly empty.
    pub title: (usize, usize),
    /// The name tokens (`Vladimir Putin`), possibly empty.
    pub name: (usize, usize),
}

/// Whether a name part names a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// Surely a person.
    Person,
    /// A single unknown capitalised word: a person only if the article says so
    /// elsewhere (a full name with that surname, a speech verb after it).
    Maybe,
    /// A place, an organisation, a title or anything else.
    Other,
}

/// Who a pronoun or a name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Referent {
    /// A person, by canonical key.
    Person(String),
    /// An organisation or a role phrase, as written.
    Group(String),
}

/// A mention of a person at a token.
#[derive(Debug, Clone)]
struct Mention {
    tok: usize,
    key: String,
    /// A possessive mention (`Godane's death`): the person is talked about,
    /// and a later he or she is more likely someone else.
    weak: bool,
}

/// What the article tells about one person.
#[derive(Debug, Clone, Default)]
struct Entity {
    display: String,
    gender: Option<Gender>,
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
    mentions: Vec<Mention>,
    entities: HashMap<String, Entity>,
    /// First title seen for each surname, so `Liz Truss` finds the title
    /// given to `Elizabeth Truss` without scanning every entity.
    title_by_surname: HashMap<String, String>,
}

/// Last word of a person key.
fn surname(key: &str) -> &str {
    key.rsplit(' ').next().unwrap_or(key)
}

/// A capitalised run found in the running text.
#[derive(Debug, Clone)]
struct Run {
    split: RunSplit,
    kind: NameKind,
    title: Option<String>,
    gender: Option<Gender>,
}

/// True for words that may continue a run of capitalised words.
pub(crate) fn run_word(doc: &Doc, t: usize) -> bool {
    (doc.is_cap(t) || doc.is_acronym(t)) && !lexicon::calendar_word(doc.lower(t))
}

/// True if the lower-case word at `t` joins the capitalised words around
/// it into one run: a name particle (`Ludwig van Beethoven`), or `of`/`for`
/// after a title or an institution (`Secretary of State`, `Bank of
/// England`) but not after a name (`Tobias Wren of Greyfield Securities`).
pub(crate) fn joins_run(doc: &Doc, t: usize) -> bool {
    if t == 0 || !doc.starts_lower(t) || !run_word(doc, t - 1) || !run_word(doc, t + 1) {
        return false;
    }
    let l = doc.lower(t);
    if lexicon::name_particle(l) {
        return true;
    }
    let left = doc.lower(t - 1);
    lexicon::np_connector(l) && (lexicon::title_word(left) || lexicon::institution_word(left))
}

/// Splits the capitalised run `[a, b)` into title and name: the name follows
/// the last title word that has a word after it (`Secretary of State Antony
/// Blinken`), so a surname such as `King` at the end stays a name.
pub(crate) fn split_run(doc: &Doc, a: usize, b: usize) -> RunSplit {
    let mut name_start = a;
    for k in (a..b.saturating_sub(1)).rev() {
        let l = doc.lower(k);
        // An organisation before a name is its affiliation (`Asia Pacific
        // Foundation Sajjan Cohel`).
        let org = lexicon::org_word(l) && b - k > 2;
        if lexicon::title_word(l) || lexicon::role_noun(l) || org {
            name_start = k + 1;
            // A title word inside a name (`Hassan Sheikh Mohamud`): a given
            // name right before it starts the name.
            if k > a && lexicon::first_name(doc.lower(k - 1)) && !lexicon::org_word(l) {
                let opens = k - 1 == a || {
                    let before = doc.lower(k - 2);
                    lexicon::title_word(before) || lexicon::role_noun(before)
                };
                if opens {
                    name_start = k - 1;
                }
            }
            break;
        }
    }
    // Acronyms, particles and nationality words left before the name belong
    // to the title side (`US`, `NATO Putin`).
    while name_start < b {
        let l = doc.lower(name_start);
        let junk = doc.is_acronym(name_start)
            || (name_start + 1 < b
                && (lexicon::np_connector(l)
                    || l == "the"
                    || lexicon::demonym(l)
                    || lexicon::sentence_starter(l)));
        if !junk {
            break;
        }
        name_start += 1;
    }
    RunSplit {
        title: (a, name_start),
        name: (name_start, b),
    }
}

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
fn gender_hint(words: &[String], first_name: Option<&str>) -> Option<Gender> {
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

/// A lower-case role phrase right before a run (`ministry spokesman` before
/// `Zhang Wei`); returns its first token.
fn role_before(doc: &Doc, a: usize, lo: usize) -> Option<usize> {
    let head = a
        .checked_sub(1)
        .filter(|&h| h >= lo && doc.starts_lower(h))?;
    let hl = doc.lower(head);
    if !is_role(hl) {
        return None;
    }
    let mut k = head;
    while k > lo && head - k < 4 && doc.is_word(k - 1) {
        let l = doc.lower(k - 1);
        // Capitalised modifiers (`US State Department spokesman`) are never
        // function words, even when they spell one (`US`).
        if doc.starts_lower(k - 1)
            && (lexicon::determiner(l)
                || lexicon::stop_word(l)
                || lexicon::finite_cue(l)
                || lexicon::participle_cue(l)
                || lexicon::invertible_cue(l))
        {
            break;
        }
        k -= 1;
    }
    Some(k)
}

/// A role noun, singular or plural.
pub(crate) fn is_role(word: &str) -> bool {
    lexicon::role_noun(word) || word.strip_suffix('s').is_some_and(lexicon::role_noun)
}

/// True if the title words hold something more than courtesy titles,
/// acronyms and nationality words.
fn real_title(doc: &Doc, (a, b): (usize, usize)) -> bool {
    (a..b).any(|t| {
        let l = doc.lower(t);
        lexicon::title_word(l) && !lexicon::honorific(l)
    })
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
pub(crate) fn person_role(text: &str) -> Option<Option<Gender>> {
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

/// A finite speech verb right after token `b - 1` (`Dunn said`).
fn speaks_next(doc: &Doc, b: usize) -> bool {
    doc.starts_lower(b) && lexicon::finite_cue(doc.lower(b))
}

/// Finds the capitalised runs of the running text with their titles.
fn find_runs(doc: &Doc) -> Vec<Run> {
    let mut runs = Vec::new();
    for &(lo, hi) in &doc.para_range {
        let mut t = lo;
        while t < hi {
            if !run_word(doc, t) {
                t += 1;
                continue;
            }
            let mut b = t + 1;
            while b < hi && !doc.is_possessive(b - 1) {
                let joins = joins_run(doc, b);
                if run_word(doc, b) {
                    b += 1;
                } else if joins {
                    b += 2;
                } else {
                    break;
                }
            }
            let mut a = t;
            while a < b
                && lexicon::sentence_starter(doc.lower(a))
                && !lexicon::first_name(doc.lower(a))
            {
                a += 1;
            }
            if a < b {
                runs.push(make_run(doc, a, b, lo));
            }
            t = b;
        }
    }
    runs
}

fn make_run(doc: &Doc, a: usize, b: usize, lo: usize) -> Run {
    let split = split_run(doc, a, b);
    let role_start = role_before(doc, a, lo);
    let evidence = real_title(doc, split.title)
        || role_start.is_some()
        || (split.title.0..split.title.1).any(|t| lexicon::honorific(doc.lower(t)));
    // `Observatory for Human Rights`, `Bank of Central Asia`: words after
    // `of` or `for` that follows a capitalised word end an organisation's
    // name (titles that take `of` are joined into the run before this).
    let org_tail = a >= lo + 2
        && doc.starts_lower(a - 1)
        && matches!(doc.lower(a - 1), "of" | "for")
        && run_word(doc, a - 2)
        && !doc.is_possessive(a - 2);
    // `Andean Observatory for Human Rights`: a run followed by `of` or `for`
    // and another capitalised word is an organisation, unless a given name
    // or a title says person (`Tobias Wren of Greyfield Securities`).
    let org_head = !evidence
        && split.name.1 > split.name.0
        && doc.starts_lower(b)
        && matches!(doc.lower(b), "of" | "for")
        && run_word(doc, b + 1)
        && !lexicon::first_name(doc.lower(split.name.0));
    let kind = if org_tail || org_head {
        NameKind::Other
    } else {
        name_kind(doc, split.name, evidence)
    };
    let title_start = role_start.unwrap_or(split.title.0);
    let title = (title_start < split.title.1
        && (role_start.is_some() || real_title(doc, split.title)))
    .then(|| doc.join(title_start, split.title.1));
    let title_words: Vec<String> = (title_start..split.title.1)
        .map(|t| doc.lower(t).to_string())
        .collect();
    let first = (split.name.1 > split.name.0).then(|| doc.lower(split.name.0));
    let multi = split.name.1 - split.name.0 >= 2;
    let gender = gender_hint(
        &title_words,
        first.filter(|_| multi || kind == NameKind::Person),
    );
    Run {
        split,
        kind,
        title,
        gender,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{marks, tokens::Doc};
    use super::*;

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
}
