//! UAX-29 word boundaries for ASCII text without table lookups ([`AsciiWords`]).

/// UAX-29 word boundaries for ASCII text, as `split_word_bound_indices` gives them, without
/// its table lookups. For ASCII the rules reduce to: letters and digits join each other and
/// `_`; a letter, `'`, `.` or `:` and a letter stay one word (`don't`, `e.g`); a digit, `,`
/// `.` `;` or `'` and a digit stay one number (`1,200`); runs of spaces are one segment;
/// CR LF is one segment; anything else stands alone. A property test compares it with the
/// general implementation.
pub struct AsciiWords<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> AsciiWords<'a> {
    /// Segments of an ASCII `text`.
    pub fn new(text: &'a str) -> Self {
        debug_assert!(text.is_ascii());
        AsciiWords { text, pos: 0 }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    /// `_` (ExtendNumLet).
    Under,
    /// `:` (MidLetter).
    MidLetter,
    /// `.` and `'` (MidNumLet and Single_Quote).
    MidNumLet,
    /// `,` and `;` (MidNum).
    MidNum,
    Space,
    Other,
}

const fn class_of(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Under,
        b':' => Class::MidLetter,
        b'.' | b'\'' => Class::MidNumLet,
        b',' | b';' => Class::MidNum,
        b' ' => Class::Space,
        _ => Class::Other,
    }
}

/// [`class_of`] for every byte: one load instead of a chain of comparisons.
static CLASSES: [Class; 256] = {
    let mut t = [Class::Other; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

#[inline(always)]
fn class(b: u8) -> Class {
    CLASSES[b as usize]
}

impl<'a> Iterator for AsciiWords<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a str)> {
        let b = self.text.as_bytes();
        let start = self.pos;
        if start >= b.len() {
            return None;
        }
        let first = class(b[start]);
        let mut i = start + 1;
        match first {
            Class::Space => {
                while i < b.len() && b[i] == b' ' {
                    i += 1;
                }
            }
            Class::Letter | Class::Digit | Class::Under => {
                // `prev` is the class of the last character in the segment.
                let mut prev = first;
                while i < b.len() {
                    let c = class(b[i]);
                    match c {
                        Class::Letter | Class::Digit | Class::Under => {
                            prev = c;
                            i += 1;
                        }
                        Class::MidLetter | Class::MidNumLet | Class::MidNum => {
                            let next = b.get(i + 1).map(|&x| class(x));
                            let joins = matches!(
                                (prev, c, next),
                                (
                                    Class::Letter,
                                    Class::MidLetter | Class::MidNumLet,
                                    Some(Class::Letter)
                                ) | (
                                    Class::Digit,
                                    Class::MidNum | Class::MidNumLet,
                                    Some(Class::Digit)
                                )
                            );
                            if !joins {
                                break;
                            }
                            prev = next.unwrap_or(c);
                            i += 2;
                        }
                        _ => break,
                    }
                }
            }
            Class::Other if b[start] == b'\r' && b.get(start + 1) == Some(&b'\n') => i += 1,
            _ => {}
        }
        self.pos = i;
        Some((start, &self.text[start..i]))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use unicode_segmentation::UnicodeSegmentation;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn ascii_words_equal_unicode_segmentation(text in "[a-zA-Z0-9_:.',; \t\r\n\"!?()-]{0,40}") {
            let ours: Vec<(usize, &str)> = AsciiWords::new(&text).collect();
            let theirs: Vec<(usize, &str)> = text.split_word_bound_indices().collect();
            prop_assert_eq!(ours, theirs);
        }
    }
}
