//! Class priors: the share of each label a model's probabilities assume.
//!
//! A model learns `p(label | text)` under the label shares of its training rows. A
//! collection with other shares (real news is mostly neutral) wants the same evidence
//! weighed against its own prior. By Bayes' rule, with `p(text | label)` unchanged, the
//! probabilities become
//!
//! ```text
//! p'(y | x) = p(y | x) · π'(y) / π(y)  /  Σ_z p(z | x) · π'(z) / π(z)
//! ```
//!
//! where `π` is the training share and `π'` the new prior: in log space, `ln π'(y) − ln π(y)`
//! added to each class's tempered score before the softmax. A model file may carry a prior
//! ([`crate::pipeline::ModelHeader::prior`]) that it applies unless told otherwise.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// Which prior to predict under.
#[derive(Debug, Clone, PartialEq)]
pub enum Prior {
    /// The model's own: the prior stored in its file, else its training shares.
    Model,
    /// The label shares of the training rows: the probabilities as fitted.
    Train,
    /// Every label equally likely.
    Uniform,
    /// Given shares, one per label (normalised to sum to 1).
    Shares(BTreeMap<String, f64>),
}

impl Prior {
    /// Parse `model`, `train`, `uniform`, or `label=share,label=share,…`. Shares must be
    /// positive and finite; they are normalised, so `neutral=18,threatening=1,conciliatory=1`
    /// is `0.9, 0.05, 0.05`. Labels are checked against a model in [`Prior::log_shift`].
    pub fn parse(s: &str) -> Result<Prior> {
        let bad = |reason: String| Error::Param {
            name: "prior",
            reason,
        };
        match s.trim() {
            "model" => return Ok(Prior::Model),
            "train" => return Ok(Prior::Train),
            "uniform" => return Ok(Prior::Uniform),
            _ => {}
        }
        let mut shares = BTreeMap::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (label, value) = part.split_once('=').ok_or_else(|| {
                bad(format!(
                    "{part:?}: expected model, train, uniform, or label=share pairs such as \
                     neutral=0.9,threatening=0.05,conciliatory=0.05"
                ))
            })?;
            let v: f64 = value
                .trim()
                .parse()
                .map_err(|_| bad(format!("{part:?}: {value:?} is not a number")))?;
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(format!("{part:?}: a share must be a positive number")));
            }
            if shares.insert(label.trim().to_string(), v).is_some() {
                return Err(bad(format!("label {:?} is given twice", label.trim())));
            }
        }
        if shares.is_empty() {
            return Err(bad(
                "empty: give model, train, uniform or label=share pairs".into(),
            ));
        }
        let sum: f64 = shares.values().sum();
        shares.values_mut().for_each(|v| *v /= sum);
        Ok(Prior::Shares(shares))
    }

    /// The per-class shift `ln π'(y) − ln π(y)` in `labels` order, or `None` when this
    /// prior is the training one. `train_counts` are the training rows per label (`π`);
    /// labels missing there count as equally likely. `stored` is the model file's prior,
    /// used for [`Prior::Model`].
    pub fn log_shift(
        &self,
        labels: &[String],
        train_counts: &BTreeMap<String, usize>,
        stored: Option<&BTreeMap<String, f64>>,
    ) -> Result<Option<Vec<f32>>> {
        let target: Vec<f64> = match self {
            Prior::Train => return Ok(None),
            Prior::Model => match stored {
                None => return Ok(None),
                Some(s) => shares_in_order(s, labels)?,
            },
            Prior::Uniform => vec![1.0 / labels.len() as f64; labels.len()],
            Prior::Shares(s) => shares_in_order(s, labels)?,
        };
        let counts: Vec<f64> = labels
            .iter()
            .map(|l| train_counts.get(l).copied().unwrap_or(0) as f64)
            .collect();
        let total: f64 = counts.iter().sum();
        let train: Vec<f64> = if counts.iter().all(|&c| c > 0.0) {
            counts.iter().map(|c| c / total).collect()
        } else {
            vec![1.0 / labels.len() as f64; labels.len()]
        };
        Ok(Some(
            target
                .iter()
                .zip(&train)
                .map(|(t, p)| (t.ln() - p.ln()) as f32)
                .collect(),
        ))
    }
}

/// `shares` in `labels` order; every label named once, nothing else.
fn shares_in_order(shares: &BTreeMap<String, f64>, labels: &[String]) -> Result<Vec<f64>> {
    let bad = |reason: String| Error::Param {
        name: "prior",
        reason,
    };
    if let Some(extra) = shares.keys().find(|k| !labels.contains(k)) {
        return Err(bad(format!(
            "{extra:?} is not a label of this model (labels: {})",
            labels.join(", ")
        )));
    }
    let v: Vec<f64> = labels
        .iter()
        .map(|l| {
            shares.get(l).copied().ok_or_else(|| {
                bad(format!(
                    "no share for {l:?}; name every label of this model: {}",
                    labels.join(", ")
                ))
            })
        })
        .collect::<Result<_>>()?;
    if v.iter().any(|x| !(x.is_finite() && *x > 0.0)) {
        return Err(bad("a share must be a positive number".into()));
    }
    let sum: f64 = v.iter().sum();
    Ok(v.into_iter().map(|x| x / sum).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        ["conciliatory", "neutral", "threatening"]
            .map(String::from)
            .to_vec()
    }

    fn counts(c: [usize; 3]) -> BTreeMap<String, usize> {
        labels().into_iter().zip(c).collect()
    }

    #[test]
    fn shares_are_parsed_and_normalised() {
        let p = Prior::parse("neutral=18, threatening=1,conciliatory=1").unwrap();
        let Prior::Shares(s) = p else { panic!("{p:?}") };
        assert!((s["neutral"] - 0.9).abs() < 1e-12);
        assert!((s["threatening"] - 0.05).abs() < 1e-12);
        assert_eq!(Prior::parse("train").unwrap(), Prior::Train);
        assert_eq!(Prior::parse("uniform").unwrap(), Prior::Uniform);
    }

    #[test]
    fn bad_priors_say_what_is_wrong() {
        for (s, says) in [
            ("neutral", "label=share"),
            ("neutral=x", "not a number"),
            ("neutral=0", "positive"),
            ("neutral=-1", "positive"),
            ("neutral=1,neutral=2", "twice"),
            ("", "empty"),
        ] {
            let e = Prior::parse(s).unwrap_err().to_string();
            assert!(e.contains(says), "{s:?}: {e}");
        }
        let p = Prior::parse("neutral=0.9,threatening=0.1").unwrap();
        let e = p
            .log_shift(&labels(), &counts([1, 1, 1]), None)
            .unwrap_err();
        assert!(
            e.to_string().contains("no share for \"conciliatory\""),
            "{e}"
        );
        let p = Prior::parse("neutral=0.9,angry=0.1").unwrap();
        let e = p
            .log_shift(&labels(), &counts([1, 1, 1]), None)
            .unwrap_err();
        assert!(e.to_string().contains("\"angry\" is not a label"), "{e}");
    }

    #[test]
    fn shift_is_the_log_ratio_of_new_to_training_shares() {
        // Training shares 0.25, 0.5, 0.25; new 0.1, 0.8, 0.1.
        let p = Prior::parse("conciliatory=0.1,neutral=0.8,threatening=0.1").unwrap();
        let s = p
            .log_shift(&labels(), &counts([10, 20, 10]), None)
            .unwrap()
            .unwrap();
        let want = [
            (0.1f64 / 0.25).ln(),
            (0.8f64 / 0.5).ln(),
            (0.1f64 / 0.25).ln(),
        ];
        for (a, b) in s.iter().zip(want) {
            assert!((*a as f64 - b).abs() < 1e-6, "{s:?}");
        }
        // Uniform against balanced training shares changes nothing.
        let u = Prior::Uniform
            .log_shift(&labels(), &counts([5, 5, 5]), None)
            .unwrap()
            .unwrap();
        assert!(u.iter().all(|v| v.abs() < 1e-6));
        assert_eq!(
            Prior::Train
                .log_shift(&labels(), &counts([1, 2, 3]), None)
                .unwrap(),
            None
        );
    }

    #[test]
    fn the_model_prior_is_the_stored_one_or_none() {
        let stored: BTreeMap<String, f64> = labels().into_iter().zip([0.2, 0.6, 0.2]).collect();
        let s = Prior::Model
            .log_shift(&labels(), &counts([1, 1, 1]), Some(&stored))
            .unwrap()
            .unwrap();
        assert!((s[1] as f64 - (0.6f64 / (1.0 / 3.0)).ln()).abs() < 1e-6);
        assert_eq!(
            Prior::Model
                .log_shift(&labels(), &counts([1, 1, 1]), None)
                .unwrap(),
            None
        );
    }
}
