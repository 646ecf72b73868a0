//! Hyperparameter search over model kind, n-gram ranges, character n-grams, `min_df`,
//! regularisation and NB weighting: the defaults, then their one-setting neighbours, then
//! seeded random draws, each configuration scored by stratified k-fold cross-validation
//! ([`crate::evaluate::cv`]) on the same folds.

use std::collections::BTreeMap;

use linfa::ParamGuard;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::evaluate::cv::{cross_validate_many, CvResult, MeanStd};
use crate::features::{FeatureParams, FeatureSettings, FeatureValidParams};
use crate::models::{ModelKind, ModelSettings};
use crate::pipeline::TuningRecord;
use crate::util::progress::{Event, Progress};
use crate::util::Rng;

/// The values each hyperparameter may take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchSpace {
    /// Model kinds.
    pub kinds: Vec<ModelKind>,
    /// Word n-gram ranges.
    pub ngrams: Vec<(u8, u8)>,
    /// Character n-gram ranges (`None`: off).
    pub char_ngrams: Vec<Option<(u8, u8)>>,
    /// Minimum document frequencies.
    pub min_df: Vec<u32>,
    /// Inverse regularisation `C` (logreg, nblr, svm).
    pub c: Vec<f32>,
    /// NB smoothing `alpha` (nb, cnb, nblr).
    pub alpha: Vec<f32>,
    /// NB weighting of features (logreg, nblr, svm).
    pub nbsvm: Vec<bool>,
}

impl Default for SearchSpace {
    /// kinds {nblr, logreg, nb, cnb, svm}, ngrams {1-1, 1-2, 1-3}, char n-grams
    /// {off, 4-4, 2-5}, min_df {1, 2}, C {0.3, 1, 3, 10, 30}, alpha {0.03, 0.1, 0.3, 1},
    /// nbsvm {off, on}: 1,224 distinct configurations.
    fn default() -> Self {
        SearchSpace {
            kinds: ModelKind::ALL.to_vec(),
            ngrams: vec![(1, 1), (1, 2), (1, 3)],
            char_ngrams: vec![None, Some((4, 4)), Some((2, 5))],
            min_df: vec![1, 2],
            c: vec![0.3, 1.0, 3.0, 10.0, 30.0],
            alpha: vec![0.03, 0.1, 0.3, 1.0],
            nbsvm: vec![false, true],
        }
    }
}

fn uses_c(k: ModelKind) -> bool {
    matches!(k, ModelKind::Logreg | ModelKind::Nblr | ModelKind::Svm)
}

fn uses_alpha(k: ModelKind) -> bool {
    matches!(k, ModelKind::Nb | ModelKind::Cnb | ModelKind::Nblr)
}

impl SearchSpace {
    fn check(&self) -> Result<()> {
        let empty = [
            ("kinds", self.kinds.is_empty()),
            ("ngrams", self.ngrams.is_empty()),
            ("char_ngrams", self.char_ngrams.is_empty()),
            ("min_df", self.min_df.is_empty()),
            ("c", self.c.is_empty()),
            ("alpha", self.alpha.is_empty()),
            ("nbsvm", self.nbsvm.is_empty()),
        ];
        if let Some((name, _)) = empty.iter().find(|e| e.1) {
            return Err(Error::Param {
                name: "search space",
                reason: format!("{name} has no values"),
            });
        }
        Ok(())
    }

    /// Every distinct configuration: parameters a kind does not use are left out, so
    /// `nb` with two values of `C` is one configuration.
    pub fn grid(&self) -> Vec<Candidate> {
        let mut out = Vec::new();
        for &kind in &self.kinds {
            let cs: Vec<Option<f32>> = if uses_c(kind) {
                self.c.iter().map(|&c| Some(c)).collect()
            } else {
                vec![None]
            };
            let alphas: Vec<Option<f32>> = if uses_alpha(kind) {
                self.alpha.iter().map(|&a| Some(a)).collect()
            } else {
                vec![None]
            };
            let nbs: Vec<bool> = if uses_c(kind) {
                self.nbsvm.clone()
            } else {
                vec![false]
            };
            for &ngrams in &self.ngrams {
                for &char_ngrams in &self.char_ngrams {
                    for &min_df in &self.min_df {
                        for &c in &cs {
                            for &alpha in &alphas {
                                for &nbsvm in &nbs {
                                    let cand = Candidate {
                                        kind,
                                        ngrams,
                                        char_ngrams,
                                        min_df,
                                        c,
                                        alpha,
                                        nbsvm,
                                    };
                                    if !out.contains(&cand) {
                                        out.push(cand);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The values as text, for the record kept in a tuned model.
    pub fn describe(&self) -> BTreeMap<String, Vec<String>> {
        let range = |r: &(u8, u8)| format!("{}-{}", r.0, r.1);
        let mut m = BTreeMap::new();
        m.insert(
            "model".into(),
            self.kinds.iter().map(|k| k.name().to_string()).collect(),
        );
        m.insert("ngrams".into(), self.ngrams.iter().map(range).collect());
        m.insert(
            "char_ngrams".into(),
            self.char_ngrams
                .iter()
                .map(|r| r.as_ref().map_or("off".to_string(), range))
                .collect(),
        );
        m.insert(
            "min_df".into(),
            self.min_df.iter().map(|v| v.to_string()).collect(),
        );
        m.insert("c".into(), self.c.iter().map(|v| v.to_string()).collect());
        m.insert(
            "alpha".into(),
            self.alpha.iter().map(|v| v.to_string()).collect(),
        );
        m.insert(
            "nbsvm".into(),
            self.nbsvm
                .iter()
                .map(|&v| if v { "on" } else { "off" }.to_string())
                .collect(),
        );
        m
    }
}

/// The part of a candidate that decides its features: n-grams, char n-grams, min_df.
type FeatureKey = ((u8, u8), Option<(u8, u8)>, u32);

/// One configuration of the search.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Model kind.
    pub kind: ModelKind,
    /// Word n-gram range.
    pub ngrams: (u8, u8),
    /// Character n-gram range, or off.
    pub char_ngrams: Option<(u8, u8)>,
    /// Minimum document frequency.
    pub min_df: u32,
    /// `C`, for kinds that use it.
    pub c: Option<f32>,
    /// `alpha`, for kinds that use it.
    pub alpha: Option<f32>,
    /// NB weighting (always off for nb and cnb).
    pub nbsvm: bool,
}

impl Candidate {
    /// `stance`'s defaults (nblr, 1-2, no char n-grams, min_df 1, C 10, alpha 0.1, no NB
    /// weighting).
    pub fn default_settings() -> Candidate {
        let m = ModelSettings::default();
        let f = FeatureSettings::default();
        Candidate {
            kind: m.kind,
            ngrams: f.ngrams,
            char_ngrams: f.char_ngrams,
            min_df: f.min_df,
            c: Some(m.c),
            alpha: Some(m.alpha),
            nbsvm: m.nb_weight,
        }
    }

    /// Checked feature params: `base` with this candidate's n-gram settings.
    pub fn features(&self, base: &FeatureSettings) -> Result<FeatureValidParams> {
        FeatureParams::from_settings(FeatureSettings {
            ngrams: self.ngrams,
            char_ngrams: self.char_ngrams,
            min_df: self.min_df,
            ..base.clone()
        })
        .check()
    }

    /// Model settings: the kind's defaults, `base`'s class weighting, iteration cap and
    /// seed, and this candidate's `C`, `alpha` and NB weighting.
    pub fn model(&self, base: &ModelSettings) -> ModelSettings {
        let d = ModelSettings::for_kind(self.kind);
        ModelSettings {
            c: self.c.unwrap_or(d.c),
            alpha: self.alpha.unwrap_or(d.alpha),
            nb_weight: self.nbsvm,
            class_weight: base.class_weight,
            max_iter: base.max_iter,
            seed: base.seed,
            ..d
        }
    }

    /// The candidate as `stance train` options.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "--model {} --ngrams {}-{}",
            self.kind.name(),
            self.ngrams.0,
            self.ngrams.1
        );
        if let Some((a, b)) = self.char_ngrams {
            s += &format!(" --char-ngrams {a}-{b}");
        }
        s += &format!(" --min-df {}", self.min_df);
        if let Some(c) = self.c {
            s += &format!(" --c {c}");
        }
        if let Some(a) = self.alpha {
            s += &format!(" --alpha {a}");
        }
        if self.nbsvm {
            s += " --nbsvm";
        }
        s
    }

    fn feature_key(&self) -> FeatureKey {
        (self.ngrams, self.char_ngrams, self.min_df)
    }
}

/// Whether `c` differs from `d` in exactly one parameter (a parameter `c`'s kind does not
/// use counts as equal).
fn one_step(c: &Candidate, d: &Candidate) -> bool {
    let differ = |a: Option<f32>, b: Option<f32>| matches!((a, b), (Some(x), Some(y)) if x != y);
    let steps = [
        c.kind != d.kind,
        c.ngrams != d.ngrams,
        c.char_ngrams != d.char_ngrams,
        c.min_df != d.min_df,
        differ(c.c, d.c),
        differ(c.alpha, d.alpha),
        c.nbsvm != d.nbsvm,
    ];
    steps.iter().filter(|&&s| s).count() == 1
}

/// Choose up to `budget` distinct configurations. `stance`'s defaults come first when the
/// space holds them, so a search never reports less than the defaults score on its folds;
/// then their neighbours, each changing one parameter of the defaults (in grid order): a
/// default that is good on most data is a good place to look near. The rest of the budget
/// is drawn at random: when it covers at least half the grid, the grid is shuffled and
/// cut; otherwise each draw picks a kind uniformly, then each parameter the kind uses
/// uniformly, and repeats are drawn again.
pub fn candidates(space: &SearchSpace, budget: usize, rng: &mut Rng) -> Vec<Candidate> {
    let grid = space.grid();
    let want = budget.min(grid.len());
    let mut out: Vec<Candidate> = Vec::with_capacity(want);
    let default = Candidate::default_settings();
    if want > 0 && grid.contains(&default) {
        out.push(default);
        for c in grid.iter().filter(|c| one_step(c, &default)) {
            if out.len() < want {
                out.push(*c);
            }
        }
    }
    if 2 * budget >= grid.len() {
        let mut rest: Vec<Candidate> = grid.into_iter().filter(|c| !out.contains(c)).collect();
        rng.shuffle(&mut rest);
        let room = want - out.len();
        out.extend(rest.into_iter().take(room));
        return out;
    }
    fn pick<T: Copy>(v: &[T], rng: &mut Rng) -> T {
        v[rng.below(v.len())]
    }
    while out.len() < want {
        let kind = pick(&space.kinds, rng);
        let cand = Candidate {
            kind,
            ngrams: pick(&space.ngrams, rng),
            char_ngrams: pick(&space.char_ngrams, rng),
            min_df: pick(&space.min_df, rng),
            c: uses_c(kind).then(|| pick(&space.c, rng)),
            alpha: uses_alpha(kind).then(|| pick(&space.alpha, rng)),
            nbsvm: uses_c(kind) && pick(&space.nbsvm, rng),
        };
        if !out.contains(&cand) {
            out.push(cand);
        }
    }
    out
}

/// One configuration's cross-validated scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// The configuration.
    pub candidate: Candidate,
    /// Its per-fold scores.
    pub cv: CvResult,
}

/// Score up to `budget` configurations by stratified `folds`-fold cross-validation, all on
/// the same folds. `base_features` and `base_model` give every setting the space does not
/// search. Returns the trials sorted best first: by mean macro-F1, then lower standard
/// deviation, then draw order. `progress` is told each model fit as it ends, counted over
/// folds × configurations, with the highest mean macro-F1 of a configuration over the folds
/// it was scored on so far ([`Event::Fits`]), and the optimiser's iterations.
#[allow(clippy::too_many_arguments)]
pub fn tune<S: AsRef<str> + Sync>(
    texts: &[S],
    labels: &[String],
    space: &SearchSpace,
    base_features: &FeatureSettings,
    base_model: &ModelSettings,
    folds: usize,
    budget: usize,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<Trial>> {
    space.check()?;
    if budget == 0 {
        return Err(Error::Param {
            name: "budget",
            reason: "must be at least 1".into(),
        });
    }
    let cands = candidates(space, budget, &mut Rng::new(seed));
    // Configurations that share feature settings share each fold's vectorizer.
    let mut groups: Vec<(FeatureKey, Vec<usize>)> = Vec::new();
    for (i, c) in cands.iter().enumerate() {
        match groups.iter_mut().find(|g| g.0 == c.feature_key()) {
            Some(g) => g.1.push(i),
            None => groups.push((c.feature_key(), vec![i])),
        }
    }
    let mut results: Vec<Option<CvResult>> = vec![None; cands.len()];
    // Fits of the groups before this one, and the best mean macro-F1 of their
    // configurations.
    let total = cands.len() * folds;
    let (mut done, mut best) = (0, None::<f64>);
    let higher = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    for (_, members) in &groups {
        let features = cands[members[0]].features(base_features)?;
        let models: Vec<ModelSettings> = members
            .iter()
            .map(|&i| cands[i].model(base_model))
            .collect();
        let group = |e: Event<'_>| match e {
            Event::Fits {
                done: d, best: b, ..
            } => progress.event(Event::Fits {
                done: done + d,
                total,
                best: higher(best, b),
            }),
            other => progress.event(other),
        };
        let rs = cross_validate_many(texts, labels, &features, &models, folds, seed, &group)?;
        for (&i, r) in members.iter().zip(rs) {
            best = higher(best, Some(r.macro_f1().mean));
            results[i] = Some(r);
        }
        done += members.len() * folds;
    }
    let mut trials: Vec<(usize, Trial)> = cands
        .into_iter()
        .zip(results)
        .enumerate()
        .filter_map(|(i, (candidate, cv))| cv.map(|cv| (i, Trial { candidate, cv })))
        .collect();
    trials.sort_by(|(ia, a), (ib, b)| {
        let (ma, mb) = (a.cv.macro_f1(), b.cv.macro_f1());
        mb.mean
            .total_cmp(&ma.mean)
            .then(ma.std.total_cmp(&mb.std))
            .then(ia.cmp(ib))
    });
    Ok(trials.into_iter().map(|(_, t)| t).collect())
}

impl TuningRecord {
    /// The record of a search whose best trial is `best`.
    pub fn new(
        space: &SearchSpace,
        budget: usize,
        tried: usize,
        folds: usize,
        seed: u64,
        best: &Trial,
    ) -> TuningRecord {
        let MeanStd { mean, std } = best.cv.macro_f1();
        TuningRecord {
            search_space: space.describe(),
            budget,
            tried,
            folds,
            seed,
            winner: best.candidate.describe(),
            cv_macro_f1_mean: mean,
            cv_macro_f1_std: std,
            cv_accuracy_mean: best.cv.accuracy().mean,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_grid_has_every_distinct_configuration_once() {
        // Per feature setting (3 × 3 × 2 = 18): nblr 5·4·2 = 40, logreg 5·2 = 10, nb 4,
        // cnb 4, svm 5·2 = 10, so 68; 18 · 68 = 1224.
        let g = SearchSpace::default().grid();
        assert_eq!(g.len(), 1224);
        assert!(g.contains(&Candidate::default_settings()));
        assert!(g
            .iter()
            .all(|c| c.kind != ModelKind::Nb || (c.c.is_none() && !c.nbsvm)));
    }

    #[test]
    fn candidates_are_distinct_seeded_and_start_with_the_defaults() {
        let s = SearchSpace::default();
        let a = candidates(&s, 20, &mut Rng::new(3));
        assert_eq!(a.len(), 20);
        assert_eq!(a[0], Candidate::default_settings());
        for (i, c) in a.iter().enumerate() {
            assert!(!a[..i].contains(c), "repeat {c:?}");
        }
        // Then the 17 one-setting changes of the defaults, and only then random draws.
        let d = Candidate::default_settings();
        let near = s.grid().iter().filter(|c| one_step(c, &d)).count();
        assert_eq!(near, 17);
        assert!(a[1..18].iter().all(|c| one_step(c, &d)));
        assert!(a[1..18].iter().any(|c| c.char_ngrams == Some((4, 4))));
        assert!(!a[18..].iter().any(|c| one_step(c, &d)));
        assert_eq!(a, candidates(&s, 20, &mut Rng::new(3)));
        assert_ne!(a, candidates(&s, 20, &mut Rng::new(4)));
        // A budget over the grid gives the whole grid.
        let small = SearchSpace {
            kinds: vec![ModelKind::Nb, ModelKind::Svm],
            ngrams: vec![(1, 1)],
            char_ngrams: vec![None],
            min_df: vec![1],
            c: vec![1.0],
            alpha: vec![0.1, 1.0],
            nbsvm: vec![false, true],
        };
        assert_eq!(candidates(&small, 50, &mut Rng::new(1)).len(), 4);
    }

    /// Tuning reports every fit of every configuration, in order, and ends on the winner's
    /// score; watching changes no result.
    #[test]
    fn tune_reports_each_fit_and_ends_on_the_winners_score() {
        use crate::util::progress::Silent;
        let words = ["strike", "talk", "peace", "war", "ready", "never"];
        let t: Vec<String> = (0..24)
            .map(|i| format!("{} {} now", words[i % 6], words[(i / 2) % 6]))
            .collect();
        let l: Vec<String> = (0..24).map(|i| format!("l{}", i % 2)).collect();
        let space = SearchSpace {
            kinds: vec![ModelKind::Nb, ModelKind::Nblr],
            ngrams: vec![(1, 1), (1, 2)],
            char_ngrams: vec![None],
            min_df: vec![1],
            c: vec![1.0],
            alpha: vec![0.1],
            nbsvm: vec![false],
        };
        let (fs, ms) = (FeatureSettings::default(), ModelSettings::default());
        let seen = std::sync::Mutex::new(Vec::new());
        let watch = |e: Event<'_>| {
            if let Event::Fits { done, total, best } = e {
                seen.lock().unwrap().push((done, total, best));
            }
        };
        let trials = tune(&t, &l, &space, &fs, &ms, 3, 4, 5, &watch).unwrap();
        assert_eq!(
            trials,
            tune(&t, &l, &space, &fs, &ms, 3, 4, 5, &Silent).unwrap()
        );
        let seen = seen.into_inner().unwrap();
        let mut done: Vec<usize> = seen.iter().map(|s| s.0).collect();
        done.dedup();
        assert_eq!(done, (0..=12).collect::<Vec<_>>());
        assert!(seen.iter().all(|s| s.1 == 12));
        let last = seen.last().unwrap().2;
        assert_eq!(last, Some(trials[0].cv.macro_f1().mean));
    }

    #[test]
    fn candidate_settings_leave_unused_parameters_at_the_kind_defaults() {
        let c = Candidate {
            kind: ModelKind::Svm,
            ngrams: (1, 3),
            char_ngrams: Some((2, 5)),
            min_df: 2,
            c: Some(3.0),
            alpha: None,
            nbsvm: true,
        };
        let base = ModelSettings {
            max_iter: 77,
            seed: 9,
            ..ModelSettings::default()
        };
        let m = c.model(&base);
        assert_eq!(
            (m.kind, m.c, m.nb_weight, m.max_iter, m.seed),
            (ModelKind::Svm, 3.0, true, 77, 9)
        );
        assert_eq!(m.tol, ModelSettings::for_kind(ModelKind::Svm).tol);
        let f = c.features(&FeatureSettings::default()).unwrap();
        assert_eq!(f.settings().char_ngrams, Some((2, 5)));
        assert_eq!(
            c.describe(),
            "--model svm --ngrams 1-3 --char-ngrams 2-5 --min-df 2 --c 3 --nbsvm"
        );
    }
}
