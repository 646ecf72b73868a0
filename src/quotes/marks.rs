//! Splitting the article into paragraphs and pairing quotation marks into spans.
//!
//! Every scan here is a single left-to-right pass with a constant amount of
//! look-ahead, so the cost is linear in the article length whatever the marks.

use super::lexicon;

/// A non-blank line of the article, with surrounding whitespace trimmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paragraph {
    /// Char offset of the first non-blank char.
    pub start: usize,
    /// Char offset one past the last non-blank char.
    pub end: usize,
}

/// Which family of marks delimits a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `"…"`, `“…”` and the other double marks.
    Double,
    /// `'…'` and `‘…’`.
    Single,
}

/// A stretch of text between an opening mark and its closing mark (or the
/// point where an unclosed quote was cut off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    /// Offset of the opening mark.
    pub outer_start: usize,
    /// One past the closing mark; for an unclosed quote, where it was cut off.
    pub outer_end: usize,
    /// First char of the quoted text (whitespace inside the marks trimmed).
    pub start: usize,
    /// One past the last char of the quoted text.
    pub end: usize,
    /// Index of the paragraph holding the span.
    pub para: usize,
    /// Mark family.
    pub family: Family,
    /// The opening mark has a matching closing mark.
    pub closed: bool,
    /// The quote runs on into the next paragraph (which reopens it).
    pub continues_next: bool,
    /// This span reopens a quote left open at the end of the previous paragraph.
    pub continues_prev: bool,
}

/// Splits `chars` into paragraphs: each non-blank line is one paragraph.
pub(crate) fn paragraphs(chars: &[char]) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for i in 0..=chars.len() {
        let at_break = chars
            .get(i)
            .is_none_or(|&c| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'));
        if !at_break {
            continue;
        }
        let (mut s, mut e) = (line_start, i);
        while s < e && chars[s].is_whitespace() {
            s += 1;
        }
        while e > s && chars[e - 1].is_whitespace() {
            e -= 1;
        }
        if s < e {
            out.push(Paragraph { start: s, end: e });
        }
        line_start = i + 1;
    }
    out
}

/// True for every double quotation mark this module understands.
pub(crate) fn is_double(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '‟' | '«' | '»' | '＂')
}

/// True for every single quotation mark (and apostrophe look-alike).
pub(crate) fn is_single(c: char) -> bool {
    matches!(c, '\'' | '‘' | '’' | '‚' | '‛')
}

fn is_quote_char(c: char) -> bool {
    is_double(c) || is_single(c)
}

fn opens_by_shape(c: char) -> bool {
    matches!(c, '“' | '„' | '‟' | '«' | '‘' | '‚' | '‛')
}

fn closes_by_shape(c: char) -> bool {
    matches!(c, '”' | '»' | '’')
}

/// A char that may stand right before an opening mark.
fn before_opener(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || is_quote_char(c)
                || matches!(c, '(' | '[' | '{' | '—' | '–' | '-' | '/' | ':' | ';' | ',')
        }
    }
}

/// A char that may stand right after a closing mark.
fn after_closer(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || is_quote_char(c)
                || matches!(
                    c,
                    '.' | ','
                        | ';'
                        | ':'
                        | '!'
                        | '?'
                        | ')'
                        | ']'
                        | '}'
                        | '—'
                        | '–'
                        | '-'
                        | '/'
                        | '…'
                )
        }
    }
}

fn can_open(prev: Option<char>, next: Option<char>) -> bool {
    before_opener(prev)
        && next.is_some_and(|n| {
            !n.is_whitespace() && !matches!(n, '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}')
        })
}

fn can_close(prev: Option<char>, next: Option<char>) -> bool {
    prev.is_some_and(|p| !p.is_whitespace() && !matches!(p, '(' | '[' | '{')) && after_closer(next)
}

/// Context of one paragraph while scanning it.
struct Scan<'a> {
    chars: &'a [char],
    para: Paragraph,
    index: usize,
}

impl Scan<'_> {
    fn prev(&self, i: usize) -> Option<char> {
        (i > self.para.start).then(|| self.chars[i - 1])
    }

    fn next(&self, i: usize) -> Option<char> {
        (i + 1 < self.para.end).then(|| self.chars[i + 1])
    }

    /// For a quote whose closing mark is missing: the offset just past a
    /// comma followed by an attribution (`..., said Kemal Arslan.` or `...,
    /// she said`), where the quote most likely ended.
    fn attribution_cut(&self, from: usize, to: usize) -> Option<usize> {
        (from..to)
            .filter(|&i| self.chars[i] == ',')
            .find(|&i| self.attribution_after(i + 1, to))
            .map(|i| i + 1)
    }

    /// Reads at most five short words from `at`: true for `said X` or for
    /// up to three capitalised words or a pronoun followed by a speech verb.
    fn attribution_after(&self, at: usize, to: usize) -> bool {
        let mut j = at;
        for k in 0..5 {
            while j < to && self.chars[j].is_whitespace() {
                j += 1;
            }
            let start = j;
            while j < to
                && j - start < 40
                && (self.chars[j].is_alphabetic()
                    || matches!(self.chars[j], '\'' | '’' | '.' | '-'))
            {
                j += 1;
            }
            if j == start {
                return false;
            }
            let word: String = self.chars[start..j].iter().collect();
            let lower = word.to_lowercase();
            let upper = self.chars[start].is_uppercase();
            if !upper && lexicon::finite_cue(&lower) {
                return k > 0 || lexicon::invertible_cue(&lower);
            }
            if !upper && !matches!(lower.as_str(), "he" | "she" | "they" | "we") {
                return false;
            }
        }
        false
    }

    /// A quote left open at `cut`: ends at an attribution inside it if there
    /// is one (then it does not run on into the next paragraph), else at `cut`.
    fn unclosed(&self, open: usize, cut: usize) -> (Option<Span>, bool) {
        match self.attribution_cut(open + 1, cut) {
            Some(end) => (self.span(open, None, end, Family::Double), true),
            None => (self.span(open, None, cut, Family::Double), false),
        }
    }

    /// Builds a span from an opening mark to `close` (the closing mark) or,
    /// when unclosed, to `cut`; `None` when nothing but whitespace is inside.
    fn span(&self, open: usize, close: Option<usize>, cut: usize, family: Family) -> Option<Span> {
        let inner_end = close.unwrap_or(cut);
        let (mut s, mut e) = (open + 1, inner_end);
        while s < e && self.chars[s].is_whitespace() {
            s += 1;
        }
        while e > s && self.chars[e - 1].is_whitespace() {
            e -= 1;
        }
        if s == e {
            return None;
        }
        let outer_end = match close {
            Some(c) => c + 1,
            None => e,
        };
        Some(Span {
            outer_start: open,
            outer_end,
            start: s,
            end: e,
            para: self.index,
            family,
            closed: close.is_some(),
            continues_next: false,
            continues_prev: false,
        })
    }
}

/// Finds every quote span of the article, in text order, nested spans removed.
pub(crate) fn find_spans(chars: &[char], paras: &[Paragraph]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut carried = false;
    for (index, &para) in paras.iter().enumerate() {
        let scan = Scan { chars, para, index };
        let next_para = paras.get(index + 1).copied();
        let first = spans.len();
        let reopens_next = next_para.is_some_and(|np| paragraph_opens_quote(chars, np));
        carried = scan_doubles(&scan, &mut spans, carried, reopens_next);
        if index == 0 || headline_like(chars, para) || !has_double(chars, para) {
            let mut singles = scan_singles(&scan, &spans[first..]);
            spans.append(&mut singles);
            spans[first..].sort_by_key(|s| s.outer_start);
        }
    }
    drop_nested(spans)
}

fn has_double(chars: &[char], para: Paragraph) -> bool {
    chars[para.start..para.end].iter().any(|&c| is_double(c))
}

/// A paragraph that begins with a double mark able to open a quote.
fn paragraph_opens_quote(chars: &[char], para: Paragraph) -> bool {
    let first = chars[para.start];
    let next = (para.start + 1 < para.end).then(|| chars[para.start + 1]);
    is_double(first) && can_open(None, next)
}

/// Short lines without a closing full stop: headlines, standfirsts, captions.
pub(crate) fn headline_like(chars: &[char], para: Paragraph) -> bool {
    let len = para.end - para.start;
    if len > 200 {
        return false;
    }
    // Look through closing marks: `... dressing room'` is a headline,
    // `... it," she said."` is not.
    let last = chars[para.start..para.end]
        .iter()
        .rev()
        .find(|&&c| !is_quote_char(c) && c != ')')
        .copied();
    !matches!(last, Some('.' | '!' | '?' | '…'))
}

/// Pairs the double marks of one paragraph. Returns whether a quote left
/// open at the paragraph end runs on into the next paragraph.
fn scan_doubles(scan: &Scan, out: &mut Vec<Span>, carried: bool, reopens_next: bool) -> bool {
    let mut open: Option<usize> = None;
    let mut first_open = true;
    let push = |span: Option<Span>, out: &mut Vec<Span>, first_open: &mut bool| {
        if let Some(mut span) = span {
            if carried && *first_open && span.outer_start == scan.para.start {
                span.continues_prev = true;
            }
            out.push(span);
        }
        *first_open = false;
    };
    for i in scan.para.start..scan.para.end {
        let c = scan.chars[i];
        if !is_double(c) || inch_mark(scan, i) {
            continue;
        }
        let (prev, next) = (scan.prev(i), scan.next(i));
        let (co, cc) = (can_open(prev, next), can_close(prev, next));
        match open {
            None => {
                if co || (!cc && (opens_by_shape(c) || c == '"')) {
                    open = Some(i);
                }
            }
            Some(o) => {
                if cc || (!co && (closes_by_shape(c) || c == '"' || c == '＂')) {
                    let span = scan.span(o, Some(i), i, Family::Double);
                    push(span, out, &mut first_open);
                    open = None;
                } else {
                    // A fresh opener while a quote is open: the earlier quote
                    // lost its closing mark. End it here rather than let it
                    // run on, and start the new one.
                    let (span, _) = scan.unclosed(o, i);
                    push(span, out, &mut first_open);
                    open = Some(i);
                }
            }
        }
    }
    match open {
        Some(o) => {
            let (mut span, was_cut) = scan.unclosed(o, scan.para.end);
            let continues = reopens_next && !was_cut;
            if let Some(s) = span.as_mut() {
                s.continues_next = continues;
            }
            push(span, out, &mut first_open);
            continues
        }
        None => false,
    }
}

/// `6'2"`: a straight double mark after feet and inches is a unit.
fn inch_mark(scan: &Scan, i: usize) -> bool {
    let at = |k: usize| (k >= scan.para.start).then(|| scan.chars[k]);
    scan.chars[i] == '"'
        && i >= scan.para.start + 3
        && at(i - 1).is_some_and(|c| c.is_ascii_digit())
        && at(i - 2).is_some_and(|c| matches!(c, '\'' | '’'))
        && at(i - 3).is_some_and(|c| c.is_ascii_digit())
}

/// Length of the letter/digit run starting at `i` (bounded by the paragraph).
fn word_len(scan: &Scan, i: usize) -> usize {
    // Capped: callers only look at short words, and an uncapped count would
    // make a long run of letters cost its length once per mark.
    scan.chars[i.min(scan.para.end)..scan.para.end]
        .iter()
        .take(33)
        .take_while(|c| c.is_alphanumeric())
        .count()
}

/// An apostrophe opening an elision such as `'n'`, `'em` or `'90s`. Returns
/// the offset just past the elided word when it is one.
fn elision_end(scan: &Scan, i: usize) -> Option<usize> {
    let len = word_len(scan, i + 1);
    if len == 0 {
        return None;
    }
    let word: String = scan.chars[i + 1..i + 1 + len].iter().collect();
    let lower = word.to_lowercase();
    let digits = lower.chars().take_while(|c| c.is_ascii_digit()).count();
    let decade = digits == 2 && (lower.len() == 2 || &lower[2..] == "s");
    (decade || lexicon::elision(&lower)).then_some(i + 1 + len)
}

/// `players’ union`: an apostrophe after a plural, followed by a lower-case
/// word that is not a speech verb or a pronoun.
fn possessive_plural(scan: &Scan, i: usize) -> bool {
    let after_s = scan.prev(i).is_some_and(|p| p == 's' || p == 'S');
    if !after_s || !scan.next(i).is_some_and(char::is_whitespace) {
        return false;
    }
    let start = i + 2;
    if start >= scan.para.end || !scan.chars[start].is_lowercase() {
        return false;
    }
    let len = word_len(scan, start);
    let word: String = scan.chars[start..start + len].iter().collect();
    !(lexicon::finite_cue(&word) || matches!(word.as_str(), "he" | "she" | "they" | "we" | "i"))
}

/// Pairs single marks outside the given double spans of the same paragraph.
/// An unmatched single mark is an apostrophe and is dropped.
fn scan_singles(scan: &Scan, doubles: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut elided_close: Option<usize> = None;
    let mut d = 0;
    let mut i = scan.para.start;
    while i < scan.para.end {
        if let Some(span) = doubles.get(d) {
            if i >= span.outer_start {
                i = i.max(span.outer_end);
                d += 1;
                continue;
            }
        }
        let c = scan.chars[i];
        if !is_single(c) || elided_close == Some(i) {
            i += 1;
            continue;
        }
        let (prev, next) = (scan.prev(i), scan.next(i));
        let inside_word =
            prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
        if inside_word {
            i += 1;
            continue;
        }
        // A right single mark only opens when misused after a space.
        let shape_ok = c != '’' || prev.is_none_or(char::is_whitespace);
        let opener = shape_ok
            && can_open(prev, next)
            && next.is_some_and(|n| n.is_alphanumeric() || matches!(n, '[' | '(' | '…'));
        if opener {
            if let Some(end) = elision_end(scan, i) {
                // Only `'n'` carries its own closing apostrophe; after `'69`
                // a mark may well close an enclosing quote.
                let one_letter = end == i + 2 && matches!(scan.chars[i + 1], 'n' | 'N');
                if one_letter {
                    elided_close = Some(end);
                }
                i += 1;
                continue;
            }
        }
        let closer = c != '‘' && can_close(prev, next) && !possessive_plural(scan, i);
        match open {
            Some(o) if closer => {
                out.extend(scan.span(o, Some(i), i, Family::Single));
                open = None;
            }
            _ if opener => open = Some(i),
            _ => {}
        }
        i += 1;
    }
    out
}

/// Removes spans lying inside another span (`"he said 'no' twice"`): the
/// outer quote is the statement.
fn drop_nested(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by_key(|s| s.outer_start);
    let mut kept: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        if kept.last().is_some_and(|k| span.outer_start < k.outer_end) {
            continue;
        }
        kept.push(span);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans_of(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let paras = paragraphs(&chars);
        find_spans(&chars, &paras)
            .iter()
            .map(|s| chars[s.start..s.end].iter().collect())
            .collect()
    }

    #[test]
    fn paragraphs_split_on_single_and_blank_lines() {
        let chars: Vec<char> = "One.\nTwo.\n\n  Three.  \r\n".chars().collect();
        let p = paragraphs(&chars);
        assert_eq!(p.len(), 3);
        assert_eq!(p[2], Paragraph { start: 13, end: 19 });
    }

    #[test]
    fn straight_and_curly_double_quotes_pair() {
        assert_eq!(
            spans_of("He said \"yes now\" and “no later”."),
            ["yes now", "no later"]
        );
    }

    #[test]
    fn mixed_pairs_of_straight_and_curly_marks_pair() {
        assert_eq!(
            spans_of("\"This is not our choice,” he said. “Fine\" too."),
            ["This is not our choice,", "Fine"]
        );
    }

    #[test]
    fn trailing_punctuation_inside_the_marks_is_kept() {
        assert_eq!(spans_of("“We are ready,” she said."), ["We are ready,"]);
    }

    #[test]
    fn interrupted_quote_gives_two_spans() {
        assert_eq!(
            spans_of("\"We are ready,\" she said, \"to talk today.\""),
            ["We are ready,", "to talk today."]
        );
    }

    #[test]
    fn single_quotes_in_headline_are_quotes() {
        assert_eq!(
            spans_of("'Enough is enough': union walks out"),
            ["Enough is enough"]
        );
        assert_eq!(spans_of("‘We will win’, says coach"), ["We will win"]);
    }

    #[test]
    fn single_quotes_inside_double_quotes_are_nested_not_separate() {
        assert_eq!(
            spans_of("Body text first.\n“He told me ‘we are done’ and left,” she said."),
            ["He told me ‘we are done’ and left,"]
        );
    }

    #[test]
    fn apostrophes_are_not_quote_marks() {
        let text =
            "We'll see Ruiz's car from the '90s, Russia’s rock ’n’ roll and the players’ union.";
        assert!(spans_of(text).is_empty());
    }

    #[test]
    fn elision_inside_a_single_quote_does_not_close_it() {
        assert_eq!(
            spans_of("'We love rock ’n’ roll,' he said"),
            ["We love rock ’n’ roll,"]
        );
    }

    #[test]
    fn unclosed_quote_stops_at_paragraph_end() {
        assert_eq!(
            spans_of("He said \"we will fight on and on.\nNext paragraph is plain."),
            ["we will fight on and on."]
        );
    }

    #[test]
    fn fresh_opener_ends_an_unclosed_quote() {
        assert_eq!(
            spans_of("\"We are ready, she said. \"Talks start Monday,\" she added."),
            ["We are ready, she said.", "Talks start Monday,"]
        );
    }

    #[test]
    fn unclosed_quote_ends_at_an_attribution_inside_it() {
        assert_eq!(
            spans_of("\"Our crews are out, said Kemal Arslan. He left.\n\"Next,\" he said."),
            ["Our crews are out,", "Next,"]
        );
    }

    #[test]
    fn decade_elision_inside_single_quotes_does_not_eat_the_closing_mark() {
        assert_eq!(
            spans_of("O'Hara revives 'Summer of '69' festival"),
            ["Summer of '69"]
        );
    }

    #[test]
    fn multi_paragraph_quote_is_linked_across_paragraphs() {
        let chars: Vec<char> = "She said: “First part.\n“Second part,” she added."
            .chars()
            .collect();
        let paras = paragraphs(&chars);
        let spans = find_spans(&chars, &paras);
        assert_eq!(spans.len(), 2);
        assert!(spans[0].continues_next && !spans[0].closed);
        assert!(spans[1].continues_prev && spans[1].closed);
    }

    #[test]
    fn stray_closing_marks_and_inch_marks_are_ignored() {
        assert!(spans_of("a 6\" pipe” and more").is_empty());
    }

    #[test]
    fn feet_and_inches_mark_inside_a_quote_does_not_close_it() {
        assert_eq!(
            spans_of("\"He is 6'2\" and fast,\" the coach said."),
            ["He is 6'2\" and fast,"]
        );
    }

    #[test]
    fn many_marks_in_a_row_do_not_create_empty_spans() {
        let text = "\"".repeat(10_001);
        assert!(spans_of(&text).is_empty());
    }

    #[test]
    fn lone_marks_at_edges_do_not_panic() {
        for text in [
            "\"",
            "“",
            "”",
            "'",
            "’",
            "a\"",
            "\"a",
            "\u{0}\"\u{0}",
            "\n\"\n\"",
        ] {
            let _ = spans_of(text);
        }
    }
}
