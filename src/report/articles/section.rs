//! One article's section: a collapsible heading with the title, date and
//! stance counts, the id and link, then the highlighted body. Written as soon
//! as the article arrives, so the report never holds more than one.

use std::io::{self, Write};

use super::highlight::render_body;
use super::{ArticleReport, ReportQuote, OPEN_ARTICLES, PAGE_SIZE};
use crate::input::articles::Article;
use crate::report::{escape, push_escaped};
use crate::util::days_from_date;

impl<W: Write> ArticleReport<W> {
    /// Write one article with its quotes highlighted, and count its quotes.
    pub fn article(&mut self, art: &Article, quotes: &[ReportQuote]) -> io::Result<()> {
        let n = self.articles;
        self.articles += 1;
        let stance_idx: Vec<usize> = quotes.iter().map(|q| self.stance_index(q.stance)).collect();
        let mut counts = vec![0usize; self.opts.stance_labels.len()];
        for &i in &stance_idx {
            counts[i] += 1;
        }
        let day = art.date.as_deref().and_then(days_from_date);
        self.tally(art, quotes, &stance_idx, day);

        let mut h = String::with_capacity(art.text.len() + 256 * (quotes.len() + 1));
        h.push_str(&format!(
            "<article class=\"art\" id=\"art-{}\"{}",
            n + 1,
            if n >= PAGE_SIZE { " hidden" } else { "" }
        ));
        if let Some(d) = &art.date {
            h.push_str(" data-date=\"");
            push_escaped(&mut h, d);
            h.push('"');
        }
        h.push_str(&format!(
            ">\n<details{}>\n<summary><span class=\"t\">",
            if n < OPEN_ARTICLES { " open" } else { "" }
        ));
        push_escaped(&mut h, &article_title(art));
        h.push_str("</span>");
        if let Some(d) = &art.date {
            h.push_str("<span class=\"d\">");
            push_escaped(&mut h, d);
            h.push_str("</span>");
        }
        h.push_str(&format!(
            "<span class=\"n\">{} quote{}</span><span class=\"counts\">",
            quotes.len(),
            if quotes.len() == 1 { "" } else { "s" }
        ));
        for (i, c) in counts.iter().enumerate() {
            if *c > 0 {
                h.push_str(&format!(
                    "<span class=\"mk s{i}\" title=\"{}\"></span>{c} ",
                    escape(&self.opts.stance_labels[i])
                ));
            }
        }
        h.push_str("</span></summary>\n<p class=\"meta\">");
        push_escaped(&mut h, &art.id);
        if let Some(url) = art.url.as_deref().filter(|u| is_web_url(u)) {
            // A link is followed only when clicked; nothing is fetched on load.
            h.push_str(" · <a href=\"");
            push_escaped(&mut h, url);
            h.push_str("\" rel=\"noopener noreferrer\">");
            push_escaped(&mut h, url);
            h.push_str("</a>");
        }
        h.push_str("</p>\n");
        if quotes.is_empty() {
            h.push_str("<p class=\"none\">No quotes found.</p>\n");
        }
        h.push_str("<div class=\"body\">");
        render_body(&mut h, &art.text, art.body_start, quotes, &stance_idx);
        h.push_str("</div>\n</details>\n</article>\n");
        self.out.write_all(h.as_bytes())
    }
}

/// Only absolute web links become `href`s (never `javascript:` and the like).
fn is_web_url(u: &str) -> bool {
    let l = u.trim_start().to_ascii_lowercase();
    (l.starts_with("https://") || l.starts_with("http://")) && !u.contains(char::is_whitespace)
}

/// The JSONL title, else the first line of the body when it is short enough to be a
/// headline, else the article id.
fn article_title(art: &Article) -> String {
    if let Some(t) = art.title.as_deref().filter(|t| !t.trim().is_empty()) {
        return t.trim().to_string();
    }
    let first = art.body().lines().map(str::trim).find(|l| !l.is_empty());
    match first {
        Some(l) if l.chars().count() <= 160 => l.to_string(),
        _ => art.id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_become_links() {
        assert!(is_web_url("https://example.org/a?b=1"));
        assert!(is_web_url("HTTP://example.org"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("data:text/html,<b>"));
        assert!(!is_web_url("https://exa mple.org"));
    }
}
