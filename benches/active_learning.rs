//! Active learning against random sampling, with an oracle that answers from gold labels.
//!
//! Starting from a seeded stratified sample of labelled rows, both strategies add a batch of
//! rows at a time from the rest of the training set, chosen exactly as `stance label` chooses
//! quotes (`stance::labelling::active`: uncertainty score, order, near-duplicate filter). After each
//! step the model is refitted and scored on the test set. Both curves run until each is
//! within the tolerance of the full-data macro-F1 (or the pool is used up), and the table
//! shows where each got there.
//!
//! ```sh
//! cargo bench --bench active_learning -- path/to/mr
//! cargo bench --bench active_learning -- DIR --start 200 --step 100 --by entropy --seed 7
//! ```
//!
//! DIR holds `train.csv` and `test.csv` with a `text,label` header (README.md, "Public
//! sentence sets", says where to get them). Not run by `cargo test`.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use linfa::ParamGuard;
use stance::evaluate::metrics::Evaluation;
use stance::features::{FeatureParams, FeatureValidParams};
use stance::input::labelled::{read_labelled, Labelled, ReadOptions};
use stance::labelling::active::{self, Strategy, Uncertainty, NEAR_DUPLICATE_JACCARD};
use stance::labelling::checks::TrigramIndex;
use stance::models::ModelSettings;
use stance::pipeline::{Pipeline, TrainingMeta};
use stance::util::Rng;

struct Config {
    dir: String,
    start: usize,
    step: usize,
    tolerance: f64,
    by: Uncertainty,
    seed: u64,
}

fn usage() -> ! {
    eprintln!(
        "usage: active_learning DIR [--start N (200)] [--step N (100)] [--tolerance F (0.01)] \
         [--by margin|entropy] [--seed N (42)]\n  DIR holds train.csv and test.csv (text,label), \
         e.g. a public sentence set: see README.md, \"Public sentence sets\""
    );
    std::process::exit(2)
}

fn parse_args() -> Config {
    let mut c = Config {
        dir: String::new(),
        start: 200,
        step: 100,
        tolerance: 0.01,
        by: Uncertainty::Margin,
        seed: 42,
    };
    // `cargo bench` passes `--bench`; it means nothing here.
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--start" => c.start = value().parse().unwrap_or_else(|_| usage()),
            "--step" => c.step = value().parse().unwrap_or_else(|_| usage()),
            "--tolerance" => c.tolerance = value().parse().unwrap_or_else(|_| usage()),
            "--seed" => c.seed = value().parse().unwrap_or_else(|_| usage()),
            "--by" => {
                c.by = match value().as_str() {
                    "margin" => Uncertainty::Margin,
                    "entropy" => Uncertainty::Entropy,
                    _ => usage(),
                }
            }
            _ if a.starts_with("--") || !c.dir.is_empty() => usage(),
            _ => c.dir = a,
        }
    }
    if c.dir.is_empty() || c.start < 2 || c.step == 0 {
        usage();
    }
    for f in ["train.csv", "test.csv"] {
        let path = std::path::Path::new(&c.dir).join(f);
        if !path.is_file() {
            eprintln!(
                "error: {} not found: DIR must hold train.csv and test.csv with a text,label \
                 header, e.g. one of the public sentence sets (MR, SUBJ, CR, MPQA, SST-2); \
                 README.md, \"Public sentence sets\", says where to get them",
                path.display()
            );
            std::process::exit(2)
        }
    }
    c
}

fn read(path: &str) -> Labelled {
    read_labelled(path, &ReadOptions::default()).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    })
}

/// Fit the default pipeline (`stance train` defaults: nblr, word 1-2-grams) on `rows`.
fn fit(train: &Labelled, rows: &[usize], features: &FeatureValidParams, seed: u64) -> Pipeline {
    let texts: Vec<&str> = rows.iter().map(|&i| train.texts[i].as_str()).collect();
    let labels: Vec<String> = rows.iter().map(|&i| train.labels[i].clone()).collect();
    let settings = ModelSettings {
        seed,
        ..ModelSettings::default()
    };
    Pipeline::fit(
        &texts,
        &labels,
        features,
        &settings,
        TrainingMeta::default(),
    )
    .unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    })
}

fn macro_f1(p: &Pipeline, test: &Labelled) -> f64 {
    let names = p.labels();
    let truth: Vec<usize> = test
        .labels
        .iter()
        .map(|l| names.iter().position(|n| n == l).unwrap_or(names.len()))
        .collect();
    let mut all = names.to_vec();
    if truth.contains(&names.len()) {
        all.push("(unknown)".into());
    }
    let pred: Vec<usize> = p.predict(&test.texts).iter().map(|x| x.label).collect();
    Evaluation::new(&all, &truth, &pred).macro_f1
}

/// `n` rows drawn at random within each label, in proportion to the label's share.
fn stratified(labels: &[String], n: usize, rng: &mut Rng) -> Vec<usize> {
    let mut names: Vec<&String> = labels.iter().collect();
    names.sort();
    names.dedup();
    let mut by_label: Vec<Vec<usize>> = names
        .iter()
        .map(|l| (0..labels.len()).filter(|&i| &labels[i] == *l).collect())
        .collect();
    let mut out = Vec::with_capacity(n);
    let mut given = 0;
    for (k, rows) in by_label.iter_mut().enumerate() {
        rng.shuffle(rows);
        // The last label takes the rounding remainder, so exactly n are drawn.
        let want = if k + 1 == names.len() {
            n - given
        } else {
            (n as f64 * rows.len() as f64 / labels.len() as f64).round() as usize
        };
        let take = want.min(rows.len());
        out.extend_from_slice(&rows[..take]);
        given += take;
    }
    out.sort_unstable();
    out
}

/// One strategy's run: its labelled rows, unlabelled pool, near-duplicate index and curve.
struct Run {
    strategy: Strategy,
    labelled: Vec<usize>,
    pool: Vec<usize>,
    seen: TrigramIndex,
    rng: Rng,
    curve: Vec<(usize, f64)>,
    reached: Option<usize>,
    passed_over: usize,
}

impl Run {
    fn new(strategy: Strategy, train: &Labelled, start: &[usize], seed: u64) -> Run {
        let mut seen = TrigramIndex::new();
        for &i in start {
            seen.insert(&train.texts[i]);
        }
        let in_start: std::collections::HashSet<usize> = start.iter().copied().collect();
        Run {
            strategy,
            labelled: start.to_vec(),
            pool: (0..train.texts.len())
                .filter(|i| !in_start.contains(i))
                .collect(),
            seen,
            rng: Rng::new(seed),
            curve: Vec::new(),
            reached: None,
            passed_over: 0,
        }
    }

    /// Add up to `step` rows by the strategy; the oracle's answer is the gold label.
    fn grow(&mut self, model: &Pipeline, train: &Labelled, step: usize, by: Uncertainty) {
        let texts: Vec<&str> = self.pool.iter().map(|&i| train.texts[i].as_str()).collect();
        let scores: Vec<f64> = match self.strategy {
            Strategy::Random => vec![0.0; texts.len()],
            Strategy::Uncertainty => model
                .predict(&texts)
                .iter()
                .map(|p| by.score(&p.probabilities))
                .collect(),
        };
        let order = active::order(self.strategy, &scores, &mut self.rng);
        let sel =
            active::select_diverse(&order, &texts, &mut self.seen, step, NEAR_DUPLICATE_JACCARD);
        self.passed_over += sel.near_duplicates.len();
        let gone: std::collections::HashSet<usize> = sel
            .chosen
            .iter()
            .chain(&sel.near_duplicates)
            .copied()
            .collect();
        self.labelled
            .extend(sel.chosen.iter().map(|&k| self.pool[k]));
        let mut k = 0;
        self.pool.retain(|_| {
            k += 1;
            !gone.contains(&(k - 1))
        });
    }
}

fn main() {
    let c = parse_args();
    let train = read(&format!("{}/train.csv", c.dir));
    let test = read(&format!("{}/test.csv", c.dir));
    let features = FeatureParams::new().check().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    let t0 = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let all: Vec<usize> = (0..train.texts.len()).collect();
    let full = macro_f1(&fit(&train, &all, &features, c.seed), &test);
    let target = full - c.tolerance;
    eprintln!(
        "full data: {} rows, macro-F1 {full:.4}; target {target:.4}",
        train.texts.len()
    );
    let start = stratified(
        &train.labels,
        c.start.min(train.texts.len()),
        &mut Rng::new(c.seed),
    );
    let mut runs = [
        Run::new(Strategy::Uncertainty, &train, &start, c.seed),
        Run::new(Strategy::Random, &train, &start, c.seed),
    ];
    // Lockstep, so both curves cover the same label counts; stop once both reached the
    // target or neither can grow.
    loop {
        let mut moved = false;
        for r in runs.iter_mut() {
            if r.curve.last().is_some_and(|&(n, _)| n == r.labelled.len()) {
                continue; // Pool used up: nothing new to fit.
            }
            moved = true;
            let model = fit(&train, &r.labelled, &features, c.seed);
            let f1 = macro_f1(&model, &test);
            r.curve.push((r.labelled.len(), f1));
            if r.reached.is_none() && f1 >= target {
                r.reached = Some(r.labelled.len());
            }
            if tty {
                eprint!(
                    "\r{} labels: {} {f1:.4}   ",
                    r.labelled.len(),
                    r.strategy.name()
                );
            }
            if !r.pool.is_empty() {
                r.grow(&model, &train, c.step, c.by);
            }
        }
        if !moved || runs.iter().all(|r| r.reached.is_some()) {
            break;
        }
    }
    if tty {
        eprint!("\r{:<60}\r", "");
    }
    eprintln!("done in {:.0} s", t0.elapsed().as_secs_f64());

    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "data {}  start {}  step {}  seed {}  model nblr  uncertainty by {}",
        c.dir,
        c.start,
        c.step,
        c.seed,
        c.by.name()
    );
    let _ = writeln!(
        out,
        "full-data macro-F1 {full:.4} ({} rows); target (within {:.0} point) {target:.4}",
        train.texts.len(),
        c.tolerance * 100.0
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| labels | uncertainty | random |");
    let _ = writeln!(out, "|---:|---:|---:|");
    let rows = runs.iter().map(|r| r.curve.len()).max().unwrap_or(0);
    for i in 0..rows {
        let n = runs.iter().find_map(|r| r.curve.get(i)).map_or(0, |x| x.0);
        // A cell names its own label count when it differs from the row's (a pool used up).
        let cell = |r: &Run| -> String {
            r.curve.get(i).map_or(String::new(), |&(m, f)| {
                let mark = if r.reached == Some(m) { " ←" } else { "" };
                let at = if m == n {
                    String::new()
                } else {
                    format!(" ({m})")
                };
                format!("{f:.4}{at}{mark}")
            })
        };
        let _ = writeln!(out, "| {n} | {} | {} |", cell(&runs[0]), cell(&runs[1]));
    }
    let _ = writeln!(out);
    for r in &runs {
        let _ = writeln!(
            out,
            "{:<12} within {:.0} point at {} ({} near-duplicates passed over)",
            r.strategy.name(),
            c.tolerance * 100.0,
            r.reached
                .map_or("never (pool used up)".into(), |n| format!("{n} labels")),
            r.passed_over
        );
    }
}
