//! Reading labelled data (CSV with a header, or JSONL) and plain lines of text, with the
//! file and line of every problem.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// Where and how to read a labelled file.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Column (CSV header name or JSON key) holding the text.
    pub text_column: String,
    /// Column holding the label.
    pub label_column: String,
    /// Keep only rows whose `.0` column equals `.1` (e.g. `split` = `train`).
    pub filter: Option<(String, String)>,
    /// Skip and count bad rows instead of failing on the first.
    pub skip_bad_rows: bool,
    /// Replace invalid UTF-8 with U+FFFD instead of failing.
    pub lossy: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            text_column: "text".into(),
            label_column: "label".into(),
            filter: None,
            skip_bad_rows: false,
            lossy: false,
        }
    }
}

/// Labelled rows read from one file.
#[derive(Debug, Clone, Default)]
pub struct Labelled {
    /// The file as named by the user (`-` for stdin).
    pub file: String,
    /// Texts.
    pub texts: Vec<String>,
    /// Labels, parallel to `texts`.
    pub labels: Vec<String>,
    /// 1-based line where each row starts.
    pub lines: Vec<u64>,
    /// Rows skipped with `skip_bad_rows`: (line, reason).
    pub skipped: Vec<(u64, String)>,
    /// Rows dropped by the filter.
    pub filtered_out: usize,
    /// SHA-256 of the input bytes (hex).
    pub sha256: String,
}

/// Read the whole input (a path, or `-` for stdin) as bytes.
pub fn read_input(path: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("<stdin>", e))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    }
    Ok(bytes)
}

fn is_jsonl(path: &str, bytes: &[u8]) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
        return true;
    }
    if lower.ends_with(".csv") || lower.ends_with(".tsv") {
        return false;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Read a labelled CSV or JSONL file (chosen by extension, or by content for stdin).
pub fn read_labelled(path: &str, opts: &ReadOptions) -> Result<Labelled> {
    let bytes = read_input(path)?;
    parse_labelled(path, &bytes, opts)
}

/// Parse labelled bytes; `path` names the source in errors.
pub fn parse_labelled(path: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Labelled> {
    use sha2::{Digest, Sha256};
    let mut out = Labelled {
        file: path.to_string(),
        sha256: hex(&Sha256::digest(bytes)),
        ..Labelled::default()
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::EmptyInput {
            file: path.to_string(),
            reason: "the file is empty".into(),
        });
    }
    if is_jsonl(path, bytes) {
        parse_jsonl(path, bytes, opts, &mut out)?;
    } else {
        parse_csv(path, bytes, opts, &mut out)?;
    }
    if out.texts.is_empty() {
        return Err(Error::EmptyInput {
            file: path.to_string(),
            reason: if out.filtered_out > 0 {
                format!(
                    "no rows left after the filter ({} filtered out)",
                    out.filtered_out
                )
            } else {
                "no data rows".into()
            },
        });
    }
    Ok(out)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Row {
    text: Option<String>,
    label: Option<String>,
    filter: Option<String>,
}

fn accept(
    path: &str,
    line: u64,
    row: Result<Row>,
    opts: &ReadOptions,
    out: &mut Labelled,
) -> Result<()> {
    let bad = |column: &str, reason: String| Error::BadRow {
        file: path.to_string(),
        line,
        column: Some(column.to_string()),
        reason,
    };
    let checked = row.and_then(|r| {
        if let Some((col, want)) = &opts.filter {
            match &r.filter {
                Some(v) if v.trim() == want => {}
                Some(_) => return Ok(None),
                None => return Err(bad(col, format!("missing column {col:?}"))),
            }
        }
        let text = r.text.ok_or_else(|| {
            bad(
                &opts.text_column,
                format!("missing column {:?}", opts.text_column),
            )
        })?;
        if text.trim().is_empty() {
            return Err(bad(
                &opts.text_column,
                format!("empty text in column {:?}", opts.text_column),
            ));
        }
        let label = r.label.ok_or_else(|| {
            bad(
                &opts.label_column,
                format!("missing column {:?}", opts.label_column),
            )
        })?;
        let label = label.trim().to_string();
        if label.is_empty() {
            return Err(bad(
                &opts.label_column,
                format!("empty label in column {:?}", opts.label_column),
            ));
        }
        Ok(Some((text, label)))
    });
    match checked {
        Ok(Some((t, l))) => {
            out.texts.push(t);
            out.labels.push(l);
            out.lines.push(line);
        }
        Ok(None) => out.filtered_out += 1,
        Err(e) if opts.skip_bad_rows => out.skipped.push((line, e.to_string())),
        Err(e) => return Err(e),
    }
    Ok(())
}

fn decode(path: &str, line: u64, column: &str, raw: &[u8], lossy: bool) -> Result<String> {
    match std::str::from_utf8(raw) {
        Ok(s) => Ok(s.to_string()),
        Err(_) if lossy => Ok(String::from_utf8_lossy(raw).into_owned()),
        Err(e) => Err(Error::BadRow {
            file: path.to_string(),
            line,
            column: Some(column.to_string()),
            reason: format!(
                "invalid UTF-8 in column {column:?} at byte {} of the field (use --lossy to replace bad bytes)",
                e.valid_up_to()
            ),
        }),
    }
}

fn parse_csv(path: &str, bytes: &[u8], opts: &ReadOptions, out: &mut Labelled) -> Result<()> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let headers = rdr.byte_headers().map_err(|e| csv_error(path, e))?.clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let find = |col: &str| names.iter().position(|n| n == col);
    let missing = |col: &str| Error::MissingColumn {
        file: path.to_string(),
        column: col.to_string(),
        found: names.join(", "),
    };
    let ti = find(&opts.text_column).ok_or_else(|| missing(&opts.text_column))?;
    let li = find(&opts.label_column).ok_or_else(|| missing(&opts.label_column))?;
    let fi = match &opts.filter {
        Some((col, _)) => Some(find(col).ok_or_else(|| missing(col))?),
        None => None,
    };
    let line_at = line_finder(body);
    check_quotes_balanced(path, body, &line_at)?;
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let err = csv_error(path, e);
                if opts.skip_bad_rows {
                    let line = rec.position().map_or(0, |p| line_at(p.byte()));
                    out.skipped.push((line, err.to_string()));
                    continue;
                }
                return Err(err);
            }
        }
        // csv counts lines from 0 for the record after the header; users count from 1.
        let line = rec.position().map_or(0, |p| line_at(p.byte()));
        let field = |i: usize, name: &str| -> Result<Option<String>> {
            rec.get(i)
                .map(|raw| decode(path, line, name, raw, opts.lossy))
                .transpose()
        };
        let row = (|| {
            Ok(Row {
                text: field(ti, &opts.text_column)?,
                label: field(li, &opts.label_column)?,
                filter: match (fi, &opts.filter) {
                    (Some(i), Some((name, _))) => field(i, name)?,
                    _ => None,
                },
            })
        })();
        accept(path, line, row, opts, out)?;
    }
    Ok(())
}

/// Maps a record's byte offset to its 1-based line. Line numbers come from byte offsets:
/// csv's line counter and record offsets are one short in CRLF files (they point at the
/// previous terminator's LF), hence `<=`.
fn line_finder(body: &[u8]) -> impl Fn(u64) -> u64 {
    let newlines: Vec<usize> = body
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i)
        .collect();
    move |byte: u64| newlines.partition_point(|&n| (n as u64) <= byte) as u64 + 1
}

fn check_quotes_balanced(path: &str, body: &[u8], line_at: &dyn Fn(u64) -> u64) -> Result<()> {
    if body.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
        return Err(unterminated_quote(path, body, line_at));
    }
    Ok(())
}

/// An odd number of `"` means a quoted field never closes, and csv would silently read the
/// rest of the file into it. Name the record where the imbalance starts.
fn unterminated_quote(path: &str, body: &[u8], line_at: &dyn Fn(u64) -> u64) -> Error {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(body);
    let mut starts = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while let Ok(true) = rdr.read_byte_record(&mut rec) {
        starts.push(rec.position().map_or(0, |p| p.byte()) as usize);
    }
    starts.push(body.len());
    let mut at = starts[0];
    for w in starts.windows(2) {
        let raw = &body[w[0].min(body.len())..w[1].min(body.len())];
        if raw.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            at = w[0];
            break;
        }
    }
    Error::BadRow {
        file: path.to_string(),
        line: line_at(at as u64),
        column: None,
        reason: "malformed CSV: a quoted field starting here is never closed".into(),
    }
}

/// Read a whole CSV file (path or `-`) into a [`crate::dataset::Table`] by header name.
pub fn read_table(path: &str, lossy: bool) -> Result<crate::dataset::Table> {
    let bytes = read_input(path)?;
    parse_table(path, &bytes, lossy)
}

/// Parse CSV bytes into a [`crate::dataset::Table`]; `path` names the source in errors.
pub fn parse_table(path: &str, bytes: &[u8], lossy: bool) -> Result<crate::dataset::Table> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::EmptyInput {
            file: path.to_string(),
            reason: "the file is empty".into(),
        });
    }
    let line_at = line_finder(body);
    check_quotes_balanced(path, body, &line_at)?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let headers: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let mut rows = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while rdr
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(path, e))?
    {
        let line = rec.position().map_or(0, |p| line_at(p.byte()));
        let mut fields = Vec::with_capacity(headers.len());
        for (i, raw) in rec.iter().enumerate() {
            let name = headers.get(i).map_or("?", |s| s.as_str());
            fields.push(decode(path, line, name, raw, lossy)?);
        }
        rows.push((line, fields));
    }
    Ok(crate::dataset::Table { headers, rows })
}

fn csv_error(path: &str, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    Error::BadRow {
        file: path.to_string(),
        line,
        column: None,
        reason: format!("malformed CSV: {e}"),
    }
}

fn parse_jsonl(path: &str, bytes: &[u8], opts: &ReadOptions, out: &mut Labelled) -> Result<()> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let row = (|| {
            let s = decode(path, line, "line", raw, opts.lossy)?;
            let v: serde_json::Value = serde_json::from_str(&s).map_err(|e| Error::BadRow {
                file: path.to_string(),
                line,
                column: None,
                reason: format!("invalid JSON: {e}"),
            })?;
            let get = |k: &str| -> Option<String> {
                match v.get(k)? {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Null => None,
                    other => Some(other.to_string()),
                }
            };
            Ok(Row {
                text: get(&opts.text_column),
                label: get(&opts.label_column),
                filter: opts.filter.as_ref().and_then(|(c, _)| get(c)),
            })
        })();
        accept(path, line, row, opts, out)?;
    }
    Ok(())
}

/// Reads one text per line from a file or stdin, streaming, with CRLF and a leading BOM
/// removed. Invalid UTF-8 is an error naming the line and byte offset, or replaced when
/// `lossy` (then counted in `replaced`).
pub struct LineReader {
    name: String,
    inner: Box<dyn BufRead>,
    line: u64,
    offset: u64,
    lossy: bool,
    /// Lines in which invalid bytes were replaced.
    pub replaced: u64,
    buf: Vec<u8>,
}

impl LineReader {
    /// Open a path, or stdin for `-`.
    pub fn open(path: &str, lossy: bool) -> Result<LineReader> {
        let inner: Box<dyn BufRead> = if path == "-" {
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
        } else {
            let f = std::fs::File::open(Path::new(path)).map_err(|e| Error::io(path, e))?;
            Box::new(BufReader::with_capacity(1 << 16, f))
        };
        Ok(LineReader {
            name: path.to_string(),
            inner,
            line: 0,
            offset: 0,
            lossy,
            replaced: 0,
            buf: Vec::new(),
        })
    }

    /// The input's name as given (`-` for stdin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// 1-based number of the line last read (0 before the first).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next line, or `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<String>> {
        self.buf.clear();
        let n = self
            .inner
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| Error::io(&self.name, e))?;
        if n == 0 {
            return Ok(None);
        }
        let start = self.offset;
        self.offset += n as u64;
        self.line += 1;
        let mut b: &[u8] = &self.buf;
        if self.line == 1 {
            b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
        }
        let b = b.strip_suffix(b"\n").unwrap_or(b);
        let b = b.strip_suffix(b"\r").unwrap_or(b);
        match std::str::from_utf8(b) {
            Ok(s) => Ok(Some(s.to_string())),
            Err(_) if self.lossy => {
                self.replaced += 1;
                Ok(Some(String::from_utf8_lossy(b).into_owned()))
            }
            Err(e) => {
                let skipped_bom = if self.line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
                    3
                } else {
                    0
                };
                Err(Error::InvalidUtf8 {
                    file: self.name.clone(),
                    line: self.line,
                    offset: start + skipped_bom + e.valid_up_to() as u64,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ReadOptions {
        ReadOptions::default()
    }

    #[test]
    fn csv_with_bom_crlf_and_multiline_quoted_fields() {
        let data =
            b"\xEF\xBB\xBFtext,label\r\n\"we will, respond\",threat\r\n\"two\nlines\",calm\r\n";
        let d = parse_labelled("x.csv", data, &opts()).unwrap();
        assert_eq!(d.texts, ["we will, respond", "two\nlines"]);
        assert_eq!(d.labels, ["threat", "calm"]);
        assert_eq!(d.lines, [2, 3]);
    }

    #[test]
    fn missing_column_names_the_file_and_the_columns() {
        let e = parse_labelled("x.csv", b"body,label\nhi,a\n", &opts()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("x.csv") && msg.contains("\"text\"") && msg.contains("body"),
            "{msg}"
        );
    }

    #[test]
    fn empty_label_is_reported_with_its_line_or_skipped() {
        let data = b"text,label\nok,a\nbad,\nfine,b\n";
        let e = parse_labelled("d.csv", data, &opts()).unwrap_err();
        assert_eq!(e.to_string(), "d.csv:3: empty label in column \"label\"");
        let d = parse_labelled(
            "d.csv",
            data,
            &ReadOptions {
                skip_bad_rows: true,
                ..opts()
            },
        )
        .unwrap();
        assert_eq!(d.texts, ["ok", "fine"]);
        assert_eq!(d.skipped.len(), 1);
    }

    #[test]
    fn invalid_utf8_names_line_and_column_unless_lossy() {
        let data = b"text,label\nab\xFFcd,a\n";
        let e = parse_labelled("u.csv", data, &opts()).unwrap_err();
        assert!(e.to_string().starts_with("u.csv:2:"), "{e}");
        let d = parse_labelled(
            "u.csv",
            data,
            &ReadOptions {
                lossy: true,
                ..opts()
            },
        )
        .unwrap();
        assert_eq!(d.texts, ["ab\u{FFFD}cd"]);
    }

    #[test]
    fn jsonl_rows_and_filter() {
        let data = b"{\"text\":\"a\",\"label\":\"x\",\"split\":\"train\"}\n\n{\"text\":\"b\",\"label\":1,\"split\":\"test\"}\n";
        let d = parse_labelled(
            "d.jsonl",
            data,
            &ReadOptions {
                filter: Some(("split".into(), "test".into())),
                ..opts()
            },
        )
        .unwrap();
        assert_eq!(d.texts, ["b"]);
        assert_eq!(d.labels, ["1"]);
        assert_eq!(d.lines, [3]);
        assert_eq!(d.filtered_out, 1);
    }

    #[test]
    fn header_only_and_empty_files_are_empty_input() {
        assert!(matches!(
            parse_labelled("h.csv", b"text,label\n", &opts()),
            Err(Error::EmptyInput { .. })
        ));
        assert!(matches!(
            parse_labelled("e.csv", b"", &opts()),
            Err(Error::EmptyInput { .. })
        ));
    }
}
