//! The quote report: every article with its quotes highlighted in place by stance and the
//! speaker beside each quote; a per-speaker table; a timeline of threatening vs conciliatory
//! quotes per day; filters by speaker and by stance; articles paged and collapsible.
//!
//! [`ArticleReport`] streams: [`ArticleReport::article`] writes one article's section
//! straight to the output and keeps only counts, and [`ArticleReport::finish`] writes the
//! summaries (which the stylesheet shows above the articles). Memory stays flat however many
//! articles there are, apart from one tally per speaker and per day.
//!
//! | file | what it writes |
//! |---|---|
//! | this file | the page's top (legend, controls), the tallies, the page's end |
//! | `section` | one article: its heading, counts, link and highlighted body |
//! | `highlight` | the body text with each quote marked in place and its speaker beside it |
//! | `timeline` | the timeline of quotes per day, as a chart and as a table |
//! | `speakers` | the per-speaker table |

mod highlight;
mod section;
mod speakers;
mod timeline;

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use super::{escape, label_css, page_head, push_escaped, BASE_CSS};
use crate::input::articles::Article;
use crate::quotes::Quote;

/// The page's script: filters, paging, sorting. It reads everything from the DOM, so no user
/// text is ever placed inside a script.
const SCRIPT: &str = include_str!("../articles.js");

/// Articles shown expanded when the page opens; the others start collapsed.
const OPEN_ARTICLES: usize = 3;

/// Articles per page. Articles past the first page are written `hidden`, so a browser lays
/// out one page, not thousands of articles, before the script takes over (5,000 articles:
/// 1.9 s to DOMContentLoaded instead of 6.2 s in headless Chromium on 2 cores).
const PAGE_SIZE: usize = 20;

/// One classified quote of an article, as the report shows it.
#[derive(Debug, Clone, Copy)]
pub struct ReportQuote<'a> {
    /// The quote: text, char offsets into [`Article::text`], speaker.
    pub quote: &'a Quote,
    /// Stance label (one of the report's stance labels).
    pub stance: &'a str,
    /// Probability of that label.
    pub stance_confidence: f32,
    /// Sentiment label.
    pub sentiment: &'a str,
    /// Probability of that label.
    pub sentiment_confidence: f32,
}

/// What the page says about itself.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Page title.
    pub title: String,
    /// One line under the title, e.g. the inputs and models.
    pub subtitle: String,
    /// Stance labels in the model's order.
    pub stance_labels: Vec<String>,
    /// Sentiment labels in the model's order.
    pub sentiment_labels: Vec<String>,
}

/// What the report counts for one speaker (or for the unknown speaker).
#[derive(Debug, Default)]
struct SpeakerTally {
    quotes: usize,
    articles: usize,
    stance: Vec<usize>,
    sentiment: Vec<usize>,
    title: Option<String>,
    first: Option<String>,
    last: Option<String>,
}

/// A quote report being written. Create with [`ArticleReport::new`], add articles in order
/// with [`ArticleReport::article`], then [`ArticleReport::finish`].
pub struct ArticleReport<W: Write> {
    out: W,
    opts: ReportOptions,
    speakers: BTreeMap<Option<String>, SpeakerTally>,
    /// Day number → quotes per stance label.
    days: BTreeMap<i64, Vec<usize>>,
    undated_quotes: usize,
    articles: usize,
    quotes: usize,
    stance_totals: Vec<usize>,
}

impl<W: Write> ArticleReport<W> {
    /// Start a report: writes the head, the legend and the (script-driven) controls.
    pub fn new(mut out: W, opts: ReportOptions) -> io::Result<Self> {
        let css = format!("{BASE_CSS}{}", label_css(&opts.stance_labels));
        out.write_all(page_head(&opts.title, &css, Some(SCRIPT)).as_bytes())?;
        let mut h = String::new();
        h.push_str("<header class=\"top\">\n<h1>");
        push_escaped(&mut h, &opts.title);
        h.push_str("</h1>\n<p class=\"sub\">");
        push_escaped(&mut h, &opts.subtitle);
        h.push_str("</p>\n<ul class=\"legend\" aria-label=\"Stance legend\">");
        for (i, l) in opts.stance_labels.iter().enumerate() {
            let s = super::label_style(l, i);
            h.push_str(&format!(
                "<li><span class=\"key s{i}\">{}</span> {} underline{}</li>",
                escape(l),
                s.underline,
                if s.striped { ", striped" } else { "" }
            ));
        }
        h.push_str(
            "<li><button type=\"button\" class=\"who\" disabled>speaker</button> \
             beside each quote</li></ul>\n</header>\n<main id=\"main\">\n",
        );
        h.push_str(
            "<div id=\"controls\" class=\"controls\" hidden>\n\
             <div class=\"group\" role=\"group\" aria-label=\"Filter by stance\">\
             <span class=\"label\">Stance:</span>",
        );
        for (i, l) in opts.stance_labels.iter().enumerate() {
            let l = escape(l);
            h.push_str(&format!(
                "<button type=\"button\" class=\"stance-toggle\" data-stance=\"{l}\" \
                 aria-pressed=\"true\"><span class=\"mk s{i}\"></span>{l}</button>"
            ));
        }
        h.push_str(
            "</div>\n<div class=\"group\"><span class=\"label\">Speaker:</span>\
             <span id=\"active-speaker\">all</span>\
             <button type=\"button\" id=\"clear-filters\">Clear filters</button></div>\n\
             <div class=\"group pager\"><button type=\"button\" id=\"prev-page\">‹ Prev</button>\
             <span id=\"page-info\"></span>\
             <button type=\"button\" id=\"next-page\">Next ›</button></div>\n\
             <div class=\"group\"><button type=\"button\" id=\"expand-page\">Expand page</button>\
             <button type=\"button\" id=\"collapse-page\">Collapse page</button></div>\n\
             <span id=\"status\" role=\"status\"></span>\n</div>\n",
        );
        h.push_str(&format!(
            "<noscript><p class=\"note\">Without JavaScript only the first {PAGE_SIZE} articles \
             are shown, and the filters do not work.</p></noscript>\n\
             <section id=\"articles\" data-page-size=\"{PAGE_SIZE}\">\n"
        ));
        out.write_all(h.as_bytes())?;
        let k = opts.stance_labels.len();
        Ok(ArticleReport {
            out,
            speakers: BTreeMap::new(),
            days: BTreeMap::new(),
            undated_quotes: 0,
            articles: 0,
            quotes: 0,
            stance_totals: vec![0; k],
            opts,
        })
    }

    /// Index of a stance label; an unknown label counts as the first.
    fn stance_index(&self, label: &str) -> usize {
        self.opts
            .stance_labels
            .iter()
            .position(|l| l == label)
            .unwrap_or(0)
    }

    /// Count an article's quotes by speaker, by day and by stance.
    fn tally(&mut self, art: &Article, quotes: &[ReportQuote], idx: &[usize], day: Option<i64>) {
        let (ks, ke) = (
            self.opts.stance_labels.len(),
            self.opts.sentiment_labels.len(),
        );
        let mut seen: HashSet<Option<&str>> = HashSet::new();
        for (q, &si) in quotes.iter().zip(idx) {
            self.quotes += 1;
            self.stance_totals[si] += 1;
            match day {
                Some(d) => self.days.entry(d).or_insert_with(|| vec![0; ks])[si] += 1,
                None => self.undated_quotes += 1,
            }
            let t = self
                .speakers
                .entry(q.quote.speaker.clone())
                .or_insert_with(|| SpeakerTally {
                    stance: vec![0; ks],
                    sentiment: vec![0; ke],
                    ..SpeakerTally::default()
                });
            t.quotes += 1;
            t.stance[si] += 1;
            if let Some(e) = self
                .opts
                .sentiment_labels
                .iter()
                .position(|l| l == q.sentiment)
            {
                t.sentiment[e] += 1;
            }
            if t.title.is_none() {
                t.title.clone_from(&q.quote.speaker_title);
            }
            if seen.insert(q.quote.speaker.as_deref()) {
                t.articles += 1;
            }
            if let Some(d) = art.date.as_ref().filter(|_| day.is_some()) {
                if t.first.as_ref().is_none_or(|f| d < f) {
                    t.first = Some(d.clone());
                }
                if t.last.as_ref().is_none_or(|l| d > l) {
                    t.last = Some(d.clone());
                }
            }
        }
    }

    /// Write the summaries (overview, timeline, speaker table) and the script, close the page
    /// and return the writer.
    pub fn finish(mut self) -> io::Result<W> {
        let mut h = String::new();
        if self.articles == 0 {
            h.push_str("<p class=\"none\">No articles.</p>\n");
        }
        h.push_str(
            "</section>\n<section id=\"summary\">\n<h2>Overview</h2>\n<div class=\"cards\">",
        );
        h.push_str(&format!(
            "<div class=\"card\" id=\"total-articles\"><b>{}</b>articles</div>\
             <div class=\"card\" id=\"total-quotes\"><b>{}</b>quotes</div>\
             <div class=\"card\"><b>{}</b>speakers</div>",
            self.articles,
            self.quotes,
            self.speakers.keys().filter(|k| k.is_some()).count()
        ));
        for (i, l) in self.opts.stance_labels.iter().enumerate() {
            h.push_str(&format!(
                "<div class=\"card\"><b>{}</b><span class=\"mk s{i}\"></span>{}</div>",
                self.stance_totals[i],
                escape(l)
            ));
        }
        h.push_str("</div>\n");
        self.timeline(&mut h);
        self.speaker_table(&mut h);
        h.push_str("</section>\n</main>\n<script>");
        h.push_str(SCRIPT);
        h.push_str("</script>\n</body>\n</html>\n");
        self.out.write_all(h.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::days_from_date;

    pub(super) fn quote(text: &str, start: usize, end: usize, speaker: Option<&str>) -> Quote {
        Quote {
            text: text.chars().skip(start).take(end - start).collect(),
            start,
            end,
            speaker: speaker.map(String::from),
            speaker_title: None,
            partial: false,
            kind: crate::quotes::QuoteKind::Direct,
            paragraph: 0,
        }
    }

    pub(super) fn scored(q: &Quote) -> ReportQuote<'_> {
        ReportQuote {
            quote: q,
            stance: "threatening",
            stance_confidence: 0.9,
            sentiment: "negative",
            sentiment_confidence: 0.8,
        }
    }

    fn options() -> ReportOptions {
        ReportOptions {
            title: "T".into(),
            subtitle: "S".into(),
            stance_labels: vec![
                "conciliatory".into(),
                "neutral".into(),
                "threatening".into(),
            ],
            sentiment_labels: vec!["negative".into(), "neutral".into(), "positive".into()],
        }
    }

    fn article(id: &str, date: Option<&str>, text: &str) -> Article {
        let mut a = Article::from_text(id.into(), id.into(), text.into());
        a.date = date.map(String::from);
        a
    }

    #[test]
    fn tallies_count_speakers_days_and_undated_quotes() {
        let mut r = ArticleReport::new(Vec::new(), options()).unwrap();
        let t1 = "\"We will strike,\" said A. \"Talk,\" said B.";
        let q1 = [quote(t1, 1, 15, Some("A")), quote(t1, 27, 32, Some("B"))];
        let mut s1: Vec<ReportQuote> = q1.iter().map(scored).collect();
        s1[1].stance = "conciliatory";
        s1[1].sentiment = "positive";
        r.article(&article("a1", Some("2024-03-05"), t1), &s1)
            .unwrap();
        let q2 = [quote(t1, 1, 15, Some("A"))];
        let s2: Vec<ReportQuote> = q2.iter().map(scored).collect();
        r.article(&article("a2", Some("2024-03-07"), t1), &s2)
            .unwrap();
        r.article(&article("a3", None, t1), &s2).unwrap();
        assert_eq!(r.quotes, 4);
        assert_eq!(r.undated_quotes, 1);
        let d5 = days_from_date("2024-03-05").unwrap();
        assert_eq!(r.days[&d5], vec![1, 0, 1]);
        assert_eq!(r.days[&(d5 + 2)], vec![0, 0, 1]);
        let a = &r.speakers[&Some("A".to_string())];
        assert_eq!((a.quotes, a.articles), (3, 3));
        assert_eq!(a.stance, vec![0, 0, 3]);
        assert_eq!(a.sentiment, vec![3, 0, 0]);
        assert_eq!(
            (a.first.as_deref(), a.last.as_deref()),
            (Some("2024-03-05"), Some("2024-03-07"))
        );
        let b = &r.speakers[&Some("B".to_string())];
        assert_eq!(
            (b.stance.clone(), b.sentiment.clone()),
            (vec![1, 0, 0], vec![0, 0, 1])
        );
        let html = String::from_utf8(r.finish().unwrap()).unwrap();
        // One slot per calendar day: the empty 2024-03-06 sits between the two bars.
        assert_eq!(html.matches("<rect class=\"bar s2\"").count(), 2);
        assert_eq!(html.matches("<rect class=\"bar s0\"").count(), 1);
        assert!(html.contains("1 quote from articles without a date"));
    }

    #[test]
    fn the_csp_hashes_the_exact_script_and_style() {
        let html = String::from_utf8(
            ArticleReport::new(Vec::new(), options())
                .unwrap()
                .finish()
                .unwrap(),
        )
        .unwrap();
        let script = &html[html.find("<script>").unwrap() + 8..html.find("</script>").unwrap()];
        let style = &html[html.find("<style>").unwrap() + 7..html.find("</style>").unwrap()];
        assert!(html.contains(&format!("script-src {}", super::super::csp_hash(script))));
        assert!(html.contains(&format!("style-src {}", super::super::csp_hash(style))));
        assert!(html.contains("default-src 'none'"));
    }
}
