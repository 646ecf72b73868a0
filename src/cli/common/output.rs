//! Output formats and writers: rows as a table, JSONL, CSV or one JSON array.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use clap::ValueEnum;

/// Output formats of commands that write rows (extract, score, predict).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    Table,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header.
    Csv,
    /// One JSON document: an array of the rows.
    Json,
}

/// Output formats of commands that write one report (evaluate, cv, tune, data check,
/// explain): rows would not fit what they print, so they offer no jsonl or csv.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned text for reading.
    Table,
    /// One JSON document.
    Json,
}

/// Separates the rows of a JSON array written one row at a time: `[` before the first,
/// `,` before the others, and `]` (or `[]` when there were none) at the end.
#[derive(Default)]
pub struct JsonArray {
    rows: usize,
}

impl JsonArray {
    /// Write what goes before the next row.
    pub fn before_row(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(if self.rows == 0 { b"[\n" } else { b",\n" })?;
        self.rows += 1;
        Ok(())
    }

    /// Close the array.
    pub fn finish(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })
    }
}

/// Buffered stdout.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Escape a field for CSV output.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Shorten for a table cell, on a char boundary.
pub fn ellipsize(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        flat
    } else {
        let mut t: String = flat.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Shorten for a table cell by cutting the middle, so a path keeps its file name.
pub fn ellipsize_middle(s: &str, max: usize) -> String {
    let flat = ellipsize(s, usize::MAX);
    let n = flat.chars().count();
    if n <= max || max < 3 {
        return ellipsize(&flat, max);
    }
    // A third before the cut, the rest after: the end of a path names the file.
    let head = (max - 1) / 3;
    let tail = max - 1 - head;
    let mut t: String = flat.chars().take(head).collect();
    t.push('…');
    t.extend(flat.chars().skip(n - tail));
    t
}

/// Writes quote rows as table, JSONL or CSV.
pub struct QuoteWriter {
    format: Format,
    scored: bool,
    header_done: bool,
    array: JsonArray,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl QuoteWriter {
    /// A writer; `scored` adds the classification columns.
    pub fn new(format: Format, scored: bool) -> Self {
        QuoteWriter {
            format,
            scored,
            header_done: false,
            array: JsonArray::default(),
            out: stdout(),
        }
    }

    /// One quote of one article.
    pub fn write(
        &mut self,
        a: &stance::input::articles::Article,
        q: &stance::quotes::Quote,
        s: Option<&stance::score::Scored>,
    ) -> Result<()> {
        let out = &mut self.out;
        match self.format {
            Format::Jsonl | Format::Json => {
                let o = stance::score::quote_json(a, q, s);
                if self.format == Format::Json {
                    self.array.before_row(out)?;
                    write!(out, "{o}")?;
                } else {
                    writeln!(out, "{o}")?;
                }
            }
            Format::Csv => {
                self.header(s.is_some_and(|s| s.why.is_some()))?;
                let out = &mut self.out;
                write!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    csv_field(&a.id),
                    csv_field(a.date.as_deref().unwrap_or("")),
                    csv_field(&q.text),
                    csv_field(q.speaker.as_deref().unwrap_or("")),
                    csv_field(q.speaker_title.as_deref().unwrap_or("")),
                    q.start,
                    q.end,
                    q.partial,
                    q.kind.name()
                )?;
                if let Some(s) = s {
                    write!(
                        out,
                        ",{},{:.6},{},{:.6}",
                        csv_field(&s.stance),
                        s.stance_confidence,
                        csv_field(&s.sentiment),
                        s.sentiment_confidence
                    )?;
                    if let Some((st, se)) = &s.why {
                        write!(
                            out,
                            ",{},{}",
                            csv_field(&st.join(" | ")),
                            csv_field(&se.join(" | "))
                        )?;
                    }
                }
                writeln!(out)?;
            }
            Format::Table => {
                self.header(false)?;
                let out = &mut self.out;
                let art = ellipsize(
                    Path::new(&a.id)
                        .file_name()
                        .map_or(a.id.as_str(), |n| n.to_str().unwrap_or(&a.id)),
                    24,
                );
                let spk = ellipsize(q.speaker.as_deref().unwrap_or("(unknown)"), 24);
                let date = ellipsize(a.date.as_deref().unwrap_or("-"), 10);
                let title = ellipsize(q.speaker_title.as_deref().unwrap_or("-"), 20);
                let span = format!("{}-{}", q.start, q.end);
                let kind = q.kind.name();
                let text = ellipsize(&q.text, if self.scored { 60 } else { 80 });
                // The CSV's columns, narrowed: `partial` is in `kind`.
                write!(
                    out,
                    "{art:<24} {date:<10} {spk:<24} {title:<20} {span:<11} {kind:<7} "
                )?;
                match s {
                    Some(s) => {
                        writeln!(
                            out,
                            "{:<18} {:<18} {text}",
                            format!("{} {:.2}", ellipsize(&s.stance, 13), s.stance_confidence),
                            format!(
                                "{} {:.2}",
                                ellipsize(&s.sentiment, 13),
                                s.sentiment_confidence
                            ),
                        )?;
                        if let Some((st, se)) = &s.why {
                            writeln!(
                                out,
                                "{:<139} why: {} ({}); {} ({})",
                                "",
                                st.join(", "),
                                s.stance,
                                se.join(", "),
                                s.sentiment
                            )?;
                        }
                    }
                    None => writeln!(out, "{text}")?,
                }
            }
        }
        Ok(())
    }

    /// The CSV or table header, once; `explain` adds the n-gram columns to CSV.
    fn header(&mut self, explain: bool) -> Result<()> {
        if std::mem::replace(&mut self.header_done, true) {
            return Ok(());
        }
        let out = &mut self.out;
        match self.format {
            Format::Csv => {
                write!(
                    out,
                    "article,date,quote,speaker,speaker_title,start,end,partial,kind"
                )?;
                if self.scored {
                    write!(
                        out,
                        ",stance,stance_confidence,sentiment,sentiment_confidence"
                    )?;
                }
                if explain {
                    write!(out, ",stance_ngrams,sentiment_ngrams")?;
                }
                writeln!(out)?;
            }
            Format::Table => {
                write!(
                    out,
                    "{:<24} {:<10} {:<24} {:<20} {:<11} {:<7} ",
                    "article", "date", "speaker", "speaker_title", "start-end", "kind"
                )?;
                if self.scored {
                    write!(out, "{:<18} {:<18} ", "stance", "sentiment")?;
                }
                writeln!(out, "quote")?;
            }
            Format::Jsonl | Format::Json => {}
        }
        Ok(())
    }

    /// Close the JSON array, or write the header when there was no row; flush.
    pub fn finish(mut self, explain: bool) -> Result<()> {
        match self.format {
            Format::Json => self.array.finish(&mut self.out)?,
            Format::Csv | Format::Table => self.header(explain)?,
            Format::Jsonl => {}
        }
        self.out.flush()?;
        Ok(())
    }
}
