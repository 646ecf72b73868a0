//! N-gram extraction, vocabulary fitting and TF-IDF transformation, one concern a file:
//!
//! | file | holds |
//! |---|---|
//! | `settings` | [`FeatureSettings`], the [`FeatureParams`] builder and its check |
//! | `extract` | the terms of a text and their hashes ([`term_hash`], [`TermHashes`]) |
//! | `fit` | learning the vocabulary and IDF in parallel, with the training rows |
//! | `vocabulary` | [`Vocabulary`]: terms in column order and their hash table |
//! | `transform` | [`Vectorizer`]: texts to TF-IDF rows |

mod extract;
mod fit;
mod settings;
mod transform;
mod vocabulary;

pub use extract::{term_hash, TermHashes, CHAR_PREFIX};
pub use fit::PendingVectorizer;
pub use settings::{FeatureParams, FeatureSettings, FeatureValidParams};
pub use transform::Vectorizer;
pub(crate) use vocabulary::StoredTable;
pub use vocabulary::Vocabulary;
