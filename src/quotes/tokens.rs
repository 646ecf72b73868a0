//! Tokens of the running text (each quote collapsed into one token) and the
//! sentences they form.

use super::lexicon;
use super::marks::{Paragraph, Span};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters and digits, with inner apostrophes, hyphens and dots.
    Word,
    /// One punctuation char.
    Punct,
    /// A whole quote span, marks included; the value indexes `Doc::spans`.
    Quote(usize),
}

/// One token: a char range of the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// First char.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
    /// Token kind.
    pub kind: Kind,
}

/// The article as paragraphs, quote spans, tokens and sentences.
pub(crate) struct Doc<'a> {
    /// The article text as chars, so offsets are char offsets.
    pub chars: &'a [char],
    /// Non-blank lines.
    pub paras: Vec<Paragraph>,
    /// Quote spans in text order.
    pub spans: Vec<Span>,
    /// Tokens in text order.
    pub tokens: Vec<Token>,
    /// Token range of each paragraph.
    pub para_range: Vec<(usize, usize)>,
    /// Paragraph index of each token.
    pub para_of: Vec<usize>,
    /// Token range of each sentence.
    pub sentences: Vec<(usize, usize)>,
    /// Sentence index of each token.
    pub sentence_of: Vec<usize>,
    /// Token index of each span.
    pub quote_token: Vec<usize>,
    /// Every token lowercased, one after another: speaker finding asks for the same
    /// tokens' lower case many times, so it is made once ([`Doc::lower`]).
    lowered: String,
    /// Byte range of each token in `lowered`.
    lowered_at: Vec<(u32, u32)>,
}

/// Chars that may join two alphanumeric runs into one word.
fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '‐' | '‑' | '.' | '&')
}

impl<'a> Doc<'a> {
    /// Tokenizes every paragraph and finds sentence boundaries.
    pub fn build(chars: &'a [char], paras: Vec<Paragraph>, spans: Vec<Span>) -> Self {
        let mut doc = Doc {
            chars,
            paras,
            quote_token: vec![0; spans.len()],
            spans,
            tokens: Vec::new(),
            para_range: Vec::new(),
            para_of: Vec::new(),
            sentences: Vec::new(),
            sentence_of: Vec::new(),
            lowered: String::new(),
            lowered_at: Vec::new(),
        };
        doc.tokenize();
        doc.lower_all();
        doc.split_sentences();
        doc
    }

    fn tokenize(&mut self) {
        let chars = self.chars;
        let mut next_span = 0;
        for (p, para) in self.paras.iter().enumerate() {
            let first = self.tokens.len();
            let mut i = para.start;
            while i < para.end {
                let span_here = self.spans.get(next_span).filter(|s| s.outer_start == i);
                if let Some(span) = span_here {
                    self.quote_token[next_span] = self.tokens.len();
                    self.tokens.push(Token {
                        start: i,
                        end: span.outer_end,
                        kind: Kind::Quote(next_span),
                    });
                    i = span.outer_end.max(i + 1);
                    next_span += 1;
                    continue;
                }
                let limit = self
                    .spans
                    .get(next_span)
                    .map_or(para.end, |s| s.outer_start.min(para.end));
                let c = chars[i];
                if c.is_whitespace() {
                    i += 1;
                } else if c.is_alphanumeric() {
                    let end = word_end(chars, i, limit);
                    self.tokens.push(Token {
                        start: i,
                        end,
                        kind: Kind::Word,
                    });
                    i = end;
                } else {
                    self.tokens.push(Token {
                        start: i,
                        end: i + 1,
                        kind: Kind::Punct,
                    });
                    i += 1;
                }
            }
            self.para_of.resize(self.tokens.len(), p);
            self.para_range.push((first, self.tokens.len()));
        }
    }

    fn split_sentences(&mut self) {
        self.sentence_of = vec![0; self.tokens.len()];
        for p in 0..self.para_range.len() {
            let (lo, hi) = self.para_range[p];
            let mut start = lo;
            for t in lo..hi {
                self.sentence_of[t] = self.sentences.len();
                if t + 1 == hi || self.ends_sentence(t, hi) {
                    self.sentences.push((start, t + 1));
                    start = t + 1;
                }
            }
        }
    }

    /// True if a sentence ends right after token `t` (`hi` ends its paragraph).
    fn ends_sentence(&self, t: usize, hi: usize) -> bool {
        let next = t + 1;
        match self.tokens[t].kind {
            Kind::Word => false,
            Kind::Punct => {
                matches!(self.chars[self.tokens[t].start], '.' | '!' | '?' | '…')
                    && !self.starts_lower(next)
            }
            Kind::Quote(s) => {
                let span = &self.spans[s];
                let last = self.chars[span.end - 1];
                if !matches!(last, '.' | '!' | '?' | '…') || next >= hi {
                    return matches!(last, '.' | '!' | '?' | '…');
                }
                match self.tokens[next].kind {
                    Kind::Quote(_) => true,
                    Kind::Punct => false,
                    Kind::Word => {
                        !self.starts_lower(next) && !self.attribution_follows(next, hi, last != '.')
                    }
                }
            }
        }
    }

    /// `"Is it fair?" Smith asked.`: a capitalised attribution after a quote
    /// that ends in sentence punctuation still belongs to that quote. After a
    /// full stop only a short clause counts (`Smith said.`), so that a new
    /// sentence such as `Smith said the deal was off.` is left alone.
    fn attribution_follows(&self, from: usize, hi: usize, lenient: bool) -> bool {
        for c in from..hi.min(from + 5) {
            if self.tokens[c].kind != Kind::Word {
                return false;
            }
            if !self.starts_lower(c) || !lexicon::finite_cue(self.lower(c)) {
                continue;
            }
            if lenient {
                return true;
            }
            for k in c + 1..hi.min(c + 5) {
                match self.tokens[k].kind {
                    Kind::Punct => {
                        return matches!(self.chars[self.tokens[k].start], '.' | '!' | '?')
                    }
                    Kind::Quote(_) => return false,
                    Kind::Word if self.lower(k) == "that" => return false,
                    Kind::Word => {}
                }
            }
            return c + 5 >= hi;
        }
        false
    }

    /// The token's text.
    pub fn text(&self, t: usize) -> String {
        let tok = self.tokens[t];
        self.chars[tok.start..tok.end].iter().collect()
    }

    /// The token's text in lower case.
    pub fn lower(&self, t: usize) -> &str {
        let (a, b) = self.lowered_at[t];
        &self.lowered[a as usize..b as usize]
    }

    fn lower_all(&mut self) {
        let mut lowered = String::with_capacity(self.chars.len());
        let mut at = Vec::with_capacity(self.tokens.len());
        for tok in &self.tokens {
            let from = lowered.len() as u32;
            lowered.extend(
                self.chars[tok.start..tok.end]
                    .iter()
                    .flat_map(|c| c.to_lowercase()),
            );
            at.push((from, lowered.len() as u32));
        }
        self.lowered = lowered;
        self.lowered_at = at;
    }

    /// Chars of the possessive ending: 2 for `'s`, 1 for a plural `s'`.
    fn possessive_len(&self, t: usize) -> usize {
        if !self.is_word(t) {
            return 0;
        }
        let tok = self.tokens[t];
        let c = &self.chars[tok.start..tok.end];
        let apostrophe = |c: &char| matches!(c, '\'' | '’');
        let s = |c: &char| matches!(c, 's' | 'S');
        match c {
            [_, .., a, b] if apostrophe(a) && s(b) => 2,
            [_, .., a, b] if s(a) && apostrophe(b) => 1,
            _ => 0,
        }
    }

    /// Lower-cased text without a possessive ending.
    pub fn lower_bare(&self, t: usize) -> String {
        self.text_bare(t)
            .chars()
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// Text without a possessive ending.
    pub fn text_bare(&self, t: usize) -> String {
        let tok = self.tokens[t];
        let end = tok.end - self.possessive_len(t);
        self.chars[tok.start..end].iter().collect()
    }

    /// Text of tokens `[a, b)`, joined by single spaces (no space before
    /// punctuation).
    pub fn join(&self, a: usize, b: usize) -> String {
        let mut out = String::new();
        for t in a..b {
            if !out.is_empty() && self.tokens[t].kind != Kind::Punct {
                out.push(' ');
            }
            out.push_str(&self.text(t));
        }
        out
    }

    /// A word token.
    pub fn is_word(&self, t: usize) -> bool {
        self.tokens.get(t).is_some_and(|k| k.kind == Kind::Word)
    }

    /// A word starting with a lower-case letter.
    pub fn starts_lower(&self, t: usize) -> bool {
        self.is_word(t) && self.chars[self.tokens[t].start].is_lowercase()
    }

    /// A word starting with a capital letter.
    pub fn is_cap(&self, t: usize) -> bool {
        self.is_word(t) && self.chars[self.tokens[t].start].is_uppercase()
    }

    /// An all-capitals word of two or more letters (`NATO`, `US`).
    pub fn is_acronym(&self, t: usize) -> bool {
        if !self.is_word(t) {
            return false;
        }
        let tok = self.tokens[t];
        let letters = &self.chars[tok.start..tok.end];
        let mut count = 0;
        for c in letters.iter().filter(|c| c.is_alphabetic()) {
            if !c.is_uppercase() {
                return false;
            }
            count += 1;
        }
        count >= 2
    }

    /// A word ending in `'s`, `’s` or a plural `s'`.
    pub fn is_possessive(&self, t: usize) -> bool {
        self.possessive_len(t) > 0
    }

    /// The punctuation char of a punctuation token.
    pub fn punct(&self, t: usize) -> Option<char> {
        let tok = self.tokens.get(t)?;
        (tok.kind == Kind::Punct).then(|| self.chars[tok.start])
    }

    /// The span index of a quote token.
    pub fn quote_of(&self, t: usize) -> Option<usize> {
        match self.tokens.get(t)?.kind {
            Kind::Quote(s) => Some(s),
            _ => None,
        }
    }
}

/// End of the word starting at `i`, not going past `limit`.
fn word_end(chars: &[char], i: usize, limit: usize) -> usize {
    let mut j = i + 1;
    loop {
        if j < limit && chars[j].is_alphanumeric() {
            j += 1;
        } else if j + 1 < limit && is_joiner(chars[j]) && chars[j + 1].is_alphanumeric() {
            j += 2;
        } else {
            break;
        }
    }
    if j < limit && chars[j] == '.' && keeps_period(chars, i, j, limit) {
        j += 1;
    }
    // `Doctors' Association`: an apostrophe after a plural is possessive
    // here, since quote marks never reach the tokenizer.
    let plural_possessive = j < limit
        && matches!(chars[j], '\'' | '’')
        && matches!(chars[j - 1], 's' | 'S')
        && chars.get(j + 1).is_none_or(|c| c.is_whitespace());
    if plural_possessive {
        j += 1;
    }
    j
}

/// An abbreviation or an initial whose period is part of the word.
fn keeps_period(chars: &[char], i: usize, j: usize, limit: usize) -> bool {
    let word: String = chars[i..j].iter().flat_map(|c| c.to_lowercase()).collect();
    let capital = chars[i].is_uppercase();
    if j - i == 1 && capital {
        return true;
    }
    let next_digit = chars[j + 1..limit]
        .iter()
        .find(|c| !c.is_whitespace())
        .is_some_and(|c| c.is_ascii_digit());
    match word.as_str() {
        "no" => next_digit,
        "etc" | "vs" | "e.g" | "i.e" | "approx" | "a.m" | "p.m" => true,
        w => capital && lexicon::abbreviation(w),
    }
}

#[cfg(test)]
mod tests {
    use super::super::marks;
    use super::*;

    fn doc_of(chars: &[char]) -> Doc<'_> {
        let paras = marks::paragraphs(chars);
        let spans = marks::find_spans(chars, &paras);
        Doc::build(chars, paras, spans)
    }

    #[test]
    fn quotes_become_single_tokens() {
        let chars: Vec<char> = "“We won,” Ms Lee said.".chars().collect();
        let doc = doc_of(&chars);
        assert_eq!(doc.tokens.len(), 5);
        assert_eq!(doc.quote_of(0), Some(0));
        assert_eq!(doc.text(1), "Ms");
    }

    #[test]
    fn abbreviations_and_initials_keep_their_period() {
        let chars: Vec<char> = "On Dec. 23 Mr. John F. Kennedy spoke. Then U.S. aid."
            .chars()
            .collect();
        let doc = doc_of(&chars);
        let words: Vec<String> = (0..doc.tokens.len()).map(|t| doc.text(t)).collect();
        assert!(words.contains(&"Dec.".to_string()));
        assert!(words.contains(&"F.".to_string()));
        assert!(words.contains(&"U.S.".to_string()));
        assert_eq!(doc.sentences.len(), 2);
    }

    #[test]
    fn apostrophes_stay_inside_words() {
        let chars: Vec<char> = "Russia’s rock-solid We'll".chars().collect();
        let doc = doc_of(&chars);
        assert_eq!(doc.tokens.len(), 3);
        assert!(doc.is_possessive(0));
        assert_eq!(doc.text_bare(0), "Russia");
    }

    #[test]
    fn a_question_quote_followed_by_its_speaker_stays_one_sentence() {
        let chars: Vec<char> = "“Is it fair?” Smith asked. “No.” Jones left."
            .chars()
            .collect();
        let doc = doc_of(&chars);
        assert_eq!(doc.sentences.len(), 3);
    }

    #[test]
    fn a_full_stop_quote_followed_by_a_new_clause_ends_the_sentence() {
        let chars: Vec<char> = "“We are done.” Smith said the deal was off."
            .chars()
            .collect();
        let doc = doc_of(&chars);
        assert_eq!(doc.sentences.len(), 2);
    }
}
