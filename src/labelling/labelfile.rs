//! A labelled CSV dataset that grows one row at a time and never loses a row.
//!
//! Each new row is one complete CSV record written by a single `write` at the end of the
//! file and fsynced before the next answer is taken, so a crash leaves every earlier row in
//! place. On opening, a last record cut short by a crash (no line end and an unclosed quote
//! or too few fields) is removed and reported; a complete last record without a line end
//! gets one. Undo rewrites the file without its last row through a temp file and a rename.
//! Rows are matched to texts by [`normalized_text`], so a text already in the file is known
//! as labelled whatever its case, spacing or punctuation.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::labelling::checks::normalized_text;

/// A repair made when opening a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// The last record was cut short by an interrupted write and was removed.
    DroppedTornRow {
        /// 1-based line where it started.
        line: u64,
        /// Its bytes, as text (lossy), so nothing disappears unseen.
        content: String,
    },
    /// The last record was complete but had no line end; one was added.
    AddedLineEnd {
        /// 1-based line of that record.
        line: u64,
    },
    /// Whitespace after the last line end was removed.
    TrimmedTrailingWhitespace,
}

impl std::fmt::Display for Repair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Repair::DroppedTornRow { line, content } => write!(
                f,
                "removed an incomplete row at line {line} left by an interrupted write: {content:?}"
            ),
            Repair::AddedLineEnd { line } => {
                write!(f, "added the missing line end to the row at line {line}")
            }
            Repair::TrimmedTrailingWhitespace => {
                write!(f, "removed whitespace after the last row")
            }
        }
    }
}

/// What the end of a CSV file looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tail {
    /// Ends with a line end outside quotes.
    Clean,
    /// Bytes after the last line end: `start` is their offset, `torn` whether they are an
    /// incomplete record (unclosed quote or fewer fields than the header).
    Partial { start: usize, torn: bool },
}

/// Examine the end of CSV `bytes` (BOM already removed).
fn tail(bytes: &[u8]) -> Tail {
    let mut in_quotes = false;
    let mut last_end = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => last_end = Some(i),
            _ => {}
        }
    }
    let start = last_end.map_or(0, |i| i + 1);
    if start == bytes.len() {
        return Tail::Clean;
    }
    let fields = |b: &[u8]| -> usize {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(b);
        let mut rec = csv::ByteRecord::new();
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => rec.len(),
            _ => 0,
        }
    };
    let torn = in_quotes || (start > 0 && fields(&bytes[start..]) < fields(bytes));
    Tail::Partial { start, torn }
}

/// A labelled CSV file opened for appending.
#[derive(Debug)]
pub struct LabelFile {
    path: PathBuf,
    headers: Vec<String>,
    labelled: HashSet<String>,
    rows: usize,
    /// Rows appended by this process, oldest first: (offset, bytes).
    session: Vec<(u64, Vec<u8>)>,
}

impl LabelFile {
    /// Open `path`, creating it with `new_headers` if it does not exist, repairing a record
    /// left incomplete by a crash. Every column of `required` must be in the header.
    pub fn open(
        path: &Path,
        new_headers: &[&str],
        required: &[&str],
    ) -> Result<(LabelFile, Option<Repair>)> {
        if !path.exists() {
            let mut line = Vec::new();
            let mut w = csv::Writer::from_writer(&mut line);
            w.write_record(new_headers).map_err(|e| csv_io(path, e))?;
            w.flush().map_err(|e| Error::io(path, e))?;
            drop(w);
            crate::util::write_atomic(path, &line, false)?;
        }
        let mut bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let name = path.display().to_string();
        if bytes[bom..].iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::EmptyInput {
                file: name,
                reason: "the file is empty (no header); remove it or add a header".into(),
            });
        }
        let line_of = |b: &[u8], at: usize| b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
        let repair = match tail(&bytes[bom..]) {
            Tail::Clean => None,
            Tail::Partial { start, torn } => {
                let start = start + bom;
                let rest = &bytes[start..];
                let line = line_of(&bytes, start) as u64;
                let repair = if rest.iter().all(|b| b.is_ascii_whitespace()) {
                    bytes.truncate(start);
                    Repair::TrimmedTrailingWhitespace
                } else if torn {
                    let content = String::from_utf8_lossy(rest).into_owned();
                    bytes.truncate(start);
                    Repair::DroppedTornRow { line, content }
                } else {
                    bytes.push(b'\n');
                    Repair::AddedLineEnd { line }
                };
                crate::util::write_atomic(path, &bytes, true)?;
                Some(repair)
            }
        };
        let table = crate::input::labelled::parse_table(&name, &bytes, false)?;
        for col in required {
            if table.column(col).is_none() {
                return Err(Error::MissingColumn {
                    file: name,
                    column: col.to_string(),
                    found: table.headers.join(", "),
                });
            }
        }
        let mut labelled = HashSet::new();
        if let Some(t) = table.column("text") {
            for (_, row) in &table.rows {
                if let Some(text) = row.get(t) {
                    labelled.insert(normalized_text(text));
                }
            }
        }
        Ok((
            LabelFile {
                path: path.to_path_buf(),
                headers: table.headers,
                labelled,
                rows: table.rows.len(),
                session: Vec::new(),
            },
            repair,
        ))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header's columns.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Data rows in the file.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Rows appended by this process and not undone.
    pub fn appended(&self) -> usize {
        self.session.len()
    }

    /// The normalised texts of the file's rows, in no particular order.
    pub fn labelled_texts(&self) -> impl Iterator<Item = &str> {
        self.labelled.iter().map(String::as_str)
    }

    /// Whether a row with this text (normalised) is in the file.
    pub fn contains(&self, text: &str) -> bool {
        self.labelled.contains(&normalized_text(text))
    }

    /// The CSV record for `values` (column name, value) in the header's column order;
    /// columns not given are left empty, values for columns the file lacks are dropped.
    fn record(&self, values: &[(&str, &str)]) -> Result<Vec<u8>> {
        let fields: Vec<&str> = self
            .headers
            .iter()
            .map(|h| values.iter().find(|(k, _)| k == h).map_or("", |(_, v)| *v))
            .collect();
        let mut line = Vec::new();
        let mut w = csv::Writer::from_writer(&mut line);
        w.write_record(&fields).map_err(|e| csv_io(&self.path, e))?;
        w.flush().map_err(|e| Error::io(&self.path, e))?;
        drop(w);
        Ok(line)
    }

    /// Append one row, durably: one write of the whole record, then fsync. `values` holds
    /// (column, value) pairs and must include `text`.
    pub fn append(&mut self, values: &[(&str, &str)]) -> Result<()> {
        let line = self.record(values)?;
        let io = |e| Error::io(&self.path, e);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        let offset = f.metadata().map_err(io)?.len();
        f.write_all(&line).map_err(io)?;
        f.sync_data().map_err(io)?;
        if let Some((_, text)) = values.iter().find(|(k, _)| *k == "text") {
            self.labelled.insert(normalized_text(text));
        }
        self.rows += 1;
        self.session.push((offset, line));
        Ok(())
    }

    /// Remove the last row this process appended (temp file + rename), returning its values
    /// by column, or `None` when there is nothing to undo. Refuses when the file no longer
    /// ends with that row (someone else wrote to it).
    pub fn undo(&mut self) -> Result<Option<Vec<(String, String)>>> {
        let Some((offset, line)) = self.session.last() else {
            return Ok(None);
        };
        let bytes = std::fs::read(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let at = *offset as usize;
        if bytes.len() != at + line.len() || &bytes[at..] != line.as_slice() {
            return Err(Error::io(
                &self.path,
                std::io::Error::other(
                    "the file changed since its last row was written; not undoing",
                ),
            ));
        }
        crate::util::write_atomic(&self.path, &bytes[..at], true)?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_slice());
        let mut rec = csv::StringRecord::new();
        let values: Vec<(String, String)> = match rdr.read_record(&mut rec) {
            Ok(true) => self
                .headers
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if let Some((_, text)) = values.iter().find(|(k, _)| k == "text") {
            self.labelled.remove(&normalized_text(text));
        }
        self.session.pop();
        self.rows -= 1;
        Ok(Some(values))
    }
}

/// A stable row id for a text: `l` and the first 12 hex digits of the SHA-256 of its
/// normalised form, so the same text gets the same id in every session.
pub fn row_id(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(normalized_text(text).as_bytes());
    format!("l{}", crate::input::labelled::hex(&d[..6]))
}

fn csv_io(path: &Path, e: csv::Error) -> Error {
    Error::io(path, std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("stance-labelfile-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn tail_tells_clean_torn_and_unterminated_records_apart() {
        assert_eq!(tail(b"a,b\n1,2\n"), Tail::Clean);
        // An unclosed quote: cut inside a field.
        assert_eq!(
            tail(b"a,b\n1,\"two\nlines"),
            Tail::Partial {
                start: 4,
                torn: true
            }
        );
        // Fewer fields than the header.
        assert_eq!(
            tail(b"a,b,c\n1,2"),
            Tail::Partial {
                start: 6,
                torn: true
            }
        );
        // A whole record without its line end.
        assert_eq!(
            tail(b"a,b\n1,2"),
            Tail::Partial {
                start: 4,
                torn: false
            }
        );
        // Line ends inside quotes are not record ends.
        assert_eq!(tail(b"a,b\n\"x\ny\",2\n"), Tail::Clean);
    }

    #[test]
    fn creates_with_header_appends_and_finds_texts_normalised() {
        let d = dir("append");
        let p = d.join("l.csv");
        let (mut f, repair) =
            LabelFile::open(&p, &["text", "stance", "source"], &["text"]).unwrap();
        assert!(repair.is_none());
        assert_eq!(f.rows(), 0);
        f.append(&[
            ("text", "We will, respond \"now\"."),
            ("stance", "threatening"),
            ("sentiment", "negative"),
        ])
        .unwrap();
        assert!(f.contains("we will respond now"));
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "text,stance,source\n\"We will, respond \"\"now\"\".\",threatening,\n"
        );
        let (again, _) = LabelFile::open(&p, &[], &["text", "stance"]).unwrap();
        assert_eq!(again.rows(), 1);
        assert!(again.contains("WE WILL RESPOND NOW!"));
        assert!(matches!(
            LabelFile::open(&p, &[], &["sentiment"]),
            Err(Error::MissingColumn { .. })
        ));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_torn_last_row_is_removed_and_reported_and_earlier_rows_kept() {
        let d = dir("torn");
        let p = d.join("l.csv");
        std::fs::write(&p, "text,stance\nfirst,neutral\n\"second, cut").unwrap();
        let (f, repair) = LabelFile::open(&p, &[], &["text"]).unwrap();
        assert_eq!(
            repair,
            Some(Repair::DroppedTornRow {
                line: 3,
                content: "\"second, cut".into()
            })
        );
        assert_eq!(f.rows(), 1);
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "text,stance\nfirst,neutral\n"
        );
        std::fs::write(&p, "text,stance\nfirst,neutral").unwrap();
        let (f, repair) = LabelFile::open(&p, &[], &["text"]).unwrap();
        assert_eq!(repair, Some(Repair::AddedLineEnd { line: 2 }));
        assert_eq!(f.rows(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn undo_removes_only_this_sessions_rows_newest_first() {
        let d = dir("undo");
        let p = d.join("l.csv");
        std::fs::write(&p, "text,stance\nold,neutral\n").unwrap();
        let (mut f, _) = LabelFile::open(&p, &[], &["text"]).unwrap();
        f.append(&[("text", "one"), ("stance", "threatening")])
            .unwrap();
        f.append(&[("text", "two"), ("stance", "conciliatory")])
            .unwrap();
        let v = f.undo().unwrap().unwrap();
        assert_eq!(
            v,
            [
                ("text".to_string(), "two".to_string()),
                ("stance".to_string(), "conciliatory".to_string())
            ]
        );
        assert!(!f.contains("two") && f.contains("one"));
        assert!(f.undo().unwrap().is_some());
        assert!(f.undo().unwrap().is_none());
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "text,stance\nold,neutral\n"
        );
        assert_eq!(f.rows(), 1);
        // A file changed behind our back is not cut.
        f.append(&[("text", "three")]).unwrap();
        let mut other = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        other.write_all(b"foreign,neutral\n").unwrap();
        assert!(f.undo().is_err());
        assert!(std::fs::read_to_string(&p)
            .unwrap()
            .ends_with("foreign,neutral\n"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
