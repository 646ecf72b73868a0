//! Feature settings: [`FeatureSettings`] (plain data, stored in every model file), the
//! [`FeatureParams`] builder and its check (linfa's [`ParamGuard`]) into
//! [`FeatureValidParams`], the only kind that can fit a vectorizer.

use linfa::ParamGuard;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::polarity::Lexicon;
use crate::text::AnalyzerSettings;

/// Feature extraction settings. Plain data, stored in every model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSettings {
    /// Text analysis stages.
    pub analyzer: AnalyzerSettings,
    /// Word n-gram range, inclusive. Default `(1, 2)`; `1 <= lo <= hi <= 3`.
    pub ngrams: (u8, u8),
    /// Character n-gram range within words (padded by a space each side), or `None`.
    /// Default `None`; `1 <= lo <= hi <= 8`.
    pub char_ngrams: Option<(u8, u8)>,
    /// Keep terms in at least this many training documents. Default 1; `>= 1`.
    pub min_df: u32,
    /// Drop terms in more than this fraction of training documents. Default 1.0; `(0, 1]`.
    pub max_df: f32,
    /// Keep only the most frequent terms (by document frequency), or all. Default all.
    pub max_features: Option<usize>,
    /// Term frequency `1 + ln(tf)` instead of `tf`. Default on.
    pub sublinear_tf: bool,
    /// Actor and modality marks ([`crate::features::marks`]): `we will strike` also gives the terms
    /// `m:1f` and `m:1f strike`. Default off; absent from older model files, which load as
    /// off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub marks: bool,
    /// Polarity terms ([`crate::features::polarity`]): each token in the word list adds `p:pos` or
    /// `p:neg` (flipped inside a negation scope). The list itself is stored here, so a
    /// model file carries it. Default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polarity: Option<Lexicon>,
}

impl Default for FeatureSettings {
    fn default() -> Self {
        FeatureSettings {
            analyzer: AnalyzerSettings::default(),
            ngrams: (1, 2),
            char_ngrams: None,
            min_df: 1,
            max_df: 1.0,
            max_features: None,
            sublinear_tf: true,
            marks: false,
            polarity: None,
        }
    }
}

/// Checked feature settings: the only kind that can fit a [`Vectorizer`](super::Vectorizer).
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureValidParams(pub(super) FeatureSettings);

/// Builder for feature settings; `check()` (linfa's [`ParamGuard`]) validates them.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureParams(FeatureValidParams);

impl Default for FeatureParams {
    fn default() -> Self {
        FeatureParams(FeatureValidParams(FeatureSettings::default()))
    }
}

impl FeatureParams {
    /// Defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Start from existing settings.
    pub fn from_settings(s: FeatureSettings) -> Self {
        FeatureParams(FeatureValidParams(s))
    }

    /// Analysis stages.
    pub fn analyzer(mut self, a: AnalyzerSettings) -> Self {
        self.0 .0.analyzer = a;
        self
    }

    /// Word n-gram range.
    pub fn ngrams(mut self, lo: u8, hi: u8) -> Self {
        self.0 .0.ngrams = (lo, hi);
        self
    }

    /// Character n-gram range, or `None`.
    pub fn char_ngrams(mut self, r: Option<(u8, u8)>) -> Self {
        self.0 .0.char_ngrams = r;
        self
    }

    /// Minimum document frequency.
    pub fn min_df(mut self, n: u32) -> Self {
        self.0 .0.min_df = n;
        self
    }

    /// Maximum document fraction.
    pub fn max_df(mut self, f: f32) -> Self {
        self.0 .0.max_df = f;
        self
    }

    /// Vocabulary size cap.
    pub fn max_features(mut self, n: Option<usize>) -> Self {
        self.0 .0.max_features = n;
        self
    }

    /// Sublinear term frequency.
    pub fn sublinear_tf(mut self, on: bool) -> Self {
        self.0 .0.sublinear_tf = on;
        self
    }

    /// Polarity terms from a word list ([`FeatureSettings::polarity`]). Default none.
    pub fn polarity(mut self, lexicon: Option<Lexicon>) -> Self {
        self.0 .0.polarity = lexicon;
        self
    }

    /// Actor and modality marks ([`FeatureSettings::marks`]). Default off.
    pub fn marks(mut self, on: bool) -> Self {
        self.0 .0.marks = on;
        self
    }
}

impl ParamGuard for FeatureParams {
    type Checked = FeatureValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&FeatureValidParams> {
        let s = &self.0 .0;
        let (lo, hi) = s.ngrams;
        if !(1 <= lo && lo <= hi && hi <= 3) {
            return Err(Error::Param {
                name: "ngrams",
                reason: format!("{lo}-{hi}: need 1 <= lo <= hi <= 3"),
            });
        }
        if let Some((lo, hi)) = s.char_ngrams {
            if !(1 <= lo && lo <= hi && hi <= 8) {
                return Err(Error::Param {
                    name: "char-ngrams",
                    reason: format!("{lo}-{hi}: need 1 <= lo <= hi <= 8"),
                });
            }
        }
        if s.min_df < 1 {
            return Err(Error::Param {
                name: "min-df",
                reason: "must be at least 1".into(),
            });
        }
        if !(s.max_df > 0.0 && s.max_df <= 1.0) {
            return Err(Error::Param {
                name: "max-df",
                reason: format!("{}: must be in (0, 1]", s.max_df),
            });
        }
        if s.max_features == Some(0) {
            return Err(Error::Param {
                name: "max-features",
                reason: "must be at least 1".into(),
            });
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<FeatureValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl FeatureValidParams {
    /// The settings.
    pub fn settings(&self) -> &FeatureSettings {
        &self.0
    }
}

/// Settings without stemming or negation, for tests whose terms are the words as written.
#[cfg(test)]
pub(super) fn plain() -> FeatureParams {
    FeatureParams::new().analyzer(AnalyzerSettings {
        stem: None,
        negation: false,
        ..AnalyzerSettings::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused() {
        assert!(plain().ngrams(2, 1).check().is_err());
        assert!(plain().ngrams(1, 4).check().is_err());
        assert!(plain().char_ngrams(Some((0, 3))).check().is_err());
        assert!(plain().min_df(0).check().is_err());
        assert!(plain().max_df(0.0).check().is_err());
        assert!(plain().max_features(Some(0)).check().is_err());
    }
}
