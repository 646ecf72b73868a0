//! `stance label`: label the quotes of articles one key at a time, most informative first,
//! appending each answer to a dataset as it is given.

use std::collections::{HashSet, VecDeque};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use linfa::ParamGuard;
use stance::input::articles::Article;
use stance::input::labelled::ReadOptions;
use stance::input::lines::LineReader;
use stance::labelling::active::{self, Strategy, Uncertainty, NEAR_DUPLICATE_JACCARD};
use stance::labelling::checks::{normalized_text, TrigramIndex};
use stance::labelling::labelfile::LabelFile;
use stance::pipeline::builtin::Task;
use stance::pipeline::{Pipeline, TrainingMeta};
use stance::util::Rng;

use super::common::{for_each_article_batch, ArticleArgs, Failed, Progress, UsageError};

/// Columns of a new dataset: those of `datasets/quotes.csv`, then where each quote came from.
const NEW_HEADERS: [&str; 9] = [
    "id",
    "text",
    "stance",
    "sentiment",
    "domain",
    "speaker_type",
    "split",
    "source",
    "speaker",
];

const STANCE_KEYS: [(char, &str); 3] = [
    ('t', "threatening"),
    ('c', "conciliatory"),
    ('n', "neutral"),
];
const SENTIMENT_KEYS: [(char, &str); 3] = [('-', "negative"), ('0', "neutral"), ('+', "positive")];

/// Label quotes.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Keys: t / c / n for threatening / conciliatory / neutral, then - / 0 / + for \
negative / neutral / positive sentiment with --task both (only - / 0 / + with --task sentiment); \
s skip, u undo the last answer, q quit. Every answer is saved at once; run the same command \
again to continue.\n\n\
Example:\n  stance label --articles news/ --into my_quotes.csv\n  stance label --articles news/ --into my_quotes.csv --task both --retrain-every 50\n  printf 'c+\\nt-\\nq\\n' | stance label --articles a.txt --into l.csv --task both --answers -"
)]
pub struct Args {
    /// Article files, directories (recursive: *.txt, *.jsonl) or `-` for stdin.
    #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
    articles: Vec<String>,
    /// The CSV dataset answers are appended to; created with a header if missing.
    #[arg(long, value_name = "DATASET.csv")]
    into: PathBuf,
    /// Model guiding the ranking and shown as the guess (with --task both: the stance model)
    /// [default: the built-in model].
    #[arg(long, value_name = "MODEL")]
    model: Option<PathBuf>,
    /// Sentiment model with --task both [default: the built-in sentiment model].
    #[arg(long, value_name = "MODEL")]
    sentiment_model: Option<PathBuf>,
    /// What to label.
    #[arg(long, value_enum, default_value = "stance")]
    task: LabelTask,
    /// Order of the quotes: most uncertain first, or random.
    #[arg(long, value_enum, default_value = "uncertainty")]
    strategy: StrategyArg,
    /// Uncertainty score: 1 - (p1 - p2), or entropy / ln K.
    #[arg(long, value_enum, default_value = "margin")]
    by: ByArg,
    /// Quotes ranked and queued together (>= 1); the next batch is ranked with the
    /// model as it is then.
    #[arg(long, default_value_t = 10, value_name = "N")]
    batch: usize,
    /// Retrain the model on the dataset after every N new labels, once it holds at least
    /// 2 rows of each label; 0 never retrains. The new model ranks the next batch.
    #[arg(long, default_value_t = 0, value_name = "N")]
    retrain_every: usize,
    /// Read answers from FILE (`-` for stdin), one per line (`t`, `c+`, `n0`, `s`, `u`, `q`),
    /// instead of keys from the terminal.
    #[arg(long, value_name = "FILE|-")]
    answers: Option<String>,
    /// Share of new rows given split `test`, by a seeded hash of the text, in [0, 1].
    #[arg(long, default_value_t = 0.2, value_name = "F")]
    test_share: f64,
    /// Seed for the split hash, the random order and retraining.
    #[arg(long, default_value_t = 42, value_name = "N")]
    seed: u64,
    /// Replace invalid UTF-8 in articles with U+FFFD instead of skipping the article.
    #[arg(long)]
    lossy: bool,
}

/// What is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LabelTask {
    /// threatening / conciliatory / neutral.
    Stance,
    /// negative / neutral / positive.
    Sentiment,
    /// Stance, then sentiment, for each quote.
    Both,
}

impl LabelTask {
    fn tasks(self) -> Vec<Task> {
        match self {
            LabelTask::Stance => vec![Task::Stance],
            LabelTask::Sentiment => vec![Task::Sentiment],
            LabelTask::Both => vec![Task::Stance, Task::Sentiment],
        }
    }
}

/// Order of the quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Most uncertain first, diversified.
    Uncertainty,
    /// Seeded random order, diversified (a baseline).
    Random,
}

/// Uncertainty score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// 1 - (p1 - p2).
    Margin,
    /// Entropy / ln K.
    Entropy,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    /// Labels, in the order of the session's tasks.
    Label(Vec<&'static str>),
    Skip,
    Undo,
    Quit,
}

fn keys_of(task: Task) -> &'static [(char, &'static str); 3] {
    match task {
        Task::Stance => &STANCE_KEYS,
        Task::Sentiment => &SENTIMENT_KEYS,
    }
}

/// Parse one answer: `s`, `u`, `q`, or one key per task in order (`t`, `-`, `c+`, `n 0`).
fn parse_answer(s: &str, tasks: &[Task]) -> std::result::Result<Answer, String> {
    let keys: Vec<char> = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match keys.as_slice() {
        ['s'] => return Ok(Answer::Skip),
        ['u'] => return Ok(Answer::Undo),
        ['q'] => return Ok(Answer::Quit),
        _ => {}
    }
    let expected = || -> String {
        let parts: Vec<String> = tasks
            .iter()
            .map(|t| {
                let k: Vec<String> = keys_of(*t).iter().map(|(c, _)| c.to_string()).collect();
                format!("one of {}", k.join(" "))
            })
            .collect();
        format!("{}; or s, u, q", parts.join(", then "))
    };
    if keys.len() != tasks.len() {
        return Err(format!("{s:?}: expected {}", expected()));
    }
    let mut labels = Vec::with_capacity(tasks.len());
    for (k, t) in keys.iter().zip(tasks) {
        match keys_of(*t).iter().find(|(c, _)| c == k) {
            Some((_, l)) => labels.push(*l),
            None => return Err(format!("{s:?}: expected {}", expected())),
        }
    }
    Ok(Answer::Label(labels))
}

/// A quote that can be labelled.
struct Candidate {
    /// The quote as stored ([`clean_quote`]).
    text: String,
    source: String,
    speaker: Option<String>,
    speaker_title: Option<String>,
    partial: bool,
    /// The paragraph where the quote opens, and the quote's char range inside it.
    paragraph: String,
    span: (usize, usize),
}

/// The line (paragraph) of `chars` holding char `start`, and `[start, end)` clipped to it,
/// relative to the paragraph.
fn paragraph_around(chars: &[char], start: usize, end: usize) -> (String, (usize, usize)) {
    let brk = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    let start = start.min(chars.len());
    let mut s = start;
    while s > 0 && !brk(chars[s - 1]) {
        s -= 1;
    }
    let mut e = start;
    while e < chars.len() && !brk(chars[e]) {
        e += 1;
    }
    let para: String = chars[s..e].iter().collect();
    (para, (start - s, end.min(e).max(start) - s))
}

/// The quote as stored: runs of whitespace (line ends of multi-paragraph quotes) made one
/// space, and the comma that `"…," she said` leaves inside the marks removed.
fn clean_quote(q: &str) -> String {
    let flat = q.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.trim_end_matches([',', ' ']).to_string()
}

fn candidates_of(input: &ArticleArgs, art: &Article) -> Vec<Candidate> {
    let chars: Vec<char> = art.text.chars().collect();
    input
        .extract(art)
        .into_iter()
        .map(|q| {
            let (paragraph, span) = paragraph_around(&chars, q.start, q.end);
            Candidate {
                text: clean_quote(&q.text),
                source: art.id.clone(),
                speaker: q.speaker,
                speaker_title: q.speaker_title,
                partial: q.partial,
                paragraph,
                span,
            }
        })
        .collect()
}

/// Where answers come from.
enum Answers {
    /// One answer per line of a file or stdin.
    Lines(LineReader),
    /// Single keys from the terminal.
    Keys(RawTerminal),
    /// One answer per line typed on the terminal, when it cannot be put in raw mode.
    TypedLines(std::io::Stdin),
}

impl Answers {
    /// The next answer, or `None` at the end of the input.
    fn next(&mut self, tasks: &[Task], ui: &Ui) -> Result<Option<Answer>> {
        match self {
            Answers::Lines(r) => loop {
                let Some(line) = r.next_line()? else {
                    ui.line("(end of answers)");
                    return Ok(None);
                };
                let t = line.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                ui.line(t);
                return match parse_answer(t, tasks) {
                    Ok(a) => Ok(Some(a)),
                    Err(reason) => Err(stance::Error::BadRow {
                        file: r.name().to_string(),
                        line: r.line(),
                        column: None,
                        reason,
                    }
                    .into()),
                };
            },
            Answers::TypedLines(stdin) => loop {
                let mut s = String::new();
                if stdin.read_line(&mut s)? == 0 {
                    return Ok(None);
                }
                match parse_answer(s.trim(), tasks) {
                    Ok(a) => return Ok(Some(a)),
                    Err(e) => ui.prompt(&format!("{e} ▸ ")),
                }
            },
            Answers::Keys(t) => {
                let mut keys = String::new();
                loop {
                    let k = t.key()?;
                    let c = match k {
                        None | Some(0x03) | Some(0x04) => 'q',
                        Some(b) => (b as char).to_ascii_lowercase(),
                    };
                    if !keys.is_empty() && c == 'u' {
                        // Undo within a quote goes back to its first key.
                        keys.clear();
                        ui.prompt(&format!("\n  again: {} ▸ ", key_hint(tasks[0])));
                        continue;
                    }
                    if matches!(c, 's' | 'u' | 'q') {
                        ui.line(&c.to_string());
                        return Ok(Some(
                            parse_answer(&c.to_string(), tasks).map_err(UsageError)?,
                        ));
                    }
                    let task = tasks[keys.chars().count()];
                    if keys_of(task).iter().any(|(kc, _)| *kc == c) {
                        keys.push(c);
                        if keys.chars().count() == tasks.len() {
                            ui.line(&c.to_string());
                            return Ok(Some(parse_answer(&keys, tasks).map_err(UsageError)?));
                        }
                        ui.prompt(&format!("{c}  sentiment {} ▸ ", key_hint(Task::Sentiment)));
                    } else if k.is_some_and(|b| b.is_ascii_graphic()) {
                        ui.prompt(&format!(
                            "\n  {c:?} is not a key here: {}, s skip, u undo, q quit ▸ ",
                            key_hint(task)
                        ));
                    }
                }
            }
        }
    }
}

fn key_hint(task: Task) -> String {
    let k: Vec<String> = keys_of(task)
        .iter()
        .map(|(c, l)| format!("{c} {l}"))
        .collect();
    k.join(" · ")
}

/// The terminal in non-canonical, no-echo mode (one key at a time, Ctrl-C read as a key so
/// the settings are always restored), put back as it was when dropped.
struct RawTerminal {
    tty: std::fs::File,
    saved: String,
}

impl RawTerminal {
    fn enter() -> Option<RawTerminal> {
        let tty = std::fs::File::open("/dev/tty").ok()?;
        let stty = |args: &[&str]| {
            std::process::Command::new("stty")
                .args(args)
                .stdin(tty.try_clone().ok()?)
                .stderr(std::process::Stdio::null())
                .output()
                .ok()
                .filter(|o| o.status.success())
        };
        let saved = String::from_utf8(stty(&["-g"])?.stdout).ok()?;
        let saved = saved.trim().to_string();
        stty(&["-icanon", "-echo", "-isig", "min", "1", "time", "0"])?;
        Some(RawTerminal { tty, saved })
    }

    fn key(&mut self) -> Result<Option<u8>> {
        let mut b = [0u8; 1];
        match self.tty.read(&mut b)? {
            0 => Ok(None),
            _ => Ok(Some(b[0])),
        }
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        if let Ok(t) = self.tty.try_clone() {
            let _ = std::process::Command::new("stty")
                .arg(&self.saved)
                .stdin(t)
                .status();
        }
    }
}

/// The session's display, on stderr.
struct Ui {
    color: bool,
}

impl Ui {
    fn line(&self, s: &str) {
        eprintln!("{s}");
    }

    fn prompt(&self, s: &str) {
        eprint!("{s}");
        let _ = std::io::stderr().flush();
    }

    fn show(&self, c: &Candidate, header: &str, guesses: &[(Task, &Pipeline)], tasks: &[Task]) {
        let (b, u, d, r) = if self.color {
            ("\x1b[1m", "\x1b[4m", "\x1b[2m", "\x1b[0m")
        } else {
            ("", "", "", "")
        };
        eprintln!();
        eprintln!("{d}── {header}{r}");
        let who = match (&c.speaker, &c.speaker_title) {
            (Some(s), Some(t)) => format!("{s} ({t})"),
            (Some(s), None) => s.clone(),
            _ => "(speaker unknown)".into(),
        };
        eprintln!(
            "{d}{}{r}  {b}{who}{r}{}",
            Path::new(&c.source)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or(&c.source),
            if c.partial { "  (partial quote)" } else { "" }
        );
        // The paragraph with the quote marked, trimmed to a readable window around it.
        let chars: Vec<char> = c.paragraph.chars().collect();
        let (qs, qe) = c.span;
        let from = qs.saturating_sub(300);
        let to = (qe + 300).min(chars.len());
        let part = |a: usize, z: usize| chars[a..z].iter().collect::<String>();
        let (open, close) = if self.color { (u, r) } else { ("[[", "]]") };
        eprintln!(
            "  {}{}{open}{}{close}{}{}",
            if from > 0 { "…" } else { "" },
            part(from, qs),
            part(qs, qe),
            part(qe, to),
            if to < chars.len() { "…" } else { "" }
        );
        eprintln!("  {b}“{}”{r}", c.text);
        for (task, p) in guesses {
            let pred = p.predict_one(&c.text);
            let mut probs: Vec<(&str, f32)> = p
                .labels()
                .iter()
                .map(String::as_str)
                .zip(pred.probabilities.iter().copied())
                .collect();
            probs.sort_by(|a, b| b.1.total_cmp(&a.1));
            let shown: Vec<String> = probs.iter().map(|(l, v)| format!("{l} {v:.2}")).collect();
            eprintln!("  {d}model{r} {:<10} {}", task.name(), shown.join("  "));
        }
        let then = if tasks.len() > 1 {
            ", then sentiment - · 0 · +"
        } else {
            ""
        };
        self.prompt(&format!(
            "  {}{then} · s skip · u undo · q quit ▸ ",
            key_hint(tasks[0])
        ));
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The stance or sentiment column of a task.
fn column(task: Task) -> &'static str {
    task.name()
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

pub fn run(a: Args) -> Result<()> {
    if a.batch == 0 {
        return Err(UsageError("--batch must be at least 1".into()).into());
    }
    if !(0.0..=1.0).contains(&a.test_share) {
        return Err(UsageError(format!("--test-share {}: must be in [0, 1]", a.test_share)).into());
    }
    if a.answers.as_deref() == Some("-") && a.articles.iter().any(|p| p == "-") {
        return Err(
            UsageError("--answers - and --articles - cannot both read stdin".into()).into(),
        );
    }
    if a.sentiment_model.is_some() && a.task != LabelTask::Both {
        return Err(
            UsageError("--sentiment-model goes with --task both; use --model".into()).into(),
        );
    }
    let tasks = a.task.tasks();
    let ui = Ui {
        color: std::io::stderr().is_terminal(),
    };
    let mut answers = match &a.answers {
        Some(f) => Answers::Lines(LineReader::open(f, false)?),
        // Keys come from the terminal, also when the articles come down a pipe.
        None if std::io::stdin().is_terminal() || a.articles.iter().any(|p| p == "-") => {
            match RawTerminal::enter() {
                Some(t) => Answers::Keys(t),
                None if std::io::stdin().is_terminal() => {
                    ui.line(
                        "(the terminal cannot read single keys: type each answer and press Enter)",
                    );
                    Answers::TypedLines(std::io::stdin())
                }
                None => {
                    return Err(UsageError(
                        "no terminal to read keys from: pass --answers FILE".into(),
                    )
                    .into())
                }
            }
        }
        None => return Err(UsageError(
            "stdin is not a terminal: pass --answers FILE (or --answers - to read them from stdin)"
                .into(),
        )
        .into()),
    };

    let mut required = vec!["text"];
    required.extend(tasks.iter().map(|t| column(*t)));
    let (mut file, repair) = LabelFile::open(&a.into, &NEW_HEADERS, &required)
        .with_context(|| format!("opening {}", a.into.display()))?;
    if let Some(r) = repair {
        eprintln!("warning: {}: {r}", a.into.display());
    }
    let mut models: Vec<(Task, Pipeline)> = Vec::new();
    for &t in &tasks {
        let path = match t {
            Task::Sentiment if a.task == LabelTask::Both => a.sentiment_model.as_deref(),
            _ => a.model.as_deref(),
        };
        models.push((t, stance::pipeline::builtin::load(path, t)?));
    }

    let progress = Progress::new();
    progress.stage("reading articles");
    let input = ArticleArgs {
        paths: a.articles.clone(),
        ext: Vec::new(),
        lossy: a.lossy,
        keep_scare_quotes: false,
        max_quote_chars: 5000,
        over_long: Default::default(),
    };
    let mut cands: Vec<Candidate> = Vec::new();
    let mut known: HashSet<String> = HashSet::new();
    let mut already = 0usize;
    let read = for_each_article_batch(&input, |batch| {
        for art in batch {
            for c in candidates_of(&input, art) {
                let key = normalized_text(&c.text);
                if key.is_empty() || !known.insert(key) {
                    continue;
                }
                if file.contains(&c.text) {
                    already += 1;
                } else {
                    cands.push(c);
                }
            }
        }
        Ok(())
    });
    // Unreadable articles were reported; label the others, and fail at the end.
    let article_failure = match read {
        Ok(()) => None,
        Err(e) if e.downcast_ref::<Failed>().is_some() => Some(e),
        Err(e) => return Err(e),
    };
    progress.done();
    eprintln!(
        "{} quotes to label ({} already in {}, {})",
        cands.len(),
        already,
        a.into.display(),
        plural(file.rows(), "row")
    );

    let mut seen = TrigramIndex::new();
    for t in file.labelled_texts() {
        seen.insert(t);
    }
    let by = match a.by {
        ByArg::Margin => Uncertainty::Margin,
        ByArg::Entropy => Uncertainty::Entropy,
    };
    let strategy = match a.strategy {
        StrategyArg::Uncertainty => Strategy::Uncertainty,
        StrategyArg::Random => Strategy::Random,
    };
    let mut rng = Rng::new(a.seed);
    let mut pool: Vec<usize> = (0..cands.len()).collect();
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut answered: Vec<usize> = Vec::new();
    let (mut labelled, mut skipped, mut undone, mut near_dups) = (0usize, 0usize, 0usize, 0usize);
    let mut since_train = 0usize;
    let mut retrain_due = false;
    loop {
        if queue.is_empty() {
            if retrain_due {
                retrain_due = false;
                for (t, m) in models.iter_mut() {
                    match retrain(&a.into, *t, a.seed)? {
                        Ok(p) => {
                            ui.line(&format!(
                                "\n(retrained the {} model on {} rows of {})",
                                t.name(),
                                p.header.training.rows,
                                a.into.display()
                            ));
                            *m = p;
                        }
                        Err(why) => ui.line(&format!("\n(kept the {} model: {why})", t.name())),
                    }
                }
            }
            let texts: Vec<&str> = pool.iter().map(|&i| cands[i].text.as_str()).collect();
            let scores: Vec<f64> = match strategy {
                Strategy::Random => vec![0.0; texts.len()],
                Strategy::Uncertainty => {
                    let preds: Vec<Vec<stance::pipeline::Prediction>> =
                        models.iter().map(|(_, m)| m.predict(&texts)).collect();
                    (0..texts.len())
                        .map(|i| {
                            preds
                                .iter()
                                .map(|p| by.score(&p[i].probabilities))
                                .sum::<f64>()
                                / preds.len() as f64
                        })
                        .collect()
                }
            };
            let order = active::order(strategy, &scores, &mut rng);
            let sel =
                active::select_diverse(&order, &texts, &mut seen, a.batch, NEAR_DUPLICATE_JACCARD);
            near_dups += sel.near_duplicates.len();
            let gone: HashSet<usize> = sel
                .chosen
                .iter()
                .chain(&sel.near_duplicates)
                .map(|&k| pool[k])
                .collect();
            queue.extend(sel.chosen.iter().map(|&k| pool[k]));
            pool.retain(|i| !gone.contains(i));
            if queue.is_empty() {
                ui.line("\nNo more quotes to label.");
                break;
            }
        }
        let Some(ci) = queue.pop_front() else {
            break;
        };
        let c = &cands[ci];
        let header = format!(
            "{} labelled this session · {} in {} · up to {} to go",
            labelled,
            file.rows(),
            a.into.display(),
            queue.len() + pool.len() + 1
        );
        let guesses: Vec<(Task, &Pipeline)> = models.iter().map(|(t, m)| (*t, m)).collect();
        ui.show(c, &header, &guesses, &tasks);
        let Some(answer) = answers.next(&tasks, &ui)? else {
            break;
        };
        match answer {
            Answer::Quit => break,
            Answer::Skip => skipped += 1,
            Answer::Undo => {
                queue.push_front(ci);
                match file.undo()? {
                    Some(_) => {
                        if let Some(prev) = answered.pop() {
                            queue.push_front(prev);
                        }
                        labelled -= 1;
                        undone += 1;
                        since_train = since_train.saturating_sub(1);
                        ui.line("  (removed the last answer; that quote comes again)");
                    }
                    None => ui.line("  (nothing to undo in this session)"),
                }
            }
            Answer::Label(labels) => {
                let id = stance::labelling::labelfile::row_id(&c.text);
                let split = active::split_for(&c.text, a.seed, a.test_share);
                let mut values: Vec<(&str, &str)> = vec![
                    ("id", &id),
                    ("text", &c.text),
                    ("split", split),
                    ("source", &c.source),
                    ("speaker", c.speaker.as_deref().unwrap_or("")),
                ];
                for (t, l) in tasks.iter().zip(&labels) {
                    values.push((column(*t), l));
                }
                file.append(&values)
                    .with_context(|| format!("saving the answer to {}", a.into.display()))?;
                answered.push(ci);
                labelled += 1;
                since_train += 1;
                if a.retrain_every > 0 && since_train >= a.retrain_every {
                    since_train = 0;
                    retrain_due = true;
                }
            }
        }
    }
    drop(answers);
    eprintln!(
        "labelled {} ({skipped} skipped, {undone} undone, {near_dups} near-duplicates passed over); {} now has {}",
        plural(labelled, "quote"),
        a.into.display(),
        plural(file.rows(), "row")
    );
    match article_failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_per_task() {
        let st = [Task::Stance];
        let both = [Task::Stance, Task::Sentiment];
        let se = [Task::Sentiment];
        assert_eq!(
            parse_answer("t", &st),
            Ok(Answer::Label(vec!["threatening"]))
        );
        assert_eq!(
            parse_answer("C+", &both),
            Ok(Answer::Label(vec!["conciliatory", "positive"]))
        );
        assert_eq!(
            parse_answer("n, 0", &both),
            Ok(Answer::Label(vec!["neutral", "neutral"]))
        );
        assert_eq!(parse_answer("-", &se), Ok(Answer::Label(vec!["negative"])));
        assert_eq!(parse_answer("s", &both), Ok(Answer::Skip));
        assert_eq!(parse_answer("u", &st), Ok(Answer::Undo));
        assert_eq!(parse_answer("Q", &se), Ok(Answer::Quit));
        assert!(parse_answer("t", &both).is_err());
        assert!(parse_answer("t+", &st).is_err());
        assert!(parse_answer("x", &st).is_err());
        assert!(parse_answer("+t", &both).is_err());
    }

    #[test]
    fn stored_quote_loses_line_breaks_and_the_attribution_comma() {
        assert_eq!(clean_quote("We will\n  respond,"), "We will respond");
        assert_eq!(clean_quote("Enough."), "Enough.");
    }

    #[test]
    fn paragraph_is_the_line_holding_the_quote_start() {
        let text: Vec<char> = "Title\n\nHe said \"we go\" today.\nNext line."
            .chars()
            .collect();
        let start = 16;
        let (p, (s, e)) = paragraph_around(&text, start, start + 5);
        assert_eq!(p, "He said \"we go\" today.");
        assert_eq!(
            &p.chars().collect::<Vec<_>>()[s..e]
                .iter()
                .collect::<String>(),
            "we go"
        );
        // A quote running past the paragraph end is clipped to it.
        let (p, (_, e)) = paragraph_around(&text, start, text.len());
        assert_eq!(e, p.chars().count());
    }
}
