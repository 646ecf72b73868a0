//! Runs of capitalised words in the running text (`Russian President
//! Vladimir Putin`, `Secretary of State Antony Blinken`) and the lower-case
//! role phrase before one (`ministry spokesman`), split into title and name.
//! This is where names are found; `kind` decides what they name.

use super::kind::{gender_hint, is_role, name_kind};
use super::{Gender, NameKind, RunSplit};
use crate::quotes::lexicon;
use crate::quotes::tokens::Doc;

/// A capitalised run found in the running text.
#[derive(Debug, Clone)]
pub(super) struct Run {
    /// Title and name tokens.
    pub(super) split: RunSplit,
    /// What the name part names.
    pub(super) kind: NameKind,
    /// The title as written, when it says more than a courtesy title.
    pub(super) title: Option<String>,
    /// Gender told by the title words or the given name.
    pub(super) gender: Option<Gender>,
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

/// True if the title words hold something more than courtesy titles,
/// acronyms and nationality words.
fn real_title(doc: &Doc, (a, b): (usize, usize)) -> bool {
    (a..b).any(|t| {
        let l = doc.lower(t);
        lexicon::title_word(l) && !lexicon::honorific(l)
    })
}

/// Finds the capitalised runs of the running text with their titles.
pub(super) fn find_runs(doc: &Doc) -> Vec<Run> {
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

/// The run `[a, b)` of paragraph tokens from `lo`, with its title, kind and gender.
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
