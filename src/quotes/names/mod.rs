//! People named in the article: finding name mentions, telling titles apart
//! from names, canonical full names, gender, and pronoun resolution.
//!
//! | file | what it holds |
//! |---|---|
//! | `runs` | runs of capitalised words in the running text, split into title and name |
//! | `kind` | whether a name names a person, and the gender its words tell |
//! | `people` | the article's people: full names, canonical forms, titles, mentions |
//! | `references` | what each he, she, they, it and epithet (`the Russian leader`) refers to |
//!
//! This file holds the types the attribution rules see.

mod kind;
mod people;
mod references;
mod runs;

#[cfg(test)]
mod tests;

pub(crate) use kind::{is_role, name_kind};
pub(crate) use people::People;
pub(crate) use runs::{joins_run, run_word, split_run};

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
