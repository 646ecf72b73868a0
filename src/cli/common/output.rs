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

/// A CSV writer in the one dialect `stance` writes, by the csv crate: a field is quoted
/// only when it holds a comma, a quote, CR or LF (its quotes doubled), and rows end in `\n`.
pub fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out)
}

/// A CSV writer's error as an I/O error. The csv crate's error names no source, so a closed
/// stdout inside it would not be found as `BrokenPipe` (which exits 0): it is unwrapped.
pub fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        // Writing, the only other error is a row of the wrong width: a bug here.
        other => std::io::Error::other(format!("writing CSV: {other:?}")),
    }
}

/// One CSV row to `out`, through a [`csv_writer`] of its own: for outputs that other
/// writers share (a header written elsewhere, the table and JSON writers).
pub fn write_csv_row<T: AsRef<[u8]>>(
    out: &mut impl Write,
    fields: impl IntoIterator<Item = T>,
) -> std::io::Result<()> {
    let mut w = csv_writer(out);
    w.write_record(fields).map_err(csv_io)?;
    w.flush()
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
    /// The CSV row being written, its buffers kept from row to row.
    record: csv::ByteRecord,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

/// The CSV columns of a quote, before any classification.
const QUOTE_COLUMNS: [&str; 9] = [
    "article",
    "date",
    "quote",
    "speaker",
    "speaker_title",
    "start",
    "end",
    "partial",
    "kind",
];

impl QuoteWriter {
    /// A writer; `scored` adds the classification columns.
    pub fn new(format: Format, scored: bool) -> Self {
        QuoteWriter {
            format,
            scored,
            header_done: false,
            array: JsonArray::default(),
            record: csv::ByteRecord::new(),
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
            Format::Csv => self.write_csv(a, q, s)?,
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

    /// One quote as a CSV row.
    fn write_csv(
        &mut self,
        a: &stance::input::articles::Article,
        q: &stance::quotes::Quote,
        s: Option<&stance::score::Scored>,
    ) -> Result<()> {
        self.header(s.is_some_and(|s| s.why.is_some()))?;
        let r = &mut self.record;
        r.clear();
        r.push_field(a.id.as_bytes());
        r.push_field(a.date.as_deref().unwrap_or("").as_bytes());
        r.push_field(q.text.as_bytes());
        r.push_field(q.speaker.as_deref().unwrap_or("").as_bytes());
        r.push_field(q.speaker_title.as_deref().unwrap_or("").as_bytes());
        r.push_field(q.start.to_string().as_bytes());
        r.push_field(q.end.to_string().as_bytes());
        r.push_field(if q.partial { b"true" } else { b"false" });
        r.push_field(q.kind.name().as_bytes());
        if let Some(s) = s {
            r.push_field(s.stance.as_bytes());
            r.push_field(format!("{:.6}", s.stance_confidence).as_bytes());
            r.push_field(s.sentiment.as_bytes());
            r.push_field(format!("{:.6}", s.sentiment_confidence).as_bytes());
            if let Some((st, se)) = &s.why {
                r.push_field(st.join(" | ").as_bytes());
                r.push_field(se.join(" | ").as_bytes());
            }
        }
        write_csv_row(&mut self.out, &self.record)?;
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
                let scored = [
                    "stance",
                    "stance_confidence",
                    "sentiment",
                    "sentiment_confidence",
                ];
                let explained = ["stance_ngrams", "sentiment_ngrams"];
                let heads = QUOTE_COLUMNS
                    .iter()
                    .chain(scored.iter().filter(|_| self.scored))
                    .chain(explained.iter().filter(|_| explain));
                write_csv_row(out, heads)?;
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
