//! Roll-ups of scored quotes: one row per article, one row per speaker across articles.

use std::collections::{BTreeMap, HashSet};

use super::Scored;
use crate::input::articles::Article;

/// The label whose quotes an article summary picks its most striking one from.
const THREATENING: &str = "threatening";

/// One article: how many quotes of each stance, and its most threatening quote.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleSummary {
    /// Article identifier.
    pub article: String,
    /// Publication date, if known.
    pub date: Option<String>,
    /// Quotes classified.
    pub quotes: usize,
    /// Quotes per stance label, in the stance model's label order.
    pub counts: Vec<(String, usize)>,
    /// The quote labelled threatening with the highest probability of it, if any.
    pub most_threatening_quote: Option<String>,
    /// Its speaker.
    pub most_threatening_speaker: Option<String>,
}

impl ArticleSummary {
    /// Summarise an article's scored quotes; `stance_labels` is the stance model's label
    /// order. When no label is `threatening`, the first label takes its place.
    pub fn of(a: &Article, quotes: &[Scored], stance_labels: &[String]) -> ArticleSummary {
        let mut counts: Vec<(String, usize)> =
            stance_labels.iter().map(|l| (l.clone(), 0)).collect();
        for s in quotes {
            if let Some(c) = counts.iter_mut().find(|(l, _)| *l == s.stance) {
                c.1 += 1;
            }
        }
        let threat = stance_labels
            .iter()
            .position(|l| l == THREATENING)
            .unwrap_or(0);
        let top = stance_labels.get(threat).and_then(|label| {
            quotes
                .iter()
                .filter(|s| s.stance == *label)
                .max_by(|a, b| a.stance_probs[threat].total_cmp(&b.stance_probs[threat]))
        });
        ArticleSummary {
            article: a.id.clone(),
            date: a.date.clone(),
            quotes: quotes.len(),
            counts,
            most_threatening_quote: top.map(|s| s.quote.text.clone()),
            most_threatening_speaker: top.and_then(|s| s.quote.speaker.clone()),
        }
    }

    /// The row as `stance score --by article --format jsonl` writes it.
    pub fn to_json(&self) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        o.insert("article".into(), self.article.clone().into());
        o.insert("date".into(), self.date.clone().into());
        o.insert("quotes".into(), self.quotes.into());
        for (l, n) in &self.counts {
            o.insert(l.clone(), (*n).into());
        }
        o.insert(
            "most_threatening_quote".into(),
            self.most_threatening_quote.clone().into(),
        );
        o.insert(
            "most_threatening_speaker".into(),
            self.most_threatening_speaker.clone().into(),
        );
        serde_json::Value::Object(o)
    }
}

/// One speaker across articles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpeakerRow {
    /// The speaker; `None` for quotes whose speaker is unknown.
    pub speaker: Option<String>,
    /// Quotes classified.
    pub quotes: usize,
    /// Articles quoting the speaker.
    pub articles: usize,
    /// Quotes per stance label.
    pub stance: BTreeMap<String, usize>,
    /// Quotes per sentiment label.
    pub sentiment: BTreeMap<String, usize>,
    /// Earliest article date seen.
    pub first_date: Option<String>,
    /// Latest article date seen.
    pub last_date: Option<String>,
}

impl SpeakerRow {
    /// Quotes with stance `label` (0 when none).
    pub fn stance_count(&self, label: &str) -> usize {
        self.stance.get(label).copied().unwrap_or(0)
    }

    /// Quotes with sentiment `label` (0 when none).
    pub fn sentiment_count(&self, label: &str) -> usize {
        self.sentiment.get(label).copied().unwrap_or(0)
    }

    /// The row as `stance score --by speaker --format jsonl` writes it; every label of
    /// both models is a key of its count map.
    pub fn to_json(
        &self,
        stance_labels: &[String],
        sentiment_labels: &[String],
    ) -> serde_json::Value {
        let st: serde_json::Map<String, serde_json::Value> = stance_labels
            .iter()
            .map(|l| (l.clone(), self.stance_count(l).into()))
            .collect();
        let se: serde_json::Map<String, serde_json::Value> = sentiment_labels
            .iter()
            .map(|l| (l.clone(), self.sentiment_count(l).into()))
            .collect();
        serde_json::json!({
            "speaker": self.speaker, "quotes": self.quotes, "articles": self.articles,
            "stance": st, "sentiment": se,
            "first_date": self.first_date, "last_date": self.last_date,
        })
    }

    /// Add `other`'s quotes, articles and dates to this row.
    fn absorb(&mut self, other: SpeakerRow) {
        self.quotes += other.quotes;
        self.articles += other.articles;
        for (k, v) in other.stance {
            *self.stance.entry(k).or_insert(0) += v;
        }
        for (k, v) in other.sentiment {
            *self.sentiment.entry(k).or_insert(0) += v;
        }
        self.first_date = match (self.first_date.take(), other.first_date) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_date = match (self.last_date.take(), other.last_date) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Speaker rows built up article by article.
#[derive(Debug, Clone, Default)]
pub struct SpeakerRollup {
    speakers: BTreeMap<Option<String>, SpeakerRow>,
}

impl SpeakerRollup {
    /// An empty roll-up.
    pub fn new() -> Self {
        Self::default()
    }

    /// Count one article's scored quotes.
    pub fn add(&mut self, a: &Article, quotes: &[Scored]) {
        let mut seen = HashSet::new();
        for s in quotes {
            let t = self
                .speakers
                .entry(s.quote.speaker.clone())
                .or_insert_with(|| SpeakerRow {
                    speaker: s.quote.speaker.clone(),
                    ..SpeakerRow::default()
                });
            t.quotes += 1;
            *t.stance.entry(s.stance.clone()).or_insert(0) += 1;
            *t.sentiment.entry(s.sentiment.clone()).or_insert(0) += 1;
            if seen.insert(s.quote.speaker.clone()) {
                t.articles += 1;
            }
            if let Some(d) = &a.date {
                if t.first_date.as_ref().is_none_or(|f| d < f) {
                    t.first_date = Some(d.clone());
                }
                if t.last_date.as_ref().is_none_or(|l| d > l) {
                    t.last_date = Some(d.clone());
                }
            }
        }
    }

    /// The rows, surnames merged into full names (a lone surname joins the one full name ending in it), most
    /// quoted first, then by name (unknown first).
    pub fn finish(mut self) -> Vec<SpeakerRow> {
        self.merge_surnames();
        let mut rows: Vec<SpeakerRow> = self.speakers.into_values().collect();
        rows.sort_by(|a, b| {
            b.quotes
                .cmp(&a.quotes)
                .then_with(|| a.speaker.cmp(&b.speaker))
        });
        rows
    }

    /// One row per person across articles: a speaker given as one capitalised word
    /// (`Putin`, in an article that never gives the full name) joins the row of the one
    /// full name of two or more capitalised words that ends in that word (`Vladimir
    /// Putin`). With two such names (`Anna Berg`, `Tom Berg`) the word stays a row of its
    /// own: which one is meant is unknown.
    fn merge_surnames(&mut self) {
        let speakers = &mut self.speakers;
        let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
        let mut full_by_last: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for name in speakers.keys().flatten() {
            let words: Vec<&str> = name.split(' ').collect();
            if words.len() >= 2 && words.iter().all(|w| capitalised(w)) {
                if let Some(last) = words.last() {
                    full_by_last
                        .entry(last.to_string())
                        .or_default()
                        .push(name.clone());
                }
            }
        }
        let singles: Vec<String> = speakers
            .keys()
            .flatten()
            .filter(|n| !n.contains(' ') && capitalised(n))
            .cloned()
            .collect();
        for single in singles {
            let Some([full]) = full_by_last.get(&single).map(Vec::as_slice) else {
                continue;
            };
            let Some(from) = speakers.remove(&Some(single)) else {
                continue;
            };
            if let Some(into) = speakers.get_mut(&Some(full.clone())) {
                into.absorb(from);
            }
        }
    }
}
