//! Headline quotes against body quotes: a headline built on a quote that
//! the body repeats word for word is printed once, as the body quote; a
//! headline quote with no speaker takes the speaker of the body quote that
//! contains it. Both compare whole words of two quotes, not cues.

use super::Attribution;
use crate::quotes::marks::headline_like;
use crate::quotes::tokens::Doc;

/// Lower-case words of a quote, space separated and padded, for whole-word
/// containment tests.
fn normalized(doc: &Doc, s: usize) -> String {
    let span = &doc.spans[s];
    let mut out = String::from(" ");
    for &c in &doc.chars[span.start..span.end] {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// Quotes that open a headline built on them and repeat, word for word, a
/// whole quote of the body (`'War, war, war': X lashes out` over `"War, war,
/// war," X said.`): printed once, as the body quote. Only the first few headline
/// quotes are checked, so the cost stays linear.
pub(crate) fn repeated_headlines(doc: &Doc) -> Vec<bool> {
    let mut out = vec![false; doc.spans.len()];
    let heads: Vec<usize> = (0..doc.spans.len())
        .filter(|&s| {
            let span = &doc.spans[s];
            let qt = doc.quote_token[s];
            let (plo, phi) = doc.para_range[span.para];
            // A headline built on the quote (`'...': X lashes out`); a pull
            // quote standing alone on its line is kept, as papers print it.
            let built_on = matches!(doc.punct(qt + 1), Some(':' | '-' | '—' | '–' | '|'))
                && doc.is_word(qt + 2)
                && qt + 2 < phi;
            qt == plo && built_on && headline_like(doc.chars, doc.paras[span.para])
        })
        .take(8)
        .collect();
    for h in heads {
        let needle = normalized(doc, h);
        if needle.trim().is_empty() {
            continue;
        }
        out[h] = (0..doc.spans.len())
            .filter(|&s| s != h && doc.spans[s].para != doc.spans[h].para)
            .any(|s| normalized(doc, s) == needle);
    }
    out
}

/// A quote in a headline usually repeats words quoted in the body: when the
/// headline gives no speaker, it takes the speaker of the body quote that
/// contains it. Only the first few headline quotes are checked, so the cost
/// stays linear.
pub(super) fn inherit_headline_speakers(doc: &Doc, out: &mut [Attribution]) {
    let heads: Vec<usize> = (0..doc.spans.len())
        .filter(|&s| {
            let para = doc.spans[s].para;
            para < 3 && out[s].speaker.is_none() && headline_like(doc.chars, doc.paras[para])
        })
        .take(8)
        .collect();
    for h in heads {
        let needle = normalized(doc, h);
        if needle.trim().is_empty() {
            continue;
        }
        let source = (0..doc.spans.len())
            .filter(|&s| s != h && out[s].speaker.is_some())
            .find(|&s| normalized(doc, s).contains(&needle));
        if let Some(s) = source {
            out[h] = out[s].clone();
        }
    }
}
