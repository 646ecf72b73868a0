//! The analysis stages, each a small function over tokens.

use unicode_segmentation::UnicodeSegmentation;

use super::{stopwords, Token, TokenKind};
use crate::util::FastMap;

/// Split on Unicode (UAX-29) word boundaries. Whitespace is dropped; everything else becomes
/// a token with its byte span.
pub fn split(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    for (start, seg) in text.split_word_bound_indices() {
        let Some(kind) = classify(seg) else { continue };
        // A space followed by combining marks is one segment. Terms are words joined by
        // spaces, so a token must not hold one.
        let text = if seg.contains(' ') {
            seg.replace(' ', "")
        } else {
            seg.to_string()
        };
        out.push(Token {
            text,
            start,
            end: start + seg.len(),
            kind,
            negated: false,
        });
    }
    out
}

fn classify(seg: &str) -> Option<TokenKind> {
    let mut has_alpha = false;
    let mut has_digit = false;
    let mut all_space = true;
    let mut all_punct = true;
    for c in seg.chars() {
        if c.is_alphabetic() {
            has_alpha = true;
        } else if c.is_numeric() {
            has_digit = true;
        }
        if !c.is_whitespace() {
            all_space = false;
        }
        if !is_punct(c) {
            all_punct = false;
        }
    }
    Some(if all_space {
        return None;
    } else if has_alpha {
        TokenKind::Word
    } else if has_digit {
        TokenKind::Number
    } else if all_punct {
        TokenKind::Punct
    } else {
        TokenKind::Symbol
    })
}

/// Punctuation in the Unicode sense, approximated without tables: ASCII punctuation (minus
/// symbols that mean something: `$ % & + < = > @ ^ | ~ #`) and the general punctuation block.
fn is_punct(c: char) -> bool {
    matches!(
        c,
        '!' | '"' | '\'' | '(' | ')' | '*' | ',' | '-' | '.' | '/' | ':' | ';' | '?' | '['
            | '\\' | ']' | '_' | '`' | '{' | '}' | '¡' | '¿' | '«' | '»' | '·' | '…'
            | '\u{2010}'..='\u{2027}'
            | '\u{2030}'..='\u{205E}'
            | '\u{3000}'..='\u{303F}'
            | '\u{FF01}'..='\u{FF0F}'
    ) && !matches!(c, '\u{2030}' | '\u{2031}')
}

/// Unicode lowercasing.
pub fn lowercase(tokens: &mut [Token]) {
    for t in tokens {
        if t.text.chars().any(|c| !c.is_lowercase()) {
            t.text = t.text.to_lowercase();
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Split English contractions and drop possessive `'s`, with straight or curly apostrophes:
/// `won't` → `will not`, `don't` → `do not`, `we'll` → `we will`, `Russia’s` → `russia`,
/// `cannot` → `can not`. The parts keep sub-spans of the original token.
pub fn contractions(original: &str, tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len() + 4);
    for t in tokens {
        if t.kind != TokenKind::Word {
            out.push(t);
            continue;
        }
        if t.text == "cannot" {
            let mid = t.start + 3;
            out.push(part("can", t.start, mid));
            out.push(part("not", mid, t.end));
            continue;
        }
        if !t.text.contains(is_apostrophe) {
            out.push(t);
            continue;
        }
        let norm: String = t
            .text
            .chars()
            .map(|c| if is_apostrophe(c) { '\'' } else { c })
            .collect();
        // Byte position of the last apostrophe in the original span.
        let orig = original.get(t.start..t.end).unwrap_or("");
        let apos = orig
            .char_indices()
            .rfind(|&(_, c)| is_apostrophe(c))
            .map(|(i, _)| t.start + i)
            .unwrap_or(t.end);
        if let Some(stem) = norm.strip_suffix("n't") {
            let base = match stem {
                "wo" => "will",
                "ca" => "can",
                "sha" => "shall",
                "ai" => "is",
                other => other,
            };
            // The `n` before the apostrophe is ASCII, so one byte back is a char boundary.
            let mid = apos.saturating_sub(1).max(t.start);
            if !base.is_empty() {
                out.push(part(base, t.start, mid));
            }
            out.push(part("not", mid, t.end));
            continue;
        }
        let (base, rest) = match norm.rsplit_once('\'') {
            Some(pair) => pair,
            None => {
                out.push(t);
                continue;
            }
        };
        let expansion = match rest {
            "s" => Some(None),
            "re" => Some(Some("are")),
            "ve" => Some(Some("have")),
            "ll" => Some(Some("will")),
            "d" => Some(Some("would")),
            "m" => Some(Some("am")),
            _ => None,
        };
        match expansion {
            Some(extra) if !base.is_empty() => {
                out.push(part(base, t.start, apos));
                if let Some(word) = extra {
                    out.push(part(word, apos, t.end));
                }
            }
            _ => {
                out.push(Token { text: norm, ..t });
            }
        }
    }
    out
}

fn part(text: &str, start: usize, end: usize) -> Token {
    Token {
        text: text.to_string(),
        start,
        end,
        kind: TokenKind::Word,
        negated: false,
    }
}

/// Replace numbers by `<num>`: the value rarely matters, the presence might.
pub fn numbers(tokens: &mut [Token]) {
    for t in tokens {
        if t.kind == TokenKind::Number {
            t.text.clear();
            t.text.push_str("<num>");
        }
    }
}

/// Words that open a negation scope, sorted.
pub(crate) const NEGATORS: &[&str] = &[
    "neither", "never", "no", "nobody", "none", "nor", "not", "nothing", "nowhere", "without",
];

/// Mark words after a negator as negated until the next punctuation token.
pub fn negation(tokens: &mut [Token]) {
    let mut inside = false;
    for t in tokens {
        match t.kind {
            TokenKind::Punct => inside = false,
            _ if NEGATORS.binary_search(&t.text.as_str()).is_ok() => inside = true,
            _ => t.negated = inside,
        }
    }
}

/// Drop English stop words (never a negated one: `NEG_the` is rare and harmless).
pub fn stop_words(tokens: &mut Vec<Token>) {
    tokens.retain(|t| t.negated || stopwords::ENGLISH.binary_search(&t.text.as_str()).is_err());
}

/// Snowball stemming of words.
///
/// Word frequencies are Zipfian, so most words were stemmed moments ago: a per-thread memo
/// (cleared when it grows past a bound, keyed by language) skips the stemmer for them. It
/// changes no result.
pub fn stem(stemmer: &rust_stemmers::Stemmer, lang: u8, tokens: &mut [Token]) {
    const MAX_MEMO: usize = 1 << 16;
    const MAX_MEMO_WORD: usize = 48;
    thread_local! {
        static MEMO: std::cell::RefCell<(u8, FastMap<String, Option<String>>)> =
            std::cell::RefCell::new((u8::MAX, FastMap::default()));
    }
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.0 != lang || m.1.len() > MAX_MEMO {
            m.0 = lang;
            m.1.clear();
        }
        for t in tokens {
            if t.kind != TokenKind::Word {
                continue;
            }
            if t.text.len() > MAX_MEMO_WORD {
                // Long runs of letters are not words worth remembering; bounded memory.
                if let std::borrow::Cow::Owned(s) = stemmer.stem(&t.text) {
                    t.text = s;
                }
                continue;
            }
            if let Some(hit) = m.1.get(t.text.as_str()) {
                if let Some(s) = hit {
                    t.text.clone_from(s);
                }
                continue;
            }
            let stemmed = match stemmer.stem(&t.text) {
                std::borrow::Cow::Owned(s) => Some(s),
                std::borrow::Cow::Borrowed(_) => None,
            };
            let key = std::mem::take(&mut t.text);
            t.text = stemmed.clone().unwrap_or_else(|| key.clone());
            m.1.insert(key, stemmed);
        }
    });
}
