//! The article body with each quote marked in place: quotes nest when one
//! lies inside another and are cut where they cross, so the markup stays well
//! formed and the text shown is exactly the article's. The trickiest part of
//! the page, kept on its own with its property test.

use super::ReportQuote;
use crate::report::{escape, push_escaped};

/// Append the article body (the text after `body_start` chars) with each quote wrapped in
/// `<span class="qw"><mark class="q sN" …>quote</mark><button class="who">speaker</button></span>`.
///
/// Offsets are char offsets into `text`. Quotes are nested when one lies inside another; a
/// quote that starts inside another and runs past its end is cut at that end, so the markup
/// stays well formed and every quote that starts in the body is highlighted exactly once.
/// Quotes outside the body are not shown.
pub(super) fn render_body(
    h: &mut String,
    text: &str,
    body_start: usize,
    quotes: &[ReportQuote],
    stance_idx: &[usize],
) {
    let total = text.chars().count();
    let mut order: Vec<usize> = (0..quotes.len())
        .filter(|&i| {
            let q = quotes[i].quote;
            q.start >= body_start && q.start < q.end.min(total)
        })
        .collect();
    order.sort_by(|&a, &b| {
        let (qa, qb) = (quotes[a].quote, quotes[b].quote);
        qa.start
            .cmp(&qb.start)
            .then(qb.end.cmp(&qa.end))
            .then(a.cmp(&b))
    });
    let mut cur = Cursor::new(text);
    let mut last_byte = cur.byte_at(body_start);
    // Open quotes: (end char, quote index).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut next = order.into_iter().peekable();
    loop {
        let next_open = next.peek().map(|&i| quotes[i].quote.start);
        let next_close = stack.last().map(|&(e, _)| e);
        let at = match (next_open, next_close) {
            (None, None) => break,
            (Some(o), Some(c)) => o.min(c),
            (Some(o), None) => o,
            (None, Some(c)) => c,
        };
        let b = cur.byte_at(at);
        push_escaped(h, &text[last_byte..b]);
        last_byte = b;
        // Close before opening, so a quote that starts where another ends is a sibling.
        if next_close == Some(at) {
            if let Some((_, i)) = stack.pop() {
                close_quote(h, &quotes[i]);
            }
            continue;
        }
        if let Some(i) = next.next() {
            let q = &quotes[i];
            let end = stack
                .last()
                .map_or(q.quote.end.min(total), |&(e, _)| q.quote.end.min(e));
            open_quote(h, q, stance_idx[i]);
            stack.push((end, i));
        }
    }
    push_escaped(h, &text[last_byte..]);
}

/// Walks a string's chars once, turning increasing char offsets into byte offsets.
struct Cursor<'a> {
    it: std::iter::Peekable<std::str::CharIndices<'a>>,
    pos: usize,
    len: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            it: text.char_indices().peekable(),
            pos: 0,
            len: text.len(),
        }
    }

    /// Byte offset of char `target` (the text's length past the end); `target` never
    /// decreases between calls.
    fn byte_at(&mut self, target: usize) -> usize {
        while self.pos < target && self.it.next().is_some() {
            self.pos += 1;
        }
        self.it.peek().map_or(self.len, |&(b, _)| b)
    }
}

/// Open a quote's highlight; its title shows both labels and their probabilities.
fn open_quote(h: &mut String, q: &ReportQuote, si: usize) {
    let speaker = escape(q.quote.speaker.as_deref().unwrap_or(""));
    h.push_str(&format!(
        "<span class=\"qw\"><mark class=\"q s{si}\" data-speaker=\"{speaker}\" data-stance=\"{}\" \
         title=\"{} {:.2} · sentiment {} {:.2}{}\">",
        escape(q.stance),
        escape(q.stance),
        q.stance_confidence,
        escape(q.sentiment),
        q.sentiment_confidence,
        if q.quote.partial {
            " · partial quote"
        } else {
            ""
        }
    ));
}

/// Close a quote's highlight and add its speaker button.
fn close_quote(h: &mut String, q: &ReportQuote) {
    h.push_str("</mark>");
    match q.quote.speaker.as_deref() {
        Some(s) => {
            let s = escape(s);
            let title = q
                .quote
                .speaker_title
                .as_deref()
                .map(|t| format!(" title=\"{}\"", escape(t)))
                .unwrap_or_default();
            h.push_str(&format!(
                "<button type=\"button\" class=\"who\" data-speaker=\"{s}\"{title}>{s}</button>"
            ));
        }
        None => h.push_str(
            "<button type=\"button\" class=\"who unknown\" data-speaker=\"\">unknown speaker</button>",
        ),
    }
    h.push_str("</span>");
}

#[cfg(test)]
mod tests {
    use super::super::tests::{quote, scored};
    use super::*;
    use crate::quotes::Quote;
    use proptest::prelude::*;

    fn body(text: &str, body_start: usize, qs: &[Quote]) -> String {
        let rq: Vec<ReportQuote> = qs.iter().map(scored).collect();
        let idx = vec![0; rq.len()];
        let mut h = String::new();
        render_body(&mut h, text, body_start, &rq, &idx);
        h
    }

    /// The text a browser would show for the body, speaker badges left out.
    fn shown_text(html: &str) -> String {
        let no_badges = regex_free_strip_badges(html);
        let mut out = String::new();
        let mut in_tag = false;
        for c in no_badges.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    fn regex_free_strip_badges(html: &str) -> String {
        let mut s = html.to_string();
        while let Some(a) = s.find("<button") {
            let b = s[a..].find("</button>").map_or(s.len(), |b| a + b + 9);
            s.replace_range(a..b, "");
        }
        s
    }

    #[test]
    fn quotes_are_highlighted_in_place_with_their_speaker() {
        let text = "date 2024-01-02 He said \"stop <now>\" & left.";
        let qs = [quote(text, 25, 35, Some("Ann O'Neil"))];
        let h = body(text, 16, &qs);
        assert_eq!(
            h,
            "He said &quot;<span class=\"qw\"><mark class=\"q s0\" data-speaker=\"Ann O&#39;Neil\" \
             data-stance=\"threatening\" title=\"threatening 0.90 · sentiment negative 0.80\">stop &lt;now&gt;</mark>\
             <button type=\"button\" class=\"who\" data-speaker=\"Ann O&#39;Neil\">Ann O&#39;Neil</button></span>&quot; &amp; left."
        );
    }

    #[test]
    fn nested_quotes_nest_and_crossing_quotes_are_cut() {
        let text = "abcdefghij";
        // b..h holds d..f; e..j crosses the end of b..h and is cut at h.
        let qs = [
            quote(text, 1, 8, Some("A")),
            quote(text, 3, 6, None),
            quote(text, 7, 10, Some("B")),
        ];
        let h = body(text, 0, &qs);
        assert_eq!(h.matches("<mark").count(), 3);
        assert_eq!(h.matches("</mark>").count(), 3);
        assert_eq!(shown_text(&h), text);
        let inner = h.find("data-speaker=\"\"").unwrap();
        let outer_close = h
            .find("</mark><button type=\"button\" class=\"who\" data-speaker=\"A\"")
            .unwrap();
        assert!(inner < outer_close);
    }

    #[test]
    fn adjacent_quotes_are_siblings() {
        let text = "abcdef";
        let qs = [quote(text, 0, 3, Some("A")), quote(text, 3, 6, Some("B"))];
        let h = body(text, 0, &qs);
        let first_close = h.find("</span>").unwrap();
        let second_open = h.rfind("<span class=\"qw\">").unwrap();
        assert!(first_close < second_open);
    }

    #[test]
    fn quotes_out_of_range_are_skipped_not_panicked_on() {
        let text = "héllo wörld";
        let qs = [quote(text, 2, 4, None), {
            let mut q = quote(text, 0, 1, None);
            q.start = 50;
            q.end = 60;
            q
        }];
        let h = body(text, 0, &qs);
        assert_eq!(h.matches("<mark").count(), 1);
        assert_eq!(shown_text(&h), text);
    }

    proptest! {
        /// Highlighting never changes, drops or duplicates a character of the text, and
        /// every quote inside the body gets exactly one highlight.
        #[test]
        fn highlighting_keeps_the_text_and_marks_every_quote(
            text in "[a-z<>&\"' \n\u{e9}\u{201c}\u{201d}]{0,60}",
            spans in proptest::collection::vec((0usize..70, 0usize..20), 0..8),
            body_start in 0usize..5,
        ) {
            let n = text.chars().count();
            let body_start = body_start.min(n);
            let qs: Vec<Quote> = spans
                .iter()
                .filter(|&&(s, l)| s >= body_start && l > 0 && s + l <= n)
                .map(|&(s, l)| quote(&text, s, s + l, Some("X")))
                .collect();
            let h = body(&text, body_start, &qs);
            let shown: String = text.chars().skip(body_start).collect();
            prop_assert_eq!(shown_text(&h), shown);
            prop_assert_eq!(h.matches("<mark").count(), qs.len());
            prop_assert_eq!(h.matches("</mark>").count(), qs.len());
        }
    }
}
