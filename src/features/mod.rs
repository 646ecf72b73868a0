//! Sparse features: word and character n-grams, a vocabulary with document-frequency
//! pruning, and TF-IDF rows in a CSR matrix.
//!
//! Memory is O(non-zeros): documents are turned into rows one at a time (in parallel) and
//! no documents × vocabulary array exists anywhere. IDF is fitted once on training data and
//! stored, so transforming one text alone gives exactly the row it gets in a batch.

pub mod marks;
pub mod polarity;
mod sparse;
mod vectorizer;

pub use sparse::SparseRecords;
pub(crate) use vectorizer::StoredTable;
pub use vectorizer::{
    term_hash, FeatureParams, FeatureSettings, FeatureValidParams, PendingVectorizer, TermHashes,
    Vectorizer, Vocabulary, CHAR_PREFIX,
};
