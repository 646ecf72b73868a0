//! Self-contained HTML reports: one file with inline CSS, JavaScript and SVG that a browser
//! opens without any network access.
//!
//! - [`articles`]: articles with their quotes highlighted by stance and the speaker beside
//!   each quote, a per-speaker table, a timeline of threatening vs conciliatory quotes, and
//!   filters by speaker and stance. Written as a stream: one article at a time goes to the
//!   output, only tallies stay in memory.
//! - [`evaluation`]: a model's confusion heatmap, per-class precision / recall / F1 bars,
//!   reliability (calibration) plot and most confident mistakes.
//!
//! Every piece of user text (article text, quotes, speakers, titles, labels, file names) goes
//! through [`escape`]; the pages carry a Content-Security-Policy that allows only the page's
//! own style and script (by SHA-256 hash) and nothing from the network, so even a missed
//! escape could not run a script or load anything.

pub mod articles;
pub mod evaluation;

use sha2::{Digest, Sha256};

/// The stylesheet shared by all reports; label colours are appended per report.
const BASE_CSS: &str = include_str!("report.css");

/// Escape text for HTML element content and quoted attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become character references; U+0000, which HTML parsers
/// replace anyway, becomes U+FFFD so the output is the same in every parser.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    push_escaped(&mut out, s);
    out
}

/// Append `s` escaped (see [`escape`]) to `out`.
pub fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// How one class label is drawn. Colour alone is not enough for colour-blind readers, so each
/// label also has a marker shape, an underline style and (for threats) a stripe pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelStyle {
    /// Strong colour: underline, marker, chart bars.
    pub colour: &'static str,
    /// Light colour behind highlighted text.
    pub tint: &'static str,
    /// Marker shown before the quote and in legends.
    pub marker: &'static str,
    /// CSS border style of the underline: `solid`, `double`, `dashed`, `dotted`.
    pub underline: &'static str,
    /// Diagonal stripes behind the text and in chart bars.
    pub striped: bool,
}

/// Styles for labels without a fixed one, in the model's label order. Okabe-Ito colours,
/// which stay distinct under the common colour-vision deficiencies.
const OTHER_STYLES: [LabelStyle; 5] = [
    LabelStyle {
        colour: "#009e73",
        tint: "#c8ecdf",
        marker: "◆",
        underline: "solid",
        striped: false,
    },
    LabelStyle {
        colour: "#cc79a7",
        tint: "#f3dbe8",
        marker: "★",
        underline: "double",
        striped: true,
    },
    LabelStyle {
        colour: "#e69f00",
        tint: "#fae6bd",
        marker: "✚",
        underline: "dotted",
        striped: false,
    },
    LabelStyle {
        colour: "#56b4e9",
        tint: "#d5ecf9",
        marker: "▼",
        underline: "dashed",
        striped: true,
    },
    LabelStyle {
        colour: "#7f6a00",
        tint: "#ece3b8",
        marker: "✖",
        underline: "solid",
        striped: true,
    },
];

/// The style of label `label`, the `index`-th of its model's labels. The three stance labels
/// always look the same: threatening is vermillion, striped, solid underline, ▲;
/// conciliatory is blue, double underline, ●; neutral is grey, dashed underline, ■.
pub fn label_style(label: &str, index: usize) -> LabelStyle {
    match label {
        "threatening" => LabelStyle {
            colour: "#d55e00",
            tint: "#fbd9c2",
            marker: "▲",
            underline: "solid",
            striped: true,
        },
        "conciliatory" => LabelStyle {
            colour: "#0072b2",
            tint: "#cde5f4",
            marker: "●",
            underline: "double",
            striped: false,
        },
        "neutral" => LabelStyle {
            colour: "#6b6b6b",
            tint: "#e8e8e8",
            marker: "■",
            underline: "dashed",
            striped: false,
        },
        _ => OTHER_STYLES[index % OTHER_STYLES.len()],
    }
}

/// CSS classes `s0`, `s1`, … for the labels, in order: highlighted quotes (`mark.q.sN`)
/// and their legend (`.key.sN`), markers (`.mk.sN`) and legend swatches (`.sw.sN`, drawn like the chart bars).
fn label_css(labels: &[String]) -> String {
    let mut css = String::new();
    for (i, l) in labels.iter().enumerate() {
        let s = label_style(l, i);
        let bg = if s.striped {
            format!(
                "repeating-linear-gradient(135deg,{t} 0 5px,#ffffff 5px 8px)",
                t = s.tint
            )
        } else {
            s.tint.to_string()
        };
        css.push_str(&format!(
            "mark.q.s{i},.key.s{i}{{background:{bg};border-bottom:3px {u} {c}}}\n\
             mark.q.s{i}::before,.key.s{i}::before{{content:\"{m}\";color:{c}}}\n\
             .mk.s{i}::before{{content:\"{m}\";color:{c}}}\n\
             .sw.s{i}{{background:{sw}}}\n",
            sw = if s.striped {
                format!(
                    "repeating-linear-gradient(45deg,{c} 0 4px,{t} 4px 6px)",
                    c = s.colour,
                    t = s.tint
                )
            } else {
                s.colour.to_string()
            },
            u = s.underline,
            c = s.colour,
            m = s.marker,
        ));
    }
    css
}

/// SVG `<pattern>` definitions of the striped labels, `id="stripe-{prefix}{i}"`.
fn stripe_defs(labels: &[String], prefix: &str) -> String {
    let mut defs = String::new();
    for (i, l) in labels.iter().enumerate() {
        let s = label_style(l, i);
        if s.striped {
            defs.push_str(&format!(
                "<pattern id=\"stripe-{prefix}{i}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
                 <rect width=\"6\" height=\"6\" fill=\"{c}\"></rect>\
                 <rect width=\"2\" height=\"6\" fill=\"#ffffff\" fill-opacity=\"0.55\"></rect></pattern>",
                c = s.colour
            ));
        }
    }
    defs
}

/// The `fill` attribute value for label `i` in an SVG whose stripes were defined with
/// `prefix`.
fn svg_fill(labels: &[String], i: usize, prefix: &str) -> String {
    let s = label_style(&labels[i], i);
    if s.striped {
        format!("url(#stripe-{prefix}{i})")
    } else {
        s.colour.to_string()
    }
}

/// Base64 (standard alphabet, padded) for the CSP hashes.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `'sha256-…'` source expression of an inline block for the CSP.
fn csp_hash(content: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(content.as_bytes())))
}

/// Everything up to and including `<body>`: doctype, charset, a CSP that allows exactly the
/// given style and script blocks and no network source, the title and the stylesheet.
fn page_head(title: &str, css: &str, script: Option<&str>) -> String {
    let script_src = script.map_or_else(|| "'none'".to_string(), csp_hash);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src {style}; script-src {script_src}; img-src data:; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"stance {version}\">\n\
         <title>{title}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>{css}</style>\n</head>\n<body>\n",
        style = csp_hash(css),
        version = env!("CARGO_PKG_VERSION"),
        title = escape(title),
    )
}

/// Number with at most `digits` decimals, trailing zeros dropped (for SVG coordinates).
fn num(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_turns_markup_into_text() {
        assert_eq!(
            escape(r#"<script>alert("x&y")</script> it's"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt; it&#39;s"
        );
        assert_eq!(escape("a\0b"), "a\u{FFFD}b");
        assert_eq!(escape("Zürich — “fine”"), "Zürich — “fine”");
    }

    /// Reference values from `printf … | base64` and `openssl dgst -sha256 -binary | base64`.
    #[test]
    fn base64_and_csp_hash_match_reference_encodings() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar!"), "Zm9vYmFyIQ==");
        assert_eq!(
            csp_hash("abc"),
            "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"
        );
    }

    #[test]
    fn stance_labels_differ_in_more_than_colour() {
        let t = label_style("threatening", 0);
        let c = label_style("conciliatory", 1);
        let n = label_style("neutral", 2);
        for (a, b) in [(t, c), (t, n), (c, n)] {
            assert_ne!(a.marker, b.marker);
            assert_ne!(a.underline, b.underline);
        }
        assert!(t.striped && !c.striped && !n.striped);
    }

    #[test]
    fn numbers_for_svg_drop_trailing_zeros() {
        assert_eq!(num(12.0, 2), "12");
        assert_eq!(num(12.5, 2), "12.5");
        assert_eq!(num(0.126, 2), "0.13");
        assert_eq!(num(3.0, 0), "3");
    }
}
