//! The per-speaker table: quotes, articles, counts per stance and sentiment
//! label, first and last date; sorted by quotes, and each name a filter
//! button. Written once at the end, from the tallies.

use std::io::Write;

use super::{ArticleReport, SpeakerTally};
use crate::report::{escape, push_escaped};

impl<W: Write> ArticleReport<W> {
    /// The speaker table, most quoted first.
    pub(super) fn speaker_table(&self, h: &mut String) {
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
