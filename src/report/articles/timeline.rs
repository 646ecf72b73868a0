//! The timeline: threatening quotes per day above the axis, conciliatory ones
//! below, as an inline SVG chart and as a table for readers who cannot see
//! the chart. The only part of the page that works in dates and geometry.

use std::collections::BTreeMap;
use std::io::Write;

use super::ArticleReport;
use crate::report::{escape, label_style, num, stripe_defs, svg_fill};
use crate::util::date_from_days;

impl<W: Write> ArticleReport<W> {
    /// The two series of the timeline: threatening (up) and conciliatory (down), or the
    /// first two labels of a model without them.
    fn series(&self) -> (usize, Option<usize>) {
        let labels = &self.opts.stance_labels;
        let find = |name: &str| labels.iter().position(|l| l == name);
        let up = find("threatening").unwrap_or(0);
        let down = find("conciliatory").or_else(|| (0..labels.len()).find(|&i| i != up));
        (up, down)
    }

    /// The timeline section: legend, chart, undated count and the table.
    pub(super) fn timeline(&self, h: &mut String) {
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
}

/// Diverging bars per day: label `up` above the axis, `down` below, one slot per calendar
/// day from the first dated quote to the last (days without quotes stay empty).
fn timeline_svg(
    days: &BTreeMap<i64, Vec<usize>>,
    labels: &[String],
    up: usize,
    down: Option<usize>,
) -> String {
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
    // The two outer grid lines carry the largest count, the axis between them zero.
    let top_count = max_v as usize;
    for (class, y, v) in [
        ("grid", top, top_count),
        ("grid", top + 2.0 * half, top_count),
        ("axis", y0, 0),
    ] {
        s.push_str(&format!(
            "<line class=\"{class}\" x1=\"{l}\" x2=\"{r}\" y1=\"{y}\" y2=\"{y}\"></line>\
             <text class=\"muted\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{v}</text>",
            l = num(left, 1),
            r = num(left + plot, 1),
            y = num(y, 1),
            tx = num(left - 6.0, 1),
            ty = num(y + 4.0, 1),
        ));
    }
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
                label_style(&labels[i], i).colour,
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
