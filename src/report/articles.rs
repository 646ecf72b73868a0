//! The quote report: every article with its quotes highlighted in place by stance and the
//! speaker beside each quote; a per-speaker table; a timeline of threatening vs conciliatory
//! quotes per day; filters by speaker and by stance; articles paged and collapsible.
//!
//! [`ArticleReport`] streams: [`ArticleReport::article`] writes one article's section
//! straight to the output and keeps only counts, and [`ArticleReport::finish`] writes the
//! summaries (which the stylesheet shows above the articles). Memory stays flat however many
//! articles there are, apart from one tally per speaker and per day.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use super::{escape, label_css, page_head, push_escaped, stripe_defs, svg_fill, BASE_CSS};
use crate::input::articles::Article;
use crate::quotes::Quote;
use crate::util::{date_from_days, days_from_date};

/// The page's script: filters, paging, sorting. It reads everything from the DOM, so no user
/// text is ever placed inside a script.
const SCRIPT: &str = include_str!("articles.js");

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

    fn stance_index(&self, label: &str) -> usize {
        self.opts
            .stance_labels
            .iter()
            .position(|l| l == label)
            .unwrap_or(0)
    }

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

    /// The two series of the timeline: threatening (up) and conciliatory (down), or the
    /// first two labels of a model without them.
    fn series(&self) -> (usize, Option<usize>) {
        let labels = &self.opts.stance_labels;
        let find = |name: &str| labels.iter().position(|l| l == name);
        let up = find("threatening").unwrap_or(0);
        let down = find("conciliatory").or_else(|| (0..labels.len()).find(|&i| i != up));
        (up, down)
    }

    fn timeline(&self, h: &mut String) {
        let labels = &self.opts.stance_labels;
        let (up, down) = self.series();
        h.push_str("<h2>Timeline</h2>\n<ul class=\"legend\">");
        for i in std::iter::once(up).chain(down) {
            h.push_str(&format!(
                "<li><span class=\"sw s{i}\"></span> {} quotes per day ({})</li>",
                escape(&labels[i]),
                if i == up { "up" } else { "down" }
            ));
        }
        h.push_str("</ul>\n");
        if self.days.is_empty() {
            h.push_str("<p class=\"note\">No dated quotes.</p>\n");
        } else {
            h.push_str("<div class=\"hscroll\">");
            h.push_str(&timeline_svg(&self.days, labels, up, down));
            h.push_str("</div>\n");
        }
        if self.undated_quotes > 0 {
            h.push_str(&format!(
                "<p class=\"note\">{} quote{} from articles without a date (or with a date that is not YYYY-MM-DD) are not on the timeline.</p>\n",
                self.undated_quotes,
                if self.undated_quotes == 1 { "" } else { "s" }
            ));
        }
        if !self.days.is_empty() {
            h.push_str("<details><summary>Timeline as a table</summary><div class=\"scroll\"><table><thead><tr><th>Date</th>");
            for (i, l) in labels.iter().enumerate() {
                h.push_str(&format!(
                    "<th class=\"n\"><span class=\"mk s{i}\"></span>{}</th>",
                    escape(l)
                ));
            }
            h.push_str("</tr></thead><tbody>");
            for (d, counts) in &self.days {
                h.push_str(&format!("<tr><td>{}</td>", date_from_days(*d)));
                for c in counts {
                    h.push_str(&format!("<td class=\"n\">{c}</td>"));
                }
                h.push_str("</tr>");
            }
            h.push_str("</tbody></table></div></details>\n");
        }
    }

    fn speaker_table(&self, h: &mut String) {
        let o = &self.opts;
        h.push_str(
            "<h2>Speakers</h2>\n<p class=\"note\">Click a speaker (here or beside a quote) to \
             show only their quotes; click again to show all. Click a column heading to sort.</p>\n\
             <div class=\"scroll\"><table id=\"speakers\"><thead><tr>\
             <th class=\"sortable\" data-sort=\"text\">Speaker</th>\
             <th class=\"sortable n\" data-sort=\"num\">Quotes</th>\
             <th class=\"sortable n\" data-sort=\"num\">Articles</th>",
        );
        for (i, l) in o.stance_labels.iter().enumerate() {
            h.push_str(&format!(
                "<th class=\"sortable n\" data-sort=\"num\"><span class=\"mk s{i}\"></span>{}</th>",
                escape(l)
            ));
        }
        for l in &o.sentiment_labels {
            h.push_str(&format!(
                "<th class=\"sortable n\" data-sort=\"num\">sentiment {}</th>",
                escape(l)
            ));
        }
        h.push_str(
            "<th class=\"sortable\" data-sort=\"text\">First</th>\
             <th class=\"sortable\" data-sort=\"text\">Last</th></tr></thead>\n<tbody>\n",
        );
        let mut rows: Vec<(&Option<String>, &SpeakerTally)> = self.speakers.iter().collect();
        rows.sort_by(|a, b| b.1.quotes.cmp(&a.1.quotes).then_with(|| a.0.cmp(b.0)));
        for (name, t) in rows {
            let key = escape(name.as_deref().unwrap_or(""));
            h.push_str(&format!(
                "<tr><td><button type=\"button\" class=\"spk{}\" data-speaker=\"{key}\" aria-pressed=\"false\">{}</button>",
                if name.is_none() { " unknown" } else { "" },
                if name.is_none() {
                    "(unknown speaker)".to_string()
                } else {
                    key.clone()
                }
            ));
            if let Some(title) = &t.title {
                h.push_str("<span class=\"title\">");
                push_escaped(h, title);
                h.push_str("</span>");
            }
            h.push_str(&format!(
                "</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                t.quotes, t.articles
            ));
            for c in t.stance.iter().chain(&t.sentiment) {
                h.push_str(&format!("<td class=\"n\">{c}</td>"));
            }
            h.push_str(&format!(
                "<td class=\"dt\">{}</td><td class=\"dt\">{}</td></tr>\n",
                escape(t.first.as_deref().unwrap_or("")),
                escape(t.last.as_deref().unwrap_or(""))
            ));
        }
        h.push_str("</tbody></table></div>\n");
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

/// Append the article body (the text after `body_start` chars) with each quote wrapped in
/// `<span class="qw"><mark class="q sN" …>quote</mark><button class="who">speaker</button></span>`.
///
/// Offsets are char offsets into `text`. Quotes are nested when one lies inside another; a
/// quote that starts inside another and runs past its end is cut at that end, so the markup
/// stays well formed and every quote that starts in the body is highlighted exactly once.
/// Quotes outside the body are not shown.
fn render_body(
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

/// Diverging bars per day: label `up` above the axis, `down` below, one slot per calendar
/// day from the first dated quote to the last (days without quotes stay empty).
fn timeline_svg(
    days: &BTreeMap<i64, Vec<usize>>,
    labels: &[String],
    up: usize,
    down: Option<usize>,
) -> String {
    use super::num;
    let (Some((&first, _)), Some((&last, _))) = (days.first_key_value(), days.last_key_value())
    else {
        return String::new();
    };
    let n = (last - first + 1) as f64;
    let (left, right, top, bottom, half) = (56.0, 24.0, 12.0, 40.0, 90.0);
    // Wide enough to read a day, at most a screen wide unless days would get under a pixel.
    let plot = (n * 40.0).clamp(360.0, 1100.0).max(n);
    let slot = plot / n;
    let bar = (slot * 0.8).clamp(slot.min(1.0), 24.0);
    let max_v = days
        .values()
        .map(|c| c[up].max(down.map_or(0, |d| c[d])))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = half / max_v;
    let y0 = top + half;
    let (w, hgt) = (left + plot + right, top + 2.0 * half + bottom);
    let mut s = format!(
        "<svg id=\"timeline\" role=\"img\" aria-labelledby=\"timeline-title\" width=\"{w}\" height=\"{hgt}\" viewBox=\"0 0 {w} {hgt}\">\
         <title id=\"timeline-title\">{} (up) and {} (down) quotes per day, {} to {}</title><defs>{}</defs>",
        escape(&labels[up]),
        down.map_or(String::new(), |d| escape(&labels[d])),
        date_from_days(first),
        date_from_days(last),
        stripe_defs(labels, "tl"),
        w = num(w, 1),
        hgt = num(hgt, 1),
    );
    for y in [top, top + 2.0 * half] {
        s.push_str(&format!(
            "<line class=\"grid\" x1=\"{l}\" x2=\"{r}\" y1=\"{y}\" y2=\"{y}\"></line>\
             <text class=\"muted\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{v}</text>",
            l = num(left, 1),
            r = num(left + plot, 1),
            y = num(y, 1),
            tx = num(left - 6.0, 1),
            ty = num(y + 4.0, 1),
            v = max_v as usize
        ));
    }
    s.push_str(&format!(
        "<line class=\"axis\" x1=\"{l}\" x2=\"{r}\" y1=\"{y}\" y2=\"{y}\"></line>\
         <text class=\"muted\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">0</text>",
        l = num(left, 1),
        r = num(left + plot, 1),
        y = num(y0, 1),
        tx = num(left - 6.0, 1),
        ty = num(y0 + 4.0, 1),
    ));
    for (&d, counts) in days {
        let x = left + (d - first) as f64 * slot + (slot - bar) / 2.0;
        let date = date_from_days(d);
        for (i, is_up) in std::iter::once((up, true)).chain(down.map(|d| (d, false))) {
            let c = counts[i];
            if c == 0 {
                continue;
            }
            let len = c as f64 * scale;
            let y = if is_up { y0 - len } else { y0 };
            s.push_str(&format!(
                "<rect class=\"bar s{i}\" data-date=\"{date}\" data-count=\"{c}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"0.5\"><title>{date}: {c} {}</title></rect>",
                num(x, 2),
                num(y, 2),
                num(bar, 2),
                num(len, 2),
                svg_fill(labels, i, "tl"),
                super::label_style(&labels[i], i).colour,
                escape(&labels[i]),
            ));
        }
    }
    // Date ticks at least 90 px apart.
    let step = ((90.0 / slot).ceil() as i64).max(1);
    let mut d = first;
    while d <= last {
        let x = left + (d - first) as f64 * slot + slot / 2.0;
        s.push_str(&format!(
            "<line class=\"axis\" x1=\"{x}\" x2=\"{x}\" y1=\"{y1}\" y2=\"{y2}\"></line>\
             <text x=\"{x}\" y=\"{ty}\" text-anchor=\"middle\">{}</text>",
            date_from_days(d),
            x = num(x, 2),
            y1 = num(top + 2.0 * half, 1),
            y2 = num(top + 2.0 * half + 5.0, 1),
            ty = num(top + 2.0 * half + 20.0, 1),
        ));
        d += step;
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn quote(text: &str, start: usize, end: usize, speaker: Option<&str>) -> Quote {
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

    fn scored(q: &Quote) -> ReportQuote<'_> {
        ReportQuote {
            quote: q,
            stance: "threatening",
            stance_confidence: 0.9,
            sentiment: "negative",
            sentiment_confidence: 0.8,
        }
    }

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
    fn only_web_urls_become_links() {
        assert!(is_web_url("https://example.org/a?b=1"));
        assert!(is_web_url("HTTP://example.org"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("data:text/html,<b>"));
        assert!(!is_web_url("https://exa mple.org"));
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
