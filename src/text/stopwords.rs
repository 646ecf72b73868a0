//! A short English stop-word list. Words that carry stance (`will`, `if`, `not`, `must`,
//! `never`, `should`, `can`, modal verbs, `we`, `they`, `you`) are deliberately absent.

/// Sorted, so membership is a binary search.
pub(crate) const ENGLISH: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "being", "below", "between", "both", "by", "did", "do", "does",
    "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have",
    "having", "here", "how", "i", "in", "into", "is", "it", "its", "itself", "just", "me", "more",
    "most", "my", "myself", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out",
    "over", "own", "same", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "then", "there", "these", "this", "those", "through", "to", "too", "under", "until", "up",
    "very", "was", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "with",
];
