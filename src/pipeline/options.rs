//! Training settings by name, as `stance train` and the Python package take them: one
//! plain struct that gives the checked feature params and the model settings of a fit.

use linfa::ParamGuard;

use crate::error::Result;
use crate::features::polarity::Lexicon;
use crate::features::{FeatureParams, FeatureValidParams};
use crate::models::{ClassWeight, ModelKind, ModelSettings};
use crate::text::{AnalyzerSettings, Language};

/// Training rows from which [`TrainOptions::min_df`] defaults to 2.
pub const MIN_DF_2_FROM_ROWS: usize = 100_000;

/// The `min_df` default for `rows` training rows: on large data, terms of a single text are
/// most of the vocabulary, cost memory and time, and teach nothing.
pub fn default_min_df(rows: usize) -> u32 {
    if rows >= MIN_DF_2_FROM_ROWS {
        2
    } else {
        1
    }
}

/// A stemming language by name: `none` (no stemming) or one of the Snowball languages
/// ([`Language::ALL`]); the error is a one-line message naming them.
pub fn stemming_language(name: &str) -> std::result::Result<Option<Language>, String> {
    if name.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    Language::parse(name).map(Some).ok_or_else(|| {
        let all: Vec<String> = Language::ALL.iter().map(|l| l.name()).collect();
        format!("unknown language {name:?}; one of: {}", all.join(", "))
    })
}

/// Feature and model hyperparameters of one fit; the defaults are `stance train`'s.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Estimator. Default `nblr`.
    pub model: ModelKind,
    /// Scale features by NB log-count ratios first (ignored by `nb` and `cnb`).
    pub nbsvm: bool,
    /// Word n-gram range. Default 1–2.
    pub ngrams: (u8, u8),
    /// Character n-gram range within words; default off.
    pub char_ngrams: Option<(u8, u8)>,
    /// Minimum document frequency; `None` is [`default_min_df`] of the training rows.
    pub min_df: Option<u32>,
    /// Maximum document frequency as a fraction of texts. Default 1.
    pub max_df: f32,
    /// Keep only this many most frequent terms; default all.
    pub max_features: Option<usize>,
    /// 1 + ln(tf) instead of raw counts. Default on.
    pub sublinear_tf: bool,
    /// NB smoothing. Default 0.1.
    pub alpha: f32,
    /// Inverse regularisation; `None` is the kind's default (10, svm 0.5).
    pub c: Option<f32>,
    /// Per-class sample weighting. Default none.
    pub class_weight: ClassWeight,
    /// Optimiser iteration cap. Default 1000.
    pub max_iter: u32,
    /// Stemming language ([`stemming_language`]); `None` for no stemming. Default English.
    pub language: Option<Language>,
    /// Mark negation scope. Default on.
    pub negation: bool,
    /// Drop English stop words. Default off.
    pub stop_words: bool,
    /// Actor and modality marks. Default off.
    pub marks: bool,
    /// Polarity terms from this word list; default none.
    pub polarity: Option<Lexicon>,
    /// The one seed. Default 42.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            model: ModelKind::Nblr,
            nbsvm: false,
            ngrams: (1, 2),
            char_ngrams: None,
            min_df: None,
            max_df: 1.0,
            max_features: None,
            sublinear_tf: true,
            alpha: 0.1,
            c: None,
            class_weight: ClassWeight::None,
            max_iter: 1000,
            language: Some(Language::English),
            negation: true,
            stop_words: false,
            marks: false,
            polarity: None,
            seed: 42,
        }
    }
}

impl TrainOptions {
    /// Checked feature params for training on `rows` rows.
    pub fn features(&self, rows: usize) -> Result<FeatureValidParams> {
        let analyzer = AnalyzerSettings {
            negation: self.negation,
            stop_words: self.stop_words,
            stem: self.language,
            ..AnalyzerSettings::default()
        };
        FeatureParams::new()
            .analyzer(analyzer)
            .ngrams(self.ngrams.0, self.ngrams.1)
            .char_ngrams(self.char_ngrams)
            .min_df(self.min_df.unwrap_or(default_min_df(rows)))
            .max_df(self.max_df)
            .max_features(self.max_features)
            .sublinear_tf(self.sublinear_tf)
            .marks(self.marks)
            .polarity(self.polarity.clone())
            .check()
    }

    /// Model settings (checked when fitted).
    pub fn model(&self) -> ModelSettings {
        let base = ModelSettings::for_kind(self.model);
        ModelSettings {
            alpha: self.alpha,
            c: self.c.unwrap_or(base.c),
            nb_weight: self.nbsvm && !matches!(self.model, ModelKind::Nb | ModelKind::Cnb),
            class_weight: self.class_weight,
            max_iter: self.max_iter,
            seed: self.seed,
            ..base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_df_defaults_to_2_from_a_hundred_thousand_rows() {
        let o = TrainOptions::default();
        assert_eq!(o.features(99_999).unwrap().settings().min_df, 1);
        assert_eq!(o.features(MIN_DF_2_FROM_ROWS).unwrap().settings().min_df, 2);
        let given = TrainOptions {
            min_df: Some(3),
            ..o
        };
        assert_eq!(
            given
                .features(MIN_DF_2_FROM_ROWS)
                .unwrap()
                .settings()
                .min_df,
            3
        );
    }

    #[test]
    fn the_kind_gives_c_and_nb_weighting_unless_set() {
        let svm = TrainOptions {
            model: ModelKind::Svm,
            nbsvm: true,
            ..TrainOptions::default()
        };
        assert_eq!(svm.model().c, 0.5);
        assert!(svm.model().nb_weight);
        let nb = TrainOptions {
            model: ModelKind::Nb,
            nbsvm: true,
            c: Some(3.0),
            ..TrainOptions::default()
        };
        assert!(!nb.model().nb_weight);
        assert_eq!(nb.model().c, 3.0);
        assert_eq!(TrainOptions::default().model(), {
            let mut m = ModelSettings::for_kind(ModelKind::Nblr);
            m.seed = 42;
            m
        });
    }

    #[test]
    fn languages_are_parsed_by_name_and_none_turns_stemming_off() {
        assert_eq!(stemming_language("none"), Ok(None));
        assert_eq!(stemming_language("French"), Ok(Some(Language::French)));
        let e = stemming_language("klingon").unwrap_err();
        assert!(
            e.starts_with("unknown language \"klingon\"; one of: arabic"),
            "{e}"
        );
    }

    #[test]
    fn out_of_range_settings_are_refused_by_the_feature_check() {
        let o = TrainOptions {
            ngrams: (2, 1),
            ..TrainOptions::default()
        };
        assert!(o.features(10).is_err());
    }
}
