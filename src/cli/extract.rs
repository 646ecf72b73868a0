//! `stance extract`: every quoted statement of the articles, with its speaker and offsets.

use anyhow::Result;
use clap::Args as ClapArgs;

use super::common::{for_each_article_batch, ArticleArgs, Format, QuoteWriter};

/// Extract quotes.
#[derive(Debug, ClapArgs)]
#[command(
    after_help = "Example:\n  stance extract article.txt\n  stance extract news/ --format jsonl > quotes.jsonl\n  cat dump.jsonl | stance extract - --format csv"
)]
pub struct Args {
    #[command(flatten)]
    input: ArticleArgs,
    /// Output format: table, jsonl (one object per line), csv or json (one array).
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(a: Args) -> Result<()> {
    let mut w = QuoteWriter::new(a.format, false);
    for_each_article_batch(&a.input, true, |batch| {
        let rows: Vec<_> = batch
            .iter()
            .map(|art| (art, a.input.extract(art)))
            .collect();
        for (art, quotes) in rows {
            for q in quotes {
                w.write(art, &q, None)?;
            }
        }
        Ok(())
    })?;
    w.finish(false)
}
