//! The labelling loop of `stance label`: rank a batch of quotes with the models as they are,
//! show each, record the answer, undo, and retrain every so often.

use std::collections::{HashSet, VecDeque};
use std::path::Path;

use anyhow::{Context, Result};
use linfa::ParamGuard;
use stance::input::labelled::ReadOptions;
use stance::labelling::active::{self, Strategy, Uncertainty, NEAR_DUPLICATE_JACCARD};
use stance::labelling::checks::TrigramIndex;
use stance::labelling::labelfile::LabelFile;
use stance::pipeline::builtin::Task;
use stance::pipeline::{Pipeline, TrainingMeta};
use stance::util::Rng;

use super::answers::{keys_of, Answer, Answers};
use super::candidates::Candidate;
use super::render::Ui;
use super::{column, Args, ByArg, StrategyArg};

/// What a session did, for the closing line.
#[derive(Debug, Default)]
pub struct Tally {
    pub labelled: usize,
    pub skipped: usize,
    pub undone: usize,
    pub near_dups: usize,
}

/// One labelling session over the candidate quotes.
pub struct Session<'a> {
    a: &'a Args,
    tasks: Vec<Task>,
    /// The dataset answers go to.
    pub file: LabelFile,
    models: Vec<(Task, Pipeline)>,
    cands: Vec<Candidate>,
    ui: Ui,
    strategy: Strategy,
    by: Uncertainty,
    /// Texts already labelled or queued, for near-duplicates.
    seen: TrigramIndex,
    rng: Rng,
    /// Candidates not yet queued, and the queued ones in order.
    pool: Vec<usize>,
    queue: VecDeque<usize>,
    /// Candidates answered with labels this session, for undo.
    answered: Vec<usize>,
    pub tally: Tally,
    since_train: usize,
    retrain_due: bool,
}

impl<'a> Session<'a> {
    pub fn new(
        a: &'a Args,
        file: LabelFile,
        models: Vec<(Task, Pipeline)>,
        cands: Vec<Candidate>,
        ui: Ui,
    ) -> Session<'a> {
        let by = match a.by {
            ByArg::Margin => Uncertainty::Margin,
            ByArg::Entropy => Uncertainty::Entropy,
        };
        let strategy = match a.strategy {
            StrategyArg::Uncertainty => Strategy::Uncertainty,
            StrategyArg::Random => Strategy::Random,
        };
        let mut seen = TrigramIndex::new();
        for t in file.labelled_texts() {
            seen.insert(t);
        }
        Session {
            pool: (0..cands.len()).collect(),
            rng: Rng::new(a.seed),
            a,
            tasks: a.task.tasks(),
            file,
            models,
            cands,
            ui,
            strategy,
            by,
            seen,
            queue: VecDeque::new(),
            answered: Vec::new(),
            tally: Tally::default(),
            since_train: 0,
            retrain_due: false,
        }
    }

    /// Ask until the answers end, `q`, or no quote is left.
    pub fn run(&mut self, answers: &mut Answers) -> Result<()> {
        loop {
            if self.queue.is_empty() {
                if std::mem::take(&mut self.retrain_due) {
                    self.retrain_models()?;
                }
                self.queue_next_batch();
                if self.queue.is_empty() {
                    self.ui.line("\nNo more quotes to label.");
                    break;
                }
            }
            let Some(ci) = self.queue.pop_front() else {
                break;
            };
            self.show(ci);
            let Some(answer) = answers.next(&self.tasks, &self.ui)? else {
                break;
            };
            match answer {
                Answer::Quit => break,
                Answer::Skip => self.tally.skipped += 1,
                Answer::Undo => self.undo(ci)?,
                Answer::Label(labels) => self.record(ci, &labels)?,
            }
        }
        Ok(())
    }

    /// Rank the pool with the models as they are and queue the next batch, passing over
    /// near-duplicates of what was seen.
    fn queue_next_batch(&mut self) {
        let texts: Vec<&str> = self
            .pool
            .iter()
            .map(|&i| self.cands[i].text.as_str())
            .collect();
        let scores: Vec<f64> = match self.strategy {
            Strategy::Random => vec![0.0; texts.len()],
            Strategy::Uncertainty => {
                let preds: Vec<Vec<stance::pipeline::Prediction>> =
                    self.models.iter().map(|(_, m)| m.predict(&texts)).collect();
                (0..texts.len())
                    .map(|i| {
                        preds
                            .iter()
                            .map(|p| self.by.score(&p[i].probabilities))
                            .sum::<f64>()
                            / preds.len() as f64
                    })
                    .collect()
            }
        };
        let order = active::order(self.strategy, &scores, &mut self.rng);
        let sel = active::select_diverse(
            &order,
            &texts,
            &mut self.seen,
            self.a.batch,
            NEAR_DUPLICATE_JACCARD,
        );
        self.tally.near_dups += sel.near_duplicates.len();
        let gone: HashSet<usize> = sel
            .chosen
            .iter()
            .chain(&sel.near_duplicates)
            .map(|&k| self.pool[k])
            .collect();
        self.queue.extend(sel.chosen.iter().map(|&k| self.pool[k]));
        self.pool.retain(|i| !gone.contains(i));
    }

    /// Show candidate `ci` with the models' guesses and the prompt.
    fn show(&self, ci: usize) {
        let header = format!(
            "{} labelled this session · {} in {} · up to {} to go",
            self.tally.labelled,
            self.file.rows(),
            self.a.into.display(),
            self.queue.len() + self.pool.len() + 1
        );
        let guesses: Vec<(Task, &Pipeline)> = self.models.iter().map(|(t, m)| (*t, m)).collect();
        self.ui
            .show(&self.cands[ci], &header, &guesses, &self.tasks);
    }

    /// Remove this session's last answer; its quote comes again, before `ci`.
    fn undo(&mut self, ci: usize) -> Result<()> {
        self.queue.push_front(ci);
        match self.file.undo()? {
            Some(_) => {
                if let Some(prev) = self.answered.pop() {
                    self.queue.push_front(prev);
                }
                self.tally.labelled -= 1;
                self.tally.undone += 1;
                self.since_train = self.since_train.saturating_sub(1);
                self.ui
                    .line("  (removed the last answer; that quote comes again)");
            }
            None => self.ui.line("  (nothing to undo in this session)"),
        }
        Ok(())
    }

    /// Append candidate `ci` with its labels to the dataset.
    fn record(&mut self, ci: usize, labels: &[&str]) -> Result<()> {
        let a = self.a;
        let c = &self.cands[ci];
        let id = stance::labelling::labelfile::row_id(&c.text);
        let split = active::split_for(&c.text, a.seed, a.test_share);
        let mut values: Vec<(&str, &str)> = vec![
            ("id", &id),
            ("text", &c.text),
            ("split", split),
            ("source", &c.source),
            ("speaker", c.speaker.as_deref().unwrap_or("")),
        ];
        for (t, l) in self.tasks.iter().zip(labels) {
            values.push((column(*t), l));
        }
        self.file
            .append(&values)
            .with_context(|| format!("saving the answer to {}", a.into.display()))?;
        self.answered.push(ci);
        self.tally.labelled += 1;
        self.since_train += 1;
        if a.retrain_every > 0 && self.since_train >= a.retrain_every {
            self.since_train = 0;
            self.retrain_due = true;
        }
        Ok(())
    }

    /// Retrain each task's model on the dataset, where it has enough rows.
    fn retrain_models(&mut self) -> Result<()> {
        for (t, m) in self.models.iter_mut() {
            match retrain(&self.a.into, *t, self.a.seed)? {
                Ok(p) => {
                    self.ui.line(&format!(
                        "\n(retrained the {} model on {} rows of {})",
                        t.name(),
                        p.header.training.rows,
                        self.a.into.display()
                    ));
                    *m = p;
                }
                Err(why) => self
                    .ui
                    .line(&format!("\n(kept the {} model: {why})", t.name())),
            }
        }
        Ok(())
    }
}

/// Retrain a task's model on the dataset's rows with a label in its column, when every
/// label of the task has at least two rows. Returns the new model, or why not.
fn retrain(file: &Path, task: Task, seed: u64) -> Result<std::result::Result<Pipeline, String>> {
    let path = file.to_string_lossy().into_owned();
    let opts = ReadOptions {
        text_column: "text".into(),
        label_column: column(task).into(),
        skip_bad_rows: true,
        ..ReadOptions::default()
    };
    let d = match stance::input::labelled::read_labelled(&path, &opts) {
        Ok(d) => d,
        Err(stance::Error::EmptyInput { .. }) => return Ok(Err("no labelled rows yet".into())),
        Err(e) => return Err(e.into()),
    };
    let counts: Vec<(&str, usize)> = keys_of(task)
        .iter()
        .map(|(_, l)| (*l, d.labels.iter().filter(|x| x == l).count()))
        .collect();
    if counts.iter().any(|(_, n)| *n < 2) {
        let c: Vec<String> = counts.iter().map(|(l, n)| format!("{l} {n}")).collect();
        return Ok(Err(format!(
            "needs 2 rows of each label, has {}",
            c.join(", ")
        )));
    }
    let features = stance::features::FeatureParams::new().check()?;
    let settings = stance::models::ModelSettings {
        seed,
        ..Default::default()
    };
    let meta = TrainingMeta {
        data_file: d.file.clone(),
        data_sha256: d.sha256.clone(),
        text_column: "text".into(),
        label_column: column(task).into(),
        seed,
        date: stance::util::today(),
        ..TrainingMeta::default()
    };
    Ok(Ok(Pipeline::fit(
        &d.texts, &d.labels, &features, &settings, meta,
    )?))
}
