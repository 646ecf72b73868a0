//! The model report: confusion-matrix heatmap, per-class precision / recall / F1 bars,
//! reliability (calibration) plot with its bins, and the most confident mistakes. A static
//! page: no script at all.

use std::io::{self, Write};

use super::{escape, num, page_head, push_escaped, BASE_CSS};
// The same bins and ECE as `stance evaluate` prints.
use crate::evaluate::metrics::{reliability, Evaluation, Reliability};
use crate::pipeline::Prediction;

/// Confidence bins of the reliability plot.
pub const RELIABILITY_BINS: usize = 10;

/// Rows listed as most confident mistakes.
pub const MISTAKES_SHOWN: usize = 25;

/// Rows predicted wrong, most confident first (ties: earlier row first), at most `n`.
pub fn confident_mistakes(truth: &[usize], predictions: &[Prediction], n: usize) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..truth.len().min(predictions.len()))
        .filter(|&i| predictions[i].label != truth[i])
        .collect();
    let conf = |i: usize| {
        let p = &predictions[i];
        p.probabilities.get(p.label).copied().unwrap_or(0.0)
    };
    rows.sort_by(|&a, &b| conf(b).total_cmp(&conf(a)).then(a.cmp(&b)));
    rows.truncate(n);
    rows
}

/// What the evaluation page shows.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationPage<'a> {
    /// Page title.
    pub title: &'a str,
    /// One line under the title: model and data.
    pub subtitle: &'a str,
    /// The metrics; its labels start with the model's labels, in the model's order.
    pub evaluation: &'a Evaluation,
    /// The texts, in data order.
    pub texts: &'a [String],
    /// 1-based data line of each row.
    pub lines: &'a [u64],
    /// True label of each row, an index into `evaluation.labels`.
    pub truth: &'a [usize],
    /// The model's prediction for each row (probabilities in the model's label order).
    pub predictions: &'a [Prediction],
}

/// Write the evaluation page.
pub fn write_evaluation(out: &mut dyn Write, page: &EvaluationPage) -> io::Result<()> {
    let e = page.evaluation;
    let n = page.truth.len().min(page.predictions.len());
    let confidence: Vec<f64> = page.predictions[..n]
        .iter()
        .map(|p| p.probabilities.get(p.label).copied().unwrap_or(0.0) as f64)
        .collect();
    let correct: Vec<bool> = (0..n)
        .map(|i| page.predictions[i].label == page.truth[i])
        .collect();
    let rel = reliability(&confidence, &correct, RELIABILITY_BINS);

    let mut h = page_head(page.title, BASE_CSS, None);
    h.push_str("<header class=\"top\">\n<h1>");
    push_escaped(&mut h, page.title);
    h.push_str("</h1>\n<p class=\"sub\">");
    push_escaped(&mut h, page.subtitle);
    h.push_str("</p>\n</header>\n<main>\n<div class=\"cards\">");
    h.push_str(&format!(
        "<div class=\"card\"><b>{n}</b>rows</div>\
         <div class=\"card\" id=\"accuracy\"><b>{:.4}</b>accuracy</div>\
         <div class=\"card\" id=\"macro-f1\"><b>{:.4}</b>macro-F1</div>\
         <div class=\"card\" id=\"ece\"><b>{:.4}</b>expected calibration error ({RELIABILITY_BINS} bins)</div></div>\n",
        e.accuracy, e.macro_f1, rel.ece
    ));
    h.push_str("<h2>Confusion matrix</h2>\n<p class=\"note\">Rows: true label; columns: predicted. \
                Shade: share of the row (the true class); each cell shows the count and that share.</p>\n\
                <div class=\"hscroll\">");
    h.push_str(&confusion_svg(e));
    h.push_str("</div>\n<h2>Precision, recall and F1 per class</h2>\n<div class=\"hscroll\">");
    h.push_str(&class_bars_svg(e));
    h.push_str("</div>\n");
    h.push_str(
        "<h2>Calibration</h2>\n<p class=\"note\">Each bin holds the predictions whose confidence \
         (probability of the predicted label) falls in it; a calibrated model's points lie on the \
         diagonal. Bars below: predictions per bin.</p>\n<div class=\"hscroll\">",
    );
    h.push_str(&reliability_svg(&rel));
    h.push_str(
        "</div>\n<details><summary>Bins as a table</summary><table id=\"bins\"><thead><tr>\
                <th>Confidence</th><th class=\"n\">Rows</th><th class=\"n\">Mean confidence</th>\
                <th class=\"n\">Accuracy</th><th class=\"n\">Gap</th></tr></thead><tbody>",
    );
    for b in &rel.bins {
        h.push_str(&format!(
            "<tr><td>{:.1}–{:.1}</td><td class=\"n\">{}</td>",
            b.lower, b.upper, b.count
        ));
        if b.count > 0 {
            h.push_str(&format!(
                "<td class=\"n\">{:.4}</td><td class=\"n\">{:.4}</td><td class=\"n\">{:+.4}</td></tr>",
                b.mean_confidence,
                b.accuracy,
                b.accuracy - b.mean_confidence
            ));
        } else {
            h.push_str("<td class=\"n\">–</td><td class=\"n\">–</td><td class=\"n\">–</td></tr>");
        }
    }
    h.push_str("</tbody></table></details>\n");
    out.write_all(h.as_bytes())?;

    let rows = confident_mistakes(&page.truth[..n], &page.predictions[..n], MISTAKES_SHOWN);
    let wrong = correct.iter().filter(|c| !**c).count();
    let mut h = format!(
        "<h2>Most confident mistakes</h2>\n<p class=\"note\">{} of {wrong} wrong predictions, \
         most confident first.</p>\n<div class=\"scroll\"><table id=\"mistakes\"><thead><tr>\
         <th class=\"n\">Line</th><th>Text</th><th>True</th><th>Predicted</th>\
         <th class=\"n\">Confidence</th><th class=\"n\">P(true)</th></tr></thead><tbody>\n",
        rows.len()
    );
    for i in rows {
        let p = &page.predictions[i];
        let t = page.truth[i];
        h.push_str(&format!(
            "<tr><td class=\"n\">{}</td><td class=\"text\">",
            page.lines.get(i).map_or(String::new(), |l| l.to_string())
        ));
        push_escaped(&mut h, &page.texts[i]);
        h.push_str(&format!(
            "</td><td>{}</td><td>{}</td><td class=\"n\">{:.3}</td><td class=\"n\">{}</td></tr>\n",
            escape(&e.labels[t]),
            escape(&e.labels[p.label]),
            p.probabilities.get(p.label).copied().unwrap_or(0.0),
            // A label the model does not know has no probability.
            p.probabilities
                .get(t)
                .map_or("–".to_string(), |v| format!("{v:.3}"))
        ));
    }
    h.push_str("</tbody></table></div>\n</main>\n</body>\n</html>\n");
    out.write_all(h.as_bytes())
}

/// Rough width of a label in the 12 px UI font, for margins.
fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * 7.0 + 8.0
}

/// Blues from white to dark for a share in [0, 1].
fn blue(share: f64) -> String {
    let (a, b) = ([247.0, 251.0, 255.0], [8.0, 48.0, 107.0]);
    let t = share.clamp(0.0, 1.0);
    let c: Vec<u8> = (0..3)
        .map(|k| (a[k] + (b[k] - a[k]) * t).round() as u8)
        .collect();
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn confusion_svg(e: &Evaluation) -> String {
    let k = e.labels.len().max(1);
    let cell = (480.0 / k as f64).clamp(36.0, 80.0);
    let left = e.labels.iter().map(|l| text_width(l)).fold(60.0, f64::max) + 24.0;
    // Column labels are turned 45° so long labels fit.
    let top = e
        .labels
        .iter()
        .map(|l| text_width(l) * 0.72)
        .fold(40.0, f64::max)
        + 24.0;
    let (w, hh) = (left + cell * k as f64 + 16.0, top + cell * k as f64 + 16.0);
    let mut s = format!(
        "<svg id=\"confusion\" role=\"img\" aria-label=\"Confusion matrix\" width=\"{w}\" height=\"{hh}\" viewBox=\"0 0 {w} {hh}\">",
        w = num(w, 1),
        hh = num(hh, 1)
    );
    s.push_str(&format!(
        "<text class=\"muted\" x=\"12\" y=\"{}\" transform=\"rotate(-90 12 {})\" text-anchor=\"middle\">true</text>\
         <text class=\"muted\" x=\"{}\" y=\"14\" text-anchor=\"middle\">predicted</text>",
        num(top + cell * k as f64 / 2.0, 1),
        num(top + cell * k as f64 / 2.0, 1),
        num(left + cell * k as f64 / 2.0, 1),
    ));
    for (i, l) in e.labels.iter().enumerate() {
        let c = top + cell * (i as f64 + 0.5);
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            num(left - 6.0, 1),
            num(c + 4.0, 1),
            escape(l)
        ));
        let x = left + cell * (i as f64 + 0.5);
        s.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" transform=\"rotate(-45 {x} {y})\">{}</text>",
            escape(l),
            x = num(x, 1),
            y = num(top - 6.0, 1)
        ));
    }
    for (t, row) in e.confusion.iter().enumerate() {
        let total: usize = row.iter().sum();
        for (p, &v) in row.iter().enumerate() {
            let share = if total > 0 {
                v as f64 / total as f64
            } else {
                0.0
            };
            let (x, y) = (left + cell * p as f64, top + cell * t as f64);
            s.push_str(&format!(
                "<rect class=\"cell\" data-true=\"{t}\" data-pred=\"{p}\" data-count=\"{v}\" x=\"{}\" y=\"{}\" width=\"{c}\" height=\"{c}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\">\
                 <title>true {}, predicted {}: {v} ({:.1}% of the true class)</title></rect>",
                num(x, 1),
                num(y, 1),
                blue(share),
                if t == p { "#1d1d1f" } else { "#ffffff" },
                if t == p { 2 } else { 1 },
                escape(&e.labels[t]),
                escape(&e.labels[p]),
                share * 100.0,
                c = num(cell, 1),
            ));
            let fg = if share > 0.5 {
                " class=\"on-dark\""
            } else {
                ""
            };
            s.push_str(&format!(
                "<text{fg} x=\"{x}\" y=\"{y1}\" text-anchor=\"middle\" font-weight=\"600\">{v}</text>\
                 <text{fg} x=\"{x}\" y=\"{y2}\" text-anchor=\"middle\" font-size=\"10\">{:.0}%</text>",
                share * 100.0,
                x = num(x + cell / 2.0, 1),
                y1 = num(y + cell / 2.0, 1),
                y2 = num(y + cell / 2.0 + 13.0, 1),
            ));
        }
    }
    s.push_str("</svg>");
    s
}

/// The three metric series: name, colour, striped, marker.
const METRICS: [(&str, &str, bool, &str); 3] = [
    ("precision", "#0072b2", false, "●"),
    ("recall", "#e69f00", true, "▲"),
    ("F1", "#009e73", false, "■"),
];

fn class_bars_svg(e: &Evaluation) -> String {
    let left = e.labels.iter().map(|l| text_width(l)).fold(60.0, f64::max) + 12.0;
    let (bar, gap, plot, top) = (14.0, 14.0, 400.0, 34.0);
    let group = bar * 3.0 + gap;
    let (w, hh) = (
        left + plot + 70.0,
        top + group * e.labels.len() as f64 + 24.0,
    );
    let mut s = format!(
        "<svg id=\"class-bars\" role=\"img\" aria-label=\"Precision, recall and F1 per class\" width=\"{w}\" height=\"{hh}\" viewBox=\"0 0 {w} {hh}\">\
         <defs><pattern id=\"stripe-m1\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"6\" height=\"6\" fill=\"{}\"></rect><rect width=\"2\" height=\"6\" fill=\"#ffffff\" fill-opacity=\"0.55\"></rect></pattern></defs>",
        METRICS[1].1,
        w = num(w, 1),
        hh = num(hh, 1)
    );
    // Legend.
    let mut lx = left;
    for (m, (name, colour, striped, marker)) in METRICS.iter().enumerate() {
        let fill = if *striped {
            format!("url(#stripe-m{m})")
        } else {
            colour.to_string()
        };
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"6\" width=\"14\" height=\"14\" fill=\"{fill}\"></rect>\
             <text x=\"{}\" y=\"18\">{marker} {name}</text>",
            num(lx, 1),
            num(lx + 18.0, 1)
        ));
        lx += 110.0;
    }
    let bottom = top + group * e.labels.len() as f64;
    for t in 0..=4 {
        let x = left + plot * t as f64 / 4.0;
        s.push_str(&format!(
            "<line class=\"grid\" x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\"></line>\
             <text class=\"muted\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            num(top - 4.0, 1),
            num(bottom, 1),
            num(bottom + 16.0, 1),
            num(t as f64 / 4.0, 2),
            x = num(x, 1)
        ));
    }
    for (c, (l, m)) in e.labels.iter().zip(&e.per_class).enumerate() {
        let y = top + group * c as f64;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            num(left - 8.0, 1),
            num(y + bar * 1.5 + 4.0, 1),
            escape(l)
        ));
        for (k, v) in [m.precision, m.recall, m.f1].into_iter().enumerate() {
            let (name, colour, striped, marker) = METRICS[k];
            let fill = if striped {
                format!("url(#stripe-m{k})")
            } else {
                colour.to_string()
            };
            let by = y + bar * k as f64;
            s.push_str(&format!(
                "<rect class=\"metric\" data-class=\"{c}\" data-metric=\"{name}\" data-value=\"{v:.6}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{colour}\" stroke-width=\"0.5\">\
                 <title>{} {name}: {v:.4}</title></rect>\
                 <text x=\"{}\" y=\"{}\" font-size=\"11\">{marker} {v:.3}</text>",
                num(left, 1),
                num(by + 1.0, 1),
                num(plot * v.clamp(0.0, 1.0), 1),
                num(bar - 2.0, 1),
                escape(l),
                num(left + plot * v.clamp(0.0, 1.0) + 4.0, 1),
                num(by + bar - 3.0, 1),
            ));
        }
    }
    s.push_str("</svg>");
    s
}

fn reliability_svg(rel: &Reliability) -> String {
    let (left, top, size, hist, gap) = (56.0, 16.0, 320.0, 70.0, 28.0);
    let (w, hh) = (left + size + 24.0, top + size + gap + hist + 36.0);
    let x_of = |v: f64| left + size * v;
    let y_of = |v: f64| top + size * (1.0 - v);
    let mut s = format!(
        "<svg id=\"reliability\" role=\"img\" aria-label=\"Reliability diagram\" width=\"{w}\" height=\"{hh}\" viewBox=\"0 0 {w} {hh}\">",
        w = num(w, 1),
        hh = num(hh, 1)
    );
    for t in 0..=5 {
        let v = t as f64 / 5.0;
        s.push_str(&format!(
            "<line class=\"grid\" x1=\"{l}\" x2=\"{r}\" y1=\"{y}\" y2=\"{y}\"></line>\
             <line class=\"grid\" x1=\"{x}\" x2=\"{x}\" y1=\"{t0}\" y2=\"{b}\"></line>\
             <text class=\"muted\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{v}</text>\
             <text class=\"muted\" x=\"{x}\" y=\"{bx}\" text-anchor=\"middle\">{v}</text>",
            l = num(left, 1),
            r = num(left + size, 1),
            y = num(y_of(v), 1),
            x = num(x_of(v), 1),
            t0 = num(top, 1),
            b = num(top + size, 1),
            tx = num(left - 6.0, 1),
            ty = num(y_of(v) + 4.0, 1),
            bx = num(top + size + 16.0, 1),
            v = num(v, 1),
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888888\" stroke-dasharray=\"5 4\"></line>\
         <text class=\"muted\" x=\"{}\" y=\"{}\" transform=\"rotate(-90 {} {})\" text-anchor=\"middle\">accuracy</text>",
        num(x_of(0.0), 1),
        num(y_of(0.0), 1),
        num(x_of(1.0), 1),
        num(y_of(1.0), 1),
        14,
        num(top + size / 2.0, 1),
        14,
        num(top + size / 2.0, 1),
    ));
    // Accuracy per bin as bars over the bin's range; the gap to the diagonal is the
    // miscalibration.
    for b in rel.bins.iter().filter(|b| b.count > 0) {
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#cde5f4\" stroke=\"#0072b2\" stroke-width=\"1\">\
             <title>confidence {:.1}–{:.1}: {} rows, accuracy {:.3}, mean confidence {:.3}</title></rect>",
            num(x_of(b.lower), 1),
            num(y_of(b.accuracy), 1),
            num(size * (b.upper - b.lower), 1),
            num(size * b.accuracy, 1),
            b.lower,
            b.upper,
            b.count,
            b.accuracy,
            b.mean_confidence
        ));
    }
    let pts: Vec<String> = rel
        .bins
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| {
            format!(
                "{},{}",
                num(x_of(b.mean_confidence), 1),
                num(y_of(b.accuracy), 1)
            )
        })
        .collect();
    s.push_str(&format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#d55e00\" stroke-width=\"2\"></polyline>",
        pts.join(" ")
    ));
    for b in rel.bins.iter().filter(|b| b.count > 0) {
        s.push_str(&format!(
            "<circle class=\"bin\" data-count=\"{}\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"#d55e00\"><title>mean confidence {:.3}, accuracy {:.3}, {} rows</title></circle>",
            b.count,
            num(x_of(b.mean_confidence), 1),
            num(y_of(b.accuracy), 1),
            b.mean_confidence,
            b.accuracy,
            b.count
        ));
    }
    // Histogram of predictions per bin.
    let h0 = top + size + gap + hist;
    let max_c = rel.bins.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    for b in &rel.bins {
        let len = hist * b.count as f64 / max_c;
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#6b6b6b\"><title>{} rows</title></rect>",
            num(x_of(b.lower) + 1.0, 1),
            num(h0 - len, 1),
            num(size * (b.upper - b.lower) - 2.0, 1),
            num(len, 1),
            b.count
        ));
    }
    s.push_str(&format!(
        "<line class=\"axis\" x1=\"{}\" x2=\"{}\" y1=\"{h}\" y2=\"{h}\"></line>\
         <text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
         <text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">confidence (probability of the predicted label)</text></svg>",
        num(left, 1),
        num(left + size, 1),
        num(left - 6.0, 1),
        num(h0 - hist + 10.0, 1),
        max_c as usize,
        num(left + size / 2.0, 1),
        num(h0 + 22.0, 1),
        h = num(h0, 1),
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: confidences 0.05, 0.15, 0.95, 0.95, 1.0 with correctness
    /// F, T, T, F, T in 10 bins. Bin 0: 1 row, conf 0.05, acc 0; bin 1: 1 row, conf 0.15,
    /// acc 1; bin 9: 3 rows, conf (0.95 + 0.95 + 1) / 3 = 0.966667, acc 2/3.
    /// ECE = 1/5 · 0.05 + 1/5 · 0.85 + 3/5 · |0.666667 − 0.966667| = 0.01 + 0.17 + 0.18 = 0.36.
    #[test]
    fn reliability_matches_a_hand_computed_example() {
        let r = reliability(
            &[0.05, 0.15, 0.95, 0.95, 1.0],
            &[false, true, true, false, true],
            10,
        );
        assert_eq!(r.bins.len(), 10);
        assert_eq!(r.bins[0].count, 1);
        assert_eq!(r.bins[1].count, 1);
        assert_eq!(r.bins[9].count, 3);
        assert_eq!(r.bins.iter().map(|b| b.count).sum::<usize>(), 5);
        assert!((r.bins[9].mean_confidence - 2.9 / 3.0).abs() < 1e-12);
        assert!((r.bins[9].accuracy - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.bins[9].lower - 0.9).abs() < 1e-12 && r.bins[9].upper == 1.0);
        assert!((r.ece - 0.36).abs() < 1e-12, "{}", r.ece);
    }

    #[test]
    fn a_perfectly_calibrated_bin_has_no_error_and_empty_input_is_zero() {
        let r = reliability(&[0.75, 0.75, 0.75, 0.75], &[true, true, true, false], 4);
        assert!(r.ece.abs() < 1e-12);
        let empty = reliability(&[], &[], 10);
        assert_eq!(empty.ece, 0.0);
        assert!(empty.bins.iter().all(|b| b.count == 0));
    }

    fn pred(label: usize, p: &[f32]) -> Prediction {
        Prediction {
            label,
            probabilities: p.to_vec(),
        }
    }

    #[test]
    fn confident_mistakes_are_wrong_rows_by_confidence() {
        let truth = [0, 1, 1, 0, 2];
        let preds = [
            pred(1, &[0.3, 0.6, 0.1]), // wrong, 0.6
            pred(1, &[0.0, 0.9, 0.1]), // right
            pred(0, &[0.8, 0.1, 0.1]), // wrong, 0.8
            pred(1, &[0.4, 0.6, 0.0]), // wrong, 0.6 (tie: later row)
            pred(2, &[0.1, 0.1, 0.8]), // right
        ];
        assert_eq!(confident_mistakes(&truth, &preds, 10), vec![2, 0, 3]);
        assert_eq!(confident_mistakes(&truth, &preds, 1), vec![2]);
    }

    #[test]
    fn the_page_escapes_texts_and_labels_and_has_no_script() {
        let labels = vec!["<b>".to_string(), "ok".to_string()];
        let e = Evaluation::new(&labels, &[0, 1], &[1, 1]);
        let texts = vec!["<script>alert(1)</script>".to_string(), "fine".to_string()];
        let preds = [pred(1, &[0.2, 0.8]), pred(1, &[0.1, 0.9])];
        let mut out = Vec::new();
        write_evaluation(
            &mut out,
            &EvaluationPage {
                title: "t",
                subtitle: "s",
                evaluation: &e,
                texts: &texts,
                lines: &[2, 3],
                truth: &[0, 1],
                predictions: &preds,
            },
        )
        .unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(!html.contains("<script"));
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("><b></text>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("script-src 'none'"));
        assert_eq!(html.matches("<rect class=\"cell\"").count(), 4);
    }
}
