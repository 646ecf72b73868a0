//! Where articles come from, how quotes are found, and reading articles in batches.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Result;
use clap::Args as ClapArgs;

use super::progress::{say, Bar};
use super::Failed;

/// Where articles come from and how quotes are found.
#[derive(Debug, Clone, ClapArgs)]
pub struct ArticleArgs {
    /// Article files (plain text, optional `date YYYY-MM-DD` first line; or JSONL with
    /// id, text, date, title, url), directories (recursive: *.txt, *.jsonl), or `-` for stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    /// Also read these extensions from directories, comma-separated (e.g. `md,text`; read
    /// as plain text, `ndjson` as JSONL). Files named on the command line are always read.
    #[arg(long, value_delimiter = ',', value_name = "EXT")]
    pub ext: Vec<String>,
    /// Replace invalid UTF-8 with U+FFFD instead of skipping the article.
    #[arg(long)]
    pub lossy: bool,
    /// Keep scare quotes (one to three words with no speech cue), flagged partial.
    #[arg(long)]
    pub keep_scare_quotes: bool,
    /// Drop quotes longer than this many characters (a run-away from a missing mark).
    #[arg(long, default_value_t = 5000, value_name = "N")]
    pub max_quote_chars: usize,
    /// Quotes dropped by --max-quote-chars so far, reported at the end.
    #[arg(skip)]
    pub over_long: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl ArticleArgs {
    /// Quotes of one article, offsets into the article text as read (prefix included).
    /// Scoring options from these arguments; `all_quotes` and `explain` as given.
    pub fn score_options(&self, all_quotes: bool, explain: bool) -> stance::score::ScoreOptions {
        stance::score::ScoreOptions {
            keep_scare_quotes: self.keep_scare_quotes,
            max_quote_chars: self.max_quote_chars,
            all_quotes,
            explain,
        }
    }

    /// Score one article, counting the quotes dropped for length.
    pub fn score(
        &self,
        scorer: &stance::score::Scorer<'_>,
        a: &stance::input::articles::Article,
    ) -> stance::score::ArticleScores {
        let r = scorer.score_article(a);
        if r.over_long > 0 {
            self.over_long
                .fetch_add(r.over_long, std::sync::atomic::Ordering::Relaxed);
        }
        r
    }

    pub fn extract(&self, a: &stance::input::articles::Article) -> Vec<stance::quotes::Quote> {
        let e = stance::score::extract_article(a, self.keep_scare_quotes, self.max_quote_chars);
        if e.over_long > 0 {
            self.over_long
                .fetch_add(e.over_long, std::sync::atomic::Ordering::Relaxed);
        }
        e.quotes
    }
}

/// Articles processed together: enough to keep both cores busy, few enough that memory stays
/// flat however many articles come.
const ARTICLE_BATCH: usize = 64;
/// A batch also ends at this many bytes of text: 64 articles at the 16 MiB limit would
/// otherwise be a gigabyte.
const ARTICLE_BATCH_BYTES: usize = 8 << 20;

/// Read the articles in input order, in batches; unreadable inputs are reported on stderr
/// and skipped, and make the command fail at the end (exit 2 for bad input, 1 otherwise).
/// A bar shows the bytes of the files read, unless the command's output (`to_stdout`) or
/// the articles being typed (stdin) share the terminal, where they would run into the bar.
pub fn for_each_article_batch(
    input: &ArticleArgs,
    to_stdout: bool,
    mut f: impl FnMut(&[stance::input::articles::Article]) -> Result<()>,
) -> Result<()> {
    let typed = (input.paths.is_empty() || input.paths.iter().any(|p| p == "-"))
        && std::io::stdin().is_terminal();
    let shared = typed || (to_stdout && std::io::stdout().is_terminal());
    let bar = Bar::start_if(!shared);
    bar.stage("finding articles");
    let expanded = stance::input::articles::expand_with(&input.paths, &input.ext);
    if input.paths.is_empty() && std::io::stdin().is_terminal() {
        // Otherwise a newcomer who typed the bare command sees nothing happen.
        say!("reading articles from stdin (end with Ctrl-D); give files or directories to read those instead");
    }
    let skipped = expanded.skipped;
    let n_sources = expanded.sources.len();
    let mut failed: Vec<stance::Error> = expanded.errors;
    // Inputs that failed while the directories were listed count among the inputs too.
    let walk_errors = failed.len();
    for e in &failed {
        say!("error: {e}");
    }
    let mut through = Through::new(&expanded.sources);
    match through.total() {
        Some(t) => bar.bytes(t),
        None => bar.stage("reading articles"),
    }
    let mut batch = Vec::with_capacity(ARTICLE_BATCH);
    let mut total = 0usize;
    let mut articles = 0u64;
    let mut batch_done = |batch: &[stance::input::articles::Article]| -> Result<()> {
        f(batch)?;
        for a in batch {
            through.article(&a.source, a.text.len());
        }
        articles += batch.len() as u64;
        bar.read(through.bytes(), &through.note(articles));
        Ok(())
    };
    for item in stance::input::articles::ArticleReader::new(expanded.sources, input.lossy) {
        total += 1;
        match item {
            Ok(a) => batch.push(a),
            Err(e) => {
                say!("error: {e}");
                failed.push(e);
            }
        }
        let bytes: usize = batch.iter().map(|a| a.text.len()).sum();
        if batch.len() == ARTICLE_BATCH || bytes >= ARTICLE_BATCH_BYTES {
            batch_done(&batch)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        batch_done(&batch)?;
    }
    drop(bar);
    let over_long = input.over_long.load(std::sync::atomic::Ordering::Relaxed);
    if over_long > 0 {
        say!(
            "warning: dropped {over_long} quote(s) longer than --max-quote-chars {} (usually a quote mark never closed)",
            input.max_quote_chars
        );
    }
    if total == 0 && failed.is_empty() {
        return Err(Failed {
            code: 2,
            msg: nothing_found(&input.paths, n_sources, &skipped),
        }
        .into());
    }
    if failed.is_empty() {
        return Ok(());
    }
    let code = if failed.iter().all(stance::Error::is_bad_input) {
        2
    } else {
        1
    };
    Err(Failed {
        code,
        msg: format!(
            "{} of {} inputs could not be read (listed above)",
            failed.len(),
            (total + walk_errors).max(failed.len())
        ),
    }
    .into())
}

/// How far the reading is through the input files, in bytes: the sizes of the files
/// before the one being read, and the text read from that one (a JSONL file holds many
/// articles; its text is close to its size).
struct Through {
    /// Each source and its size (0 for stdin).
    sizes: Vec<(String, u64)>,
    /// The source being read, and the bytes of those before it.
    at: usize,
    before: u64,
    /// Text read from the source being read.
    within: u64,
    /// When the first article came, for the rate when there is no total.
    started: std::time::Instant,
    /// Stdin is among the sources: its size is not known.
    stdin: bool,
}

impl Through {
    fn new(sources: &[String]) -> Through {
        let size = |s: &String| std::fs::metadata(s).map_or(0, |m| m.len());
        Through {
            sizes: sources.iter().map(|s| (s.clone(), size(s))).collect(),
            at: 0,
            before: 0,
            within: 0,
            started: std::time::Instant::now(),
            stdin: sources.iter().any(|s| s == "-"),
        }
    }

    /// Bytes of all the files, when known.
    fn total(&self) -> Option<u64> {
        (!self.stdin).then(|| self.sizes.iter().map(|(_, n)| n).sum())
    }

    /// An article of `len` bytes of text was read from `source`. Sources are read in
    /// order, so the ones passed over (unreadable ones too) are done.
    fn article(&mut self, source: &str, len: usize) {
        if self.sizes.get(self.at).is_some_and(|(s, _)| s != source) {
            if let Some(k) = self.sizes[self.at..].iter().position(|(s, _)| s == source) {
                self.before += self.sizes[self.at..self.at + k]
                    .iter()
                    .map(|(_, n)| n)
                    .sum::<u64>();
                self.at += k;
                self.within = 0;
            }
        }
        self.within += len as u64;
    }

    /// Bytes read: the files before this one, and this one up to its size.
    fn bytes(&self) -> u64 {
        let size = self.sizes.get(self.at).map_or(0, |(_, n)| *n);
        self.before + self.within.min(size)
    }

    /// `N articles`, with their rate when no total gives one.
    fn note(&self, articles: u64) -> String {
        let noun = if articles == 1 { "article" } else { "articles" };
        if !self.stdin {
            return format!("{articles} {noun}");
        }
        let secs = self.started.elapsed().as_secs_f64();
        if secs < 1.0 {
            return format!("{articles} {noun}");
        }
        format!("{articles} {noun} ({:.0}/s)", articles as f64 / secs)
    }
}

/// Why no article was read: the files the directories held and why each was passed over.
fn nothing_found(paths: &[String], sources: usize, skipped: &[String]) -> String {
    let dirs = paths.join(", ");
    if sources > 0 {
        return format!("no article found: {dirs} holds no article (an empty JSONL file?)");
    }
    if skipped.is_empty() {
        return format!(
            "no article found: {dirs} holds no files (directories are searched for *.txt and *.jsonl)"
        );
    }
    let mut exts: Vec<String> = skipped
        .iter()
        .filter_map(|f| {
            Path::new(f)
                .extension()?
                .to_str()
                .map(str::to_ascii_lowercase)
        })
        .collect();
    exts.sort();
    exts.dedup();
    let shown: Vec<&str> = skipped.iter().take(5).map(String::as_str).collect();
    let more = if skipped.len() > 5 {
        format!(" and {} more", skipped.len() - 5)
    } else {
        String::new()
    };
    let hint = if exts.is_empty() {
        "name the files themselves to read them".to_string()
    } else {
        format!("--ext {} reads them as plain text", exts.join(","))
    };
    format!(
        "no article found: {dirs} holds {} file(s), none read: {}{more}; directories are searched for *.txt and *.jsonl only ({hint})",
        skipped.len(),
        shown.join(", ")
    )
}
