//! Reading labelled data (CSV with a header, or JSONL) and tables by column name, with the
//! file and line of every problem.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Longest text accepted in one field of a data file or one line of `predict` input (1 MiB).
/// Analysis holds about 50 bytes per token, so one unbounded text could take gigabytes;
/// no statement or article comes near this size.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

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
    /// Rows kept whose invalid UTF-8 or NUL bytes were replaced (with `lossy`).
    pub replaced: usize,
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
        crate::util::not_a_directory(Path::new(path))?;
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
    // The file's digest (training metadata) is computed beside the parse.
    let (sha256, parsed) = rayon::join(
        || hex(&Sha256::digest(bytes)),
        || parse_rows(path, bytes, opts),
    );
    let mut out = parsed?;
    out.sha256 = sha256;
    Ok(out)
}

/// [`parse_labelled`] without the file's digest.
fn parse_rows(path: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Labelled> {
    let mut out = Labelled {
        file: path.to_string(),
        ..Labelled::default()
    };
    check_not_utf16(path, bytes)?;
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

/// A UTF-16 file (e.g. saved as "Unicode" by a spreadsheet) decodes as invalid UTF-8 or
/// NUL bytes at every other position; say what it is instead.
/// A PDF, an archive or an image is named as such (no decoding would help).
fn check_not_utf16(path: &str, bytes: &[u8]) -> Result<()> {
    crate::util::check_text(path, bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))?;
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Error::BadRow {
            file: path.to_string(),
            line: 1,
            column: None,
            reason: "the file is UTF-16 (it starts with a UTF-16 byte-order mark); convert it to UTF-8, e.g. with `iconv -f UTF-16 -t UTF-8`".into(),
        });
    }
    Ok(())
}

/// Check a decoded field: no NUL bytes (replaced when `lossy`), at most [`MAX_TEXT_BYTES`].
fn check_field(path: &str, line: u64, column: &str, mut s: String, lossy: bool) -> Result<String> {
    let bad = |reason: String| Error::BadRow {
        file: path.to_string(),
        line,
        column: Some(column.to_string()),
        reason,
    };
    if s.len() > MAX_TEXT_BYTES {
        return Err(bad(format!(
            "column {column:?} holds {} bytes, over the {MAX_TEXT_BYTES}-byte limit for one text",
            s.len()
        )));
    }
    if let Some(at) = s.find('\0') {
        if !lossy {
            return Err(bad(format!(
                "NUL byte in column {column:?} at byte {at} of the field: a binary file, not text? (if it is text with a stray NUL byte, --lossy replaces it)"
            )));
        }
        s = s.replace('\0', "\u{FFFD}");
    }
    Ok(s)
}

/// A header name fit for a one-line message: control characters escaped, long names cut.
fn printable(s: &str) -> String {
    const MAX: usize = 40;
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The header's columns for an error message, at most 20 of them.
fn column_list(names: &[String]) -> String {
    let mut shown: Vec<String> = names.iter().take(20).map(|n| printable(n)).collect();
    if names.len() > 20 {
        shown.push(format!("… {} more", names.len() - 20));
    }
    shown.join(", ")
}

/// A JSON error for one JSONL line: serde's "at line 1 column N" would read as a line of
/// the file, so only the column is kept.
pub fn json_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let what = msg.split(" at line ").next().unwrap_or(&msg);
    format!("invalid JSON at column {}: {what}", e.column())
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Row {
    text: Option<String>,
    label: Option<String>,
    filter: Option<String>,
    /// Bytes of the row were invalid UTF-8 or NUL (replaced, or an error later).
    dirty: bool,
}

/// Whether `lossy` decoding would change these bytes.
fn dirty(raw: &[u8]) -> bool {
    raw.contains(&0) || std::str::from_utf8(raw).is_err()
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
    let dirty_row = row.as_ref().is_ok_and(|r| r.dirty);
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
        let text = check_field(path, line, &opts.text_column, text, opts.lossy)?;
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
        let label = check_field(path, line, &opts.label_column, label, opts.lossy)?;
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
            out.replaced += usize::from(dirty_row);
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
    let line_at = line_index(body);
    unterminated_quote(path, body, &line_at)?;
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
        found: column_list(&names),
    };
    let ti = find(&opts.text_column).ok_or_else(|| missing(&opts.text_column))?;
    let li = find(&opts.label_column).ok_or_else(|| missing(&opts.label_column))?;
    let fi = match &opts.filter {
        Some((col, _)) => Some(find(col).ok_or_else(|| missing(col))?),
        None => None,
    };
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
                dirty: [ti, li].iter().any(|&i| rec.get(i).is_some_and(dirty)),
            })
        })();
        accept(path, line, row, opts, out)?;
    }
    Ok(())
}

/// Find a quoted field that is never closed, or closed by a quote that text follows (an
/// undoubled quote inside it). csv accepts both silently and reads on into the next rows,
/// so a single stray quote can swallow the rest of the file. Quotes inside an unquoted
/// field are ordinary characters, as csv reads them.
fn unterminated_quote(path: &str, body: &[u8], line_at: &dyn Fn(u64) -> u64) -> Result<()> {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let separator = |b: u8| matches!(b, b',' | b'\n' | b'\r');
    let mut state = State::FieldStart;
    let mut open = 0;
    let mut i = 0;
    // Inside a field only a few bytes matter, so the scan jumps to the next of them.
    while i < body.len() {
        match state {
            State::Unquoted => match memchr::memchr3(b',', b'\n', b'\r', &body[i..]) {
                Some(k) => {
                    i += k + 1;
                    state = State::FieldStart;
                }
                None => break,
            },
            State::Quoted => match memchr::memchr(b'"', &body[i..]) {
                Some(k) => {
                    i += k + 1;
                    state = State::QuoteInQuoted;
                }
                None => break,
            },
            State::FieldStart => {
                state = match body[i] {
                    b'"' => {
                        open = i;
                        State::Quoted
                    }
                    b if separator(b) => State::FieldStart,
                    _ => State::Unquoted,
                };
                i += 1;
            }
            State::QuoteInQuoted => {
                state = match body[i] {
                    b'"' => State::Quoted,
                    b if separator(b) => State::FieldStart,
                    _ => {
                        return Err(Error::BadRow {
                            file: path.to_string(),
                            line: line_at(open as u64),
                            column: None,
                            reason: format!(
                                "malformed CSV: the quoted field opened at byte offset {open} is closed at line {} by a quote that text follows (a quote inside a quoted field must be doubled, or the field was never closed)",
                                line_at(i as u64 - 1)
                            ),
                        });
                    }
                };
                i += 1;
            }
        }
    }
    if state == State::Quoted {
        return Err(Error::BadRow {
            file: path.to_string(),
            line: line_at(open as u64),
            column: None,
            reason: format!(
                "malformed CSV: the quoted field opened at byte offset {open} is never closed"
            ),
        });
    }
    Ok(())
}

/// 1-based line of each byte offset, counting line ends as csv does: `\n`, `\r\n`, and a
/// lone `\r` (old Mac files, where every row would otherwise be "line 1"). csv's record
/// offsets point at the previous line end's last byte in CRLF files, hence `<=`.
fn line_index(body: &[u8]) -> impl Fn(u64) -> u64 {
    let ends: Vec<u64> = memchr::memchr2_iter(b'\n', b'\r', body)
        .filter(|&i| body[i] == b'\n' || body.get(i + 1) != Some(&b'\n'))
        .map(|i| i as u64)
        .collect();
    move |byte| ends.partition_point(|&n| n <= byte) as u64 + 1
}

/// A table read by column name.
#[derive(Debug, Clone)]
pub struct Table {
    /// Column names.
    pub headers: Vec<String>,
    /// Rows: 1-based line and fields (missing fields are empty).
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Column index by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }
}

/// Read a whole CSV file (path or `-`) into a [`Table`] by header name.
pub fn read_table(path: &str, lossy: bool) -> Result<Table> {
    let bytes = read_input(path)?;
    let t = parse_table(path, &bytes, lossy)?;
    if t.rows.is_empty() {
        return Err(Error::EmptyInput {
            file: path.to_string(),
            reason: "no data rows".into(),
        });
    }
    Ok(t)
}

/// Parse CSV bytes into a [`Table`]; `path` names the source in errors.
/// A header with no rows is a valid, empty table (a labelling file just created).
pub fn parse_table(path: &str, bytes: &[u8], lossy: bool) -> Result<Table> {
    check_not_utf16(path, bytes)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::EmptyInput {
            file: path.to_string(),
            reason: "the file is empty".into(),
        });
    }
    let line_at = line_index(body);
    unterminated_quote(path, body, &line_at)?;
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
            let field = decode(path, line, name, raw, lossy)?;
            fields.push(check_field(path, line, name, field, lossy)?);
        }
        rows.push((line, fields));
    }
    Ok(Table { headers, rows })
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
            let s = std::str::from_utf8(raw)
                .map(str::to_string)
                .or_else(|e| match opts.lossy {
                    true => Ok(String::from_utf8_lossy(raw).into_owned()),
                    false => Err(Error::BadRow {
                        file: path.to_string(),
                        line,
                        column: None,
                        reason: format!(
                            "invalid UTF-8 at byte {} of the line (use --lossy to replace bad bytes)",
                            e.valid_up_to()
                        ),
                    }),
                })?;
            let v: serde_json::Value = serde_json::from_str(&s).map_err(|e| Error::BadRow {
                file: path.to_string(),
                line,
                column: None,
                reason: json_reason(&e),
            })?;
            let get = |k: &str| -> Option<String> {
                match v.get(k)? {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Null => None,
                    other => Some(other.to_string()),
                }
            };
            let text = get(&opts.text_column);
            let label = get(&opts.label_column);
            let nul = |f: &Option<String>| f.as_ref().is_some_and(|t| t.contains('\0'));
            Ok(Row {
                dirty: std::str::from_utf8(raw).is_err() || nul(&text) || nul(&label),
                text,
                label,
                filter: opts.filter.as_ref().and_then(|(c, _)| get(c)),
            })
        })();
        accept(path, line, row, opts, out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
