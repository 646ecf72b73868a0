//! Property tests of quote extraction on generated articles: offsets index the article
//! text (as chars, and as bytes on char boundaries) and give exactly the quote; no quote
//! leaves the paragraph it opens in; quotes come in order. The same check runs under the
//! `quotes` fuzz target.

#[allow(dead_code)]
mod fuzz_checks;

use proptest::prelude::*;

/// Pieces articles are made of: every kind of mark, line and paragraph breaks, speech
/// cues, names, multi-byte text.
const PIECES: &[&str] = &[
    "\"",
    "“",
    "”",
    "„",
    "«",
    "»",
    "'",
    "‘",
    "’",
    " ",
    " ",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "\u{2029}",
    ",",
    ".",
    ":",
    "?",
    "—",
    "We will",
    "talk",
    "said",
    "says",
    " he ",
    "She",
    "Ana Ruiz",
    "the ministry",
    "according to",
    "told reporters",
    "'90s",
    "rock ’n’ roll",
    "é",
    "日本",
    "🙂",
    "that",
    "so-called",
    "\t",
    "\u{0}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn quotes_index_the_text_and_stay_in_their_paragraph(
        pieces in proptest::collection::vec(0..PIECES.len(), 0..160),
        flags in 0u8..4,
    ) {
        let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
        let mut data = vec![flags];
        data.extend_from_slice(text.as_bytes());
        fuzz_checks::quotes(&data);
    }
}
