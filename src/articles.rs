//! Article input: files, directories (recursive, `*.txt` and `*.jsonl`) and stdin, read one
//! article at a time so memory stays flat over any number of articles.
//!
//! Plain text may start with a `date YYYY-MM-DD` line or prefix. JSONL has one article per
//! line with `id`, `text` and optional `date`, `title`, `url`.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Largest article accepted, in bytes (a longer one is refused with a message, and the
/// rest of the input goes on).
pub const MAX_ARTICLE_BYTES: usize = 16 << 20;

/// One article.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Identifier: the JSONL `id`, else the file path (with `:LINE` for JSONL lines
    /// without an id).
    pub id: String,
    /// The file it came from (`-` for stdin).
    pub source: String,
    /// Publication date, from the JSONL `date` or the `date YYYY-MM-DD` prefix.
    pub date: Option<String>,
    /// Title, from JSONL.
    pub title: Option<String>,
    /// URL, from JSONL.
    pub url: Option<String>,
    /// The article text as read (prefix included); quote offsets index into it.
    pub text: String,
    /// Chars of `text` before the body (the date prefix), skipped by extraction.
    pub body_start: usize,
}

impl Article {
    /// The body: the text after any date prefix.
    pub fn body(&self) -> &str {
        let byte = self
            .text
            .char_indices()
            .nth(self.body_start)
            .map_or(self.text.len(), |(i, _)| i);
        &self.text[byte..]
    }

    /// An article from plain text, recognising a leading date prefix.
    pub fn from_text(id: String, source: String, text: String) -> Article {
        let body = crate::quotes::strip_date_prefix(&text);
        let prefix = &text[..text.len() - body.len()];
        let date = prefix
            .split_whitespace()
            .nth(1)
            .map(|d| d.chars().take(10).collect::<String>());
        let body_start = prefix.chars().count();
        Article {
            id,
            source,
            date,
            title: None,
            url: None,
            text,
            body_start,
        }
    }
}

/// Expand paths: `-` is stdin, a directory is walked recursively for `*.txt` and `*.jsonl`
/// (sorted, so the order is stable), a file is taken as it is. No paths means stdin.
/// Directory entries that cannot be listed are returned as errors beside the paths.
pub fn expand(paths: &[String]) -> (Vec<String>, Vec<Error>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if paths.is_empty() {
        out.push("-".to_string());
    }
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        let path = Path::new(p);
        if p != "-" && path.is_dir() {
            walk(path, &mut out, &mut errors, &mut seen);
        } else {
            out.push(p.clone());
        }
    }
    (out, errors)
}

/// `seen` holds the directories walked, resolved: a symbolic link back up the tree (or to
/// a directory already walked) is skipped, where following it would repeat articles, and
/// two such links would double the walk at every level.
fn walk(dir: &Path, out: &mut Vec<String>, errors: &mut Vec<Error>, seen: &mut HashSet<PathBuf>) {
    match std::fs::canonicalize(dir) {
        Ok(real) => {
            if !seen.insert(real) {
                return;
            }
        }
        Err(e) => {
            errors.push(Error::io(dir, e));
            return;
        }
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(Error::io(dir, e));
            return;
        }
    };
    let mut items: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    items.sort();
    for p in items {
        if p.is_dir() {
            walk(&p, out, errors, seen);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("txt") | Some("jsonl")
        ) {
            out.push(p.to_string_lossy().into_owned());
        }
    }
}

/// Reads the articles of a list of sources one at a time. Errors are per file (or per
/// JSONL line): the caller reports them and goes on.
pub struct ArticleReader {
    sources: std::vec::IntoIter<String>,
    jsonl: Option<JsonlSource>,
    lossy: bool,
}

/// A JSONL source being read: its name, the reader, the last line read and the byte
/// offset of the next.
struct JsonlSource {
    name: String,
    reader: Box<dyn BufRead>,
    line: u64,
    offset: u64,
}

impl ArticleReader {
    /// Over expanded sources.
    pub fn new(sources: Vec<String>, lossy: bool) -> Self {
        ArticleReader {
            sources: sources.into_iter(),
            jsonl: None,
            lossy,
        }
    }

    /// Bytes to text. `line_base` is the line and `offset_base` the file offset of the
    /// first byte, so errors point into the file. Invalid UTF-8 and NUL bytes (a binary or
    /// UTF-16 file) are errors unless `lossy`, which replaces them with U+FFFD.
    fn decode(
        &self,
        name: &str,
        bytes: Vec<u8>,
        line_base: u64,
        offset_base: u64,
    ) -> Result<String> {
        let line_of = |bytes: &[u8], upto: usize| {
            line_base + bytes[..upto].iter().filter(|&&b| b == b'\n').count() as u64
        };
        if offset_base == 0 && (bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF")) {
            return Err(Error::BadRow {
                file: name.to_string(),
                line: 1,
                column: None,
                reason: "the file is UTF-16 (it starts with a UTF-16 byte-order mark); convert it to UTF-8, e.g. with `iconv -f UTF-16 -t UTF-8`".into(),
            });
        }
        let text = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) if self.lossy => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                return Err(Error::InvalidUtf8 {
                    file: name.to_string(),
                    line: line_of(e.as_bytes(), at),
                    offset: offset_base + at as u64,
                });
            }
        };
        match text.find('\0') {
            None => Ok(text),
            Some(_) if self.lossy => Ok(text.replace('\0', "\u{FFFD}")),
            Some(at) => Err(Error::BadRow {
                file: name.to_string(),
                line: line_of(text.as_bytes(), at),
                column: None,
                reason: format!(
                    "NUL byte at byte offset {} (a binary or UTF-16 file?; use --lossy to replace it)",
                    offset_base + at as u64
                ),
            }),
        }
    }

    fn next_jsonl(&mut self) -> Option<Result<Article>> {
        loop {
            let src = self.jsonl.as_mut()?;
            let mut buf = Vec::new();
            // Read at most the limit (+1 to detect excess) for one line.
            let got = src
                .reader
                .by_ref()
                .take(MAX_ARTICLE_BYTES as u64 + 1)
                .read_until(b'\n', &mut buf);
            src.line += 1;
            let (name, lineno, start) = (src.name.clone(), src.line, src.offset);
            match got {
                Err(e) => {
                    self.jsonl = None;
                    return Some(Err(Error::io(&name, e)));
                }
                Ok(0) => {
                    self.jsonl = None;
                    return None;
                }
                Ok(n) => src.offset += n as u64,
            }
            if buf.len() > MAX_ARTICLE_BYTES {
                // Skip the rest of the over-long line.
                let mut sink = Vec::new();
                loop {
                    sink.clear();
                    match src
                        .reader
                        .by_ref()
                        .take(1 << 20)
                        .read_until(b'\n', &mut sink)
                    {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            src.offset += n as u64;
                            if sink.ends_with(b"\n") {
                                break;
                            }
                        }
                    }
                }
                return Some(Err(too_long(&name, lineno)));
            }
            if buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(self.parse_jsonl_line(&name, lineno, start, buf));
        }
    }

    fn parse_jsonl_line(
        &self,
        name: &str,
        line: u64,
        offset: u64,
        buf: Vec<u8>,
    ) -> Result<Article> {
        let s = self.decode(name, buf, line, offset)?;
        let bad = |reason: String| Error::BadRow {
            file: name.to_string(),
            line,
            column: None,
            reason,
        };
        let v: serde_json::Value =
            serde_json::from_str(s.trim_end()).map_err(|e| bad(crate::data::json_reason(&e)))?;
        let get = |k: &str| {
            v.get(k).and_then(|x| match x {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Null => None,
                other => Some(other.to_string()),
            })
        };
        let text = get("text").ok_or_else(|| bad("no \"text\" key".into()))?;
        let mut a = Article::from_text(
            get("id").unwrap_or_else(|| format!("{name}:{line}")),
            name.to_string(),
            text,
        );
        if let Some(d) = get("date") {
            a.date = Some(d);
        }
        a.title = get("title");
        a.url = get("url");
        Ok(a)
    }
}

fn too_long(name: &str, line: u64) -> Error {
    Error::BadRow {
        file: name.to_string(),
        line,
        column: None,
        reason: format!("article longer than the {MAX_ARTICLE_BYTES}-byte limit; skipped"),
    }
}

impl Iterator for ArticleReader {
    type Item = Result<Article>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.jsonl.is_some() {
                if let Some(r) = self.next_jsonl() {
                    return Some(r);
                }
                continue;
            }
            let name = self.sources.next()?;
            let mut is_jsonl = name.ends_with(".jsonl") || name.ends_with(".ndjson");
            let mut reader: Box<dyn BufRead> = if name == "-" {
                Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
            } else {
                match std::fs::File::open(&name) {
                    Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
                    Err(e) => return Some(Err(Error::io(&name, e))),
                }
            };
            if name == "-" && !is_jsonl {
                // Stdin that looks like JSONL is read as JSONL, line by line, however long
                // the dump; decided by peeking, so nothing is read twice or held.
                match looks_like_jsonl(reader) {
                    Ok((jsonl, r)) => {
                        is_jsonl = jsonl;
                        reader = r;
                    }
                    Err(e) => return Some(Err(Error::io(&name, e))),
                }
            }
            if is_jsonl {
                self.jsonl = Some(JsonlSource {
                    name,
                    reader,
                    line: 0,
                    offset: 0,
                });
                continue;
            }
            let mut bytes = Vec::new();
            let mut limited = reader.take(MAX_ARTICLE_BYTES as u64 + 1);
            if let Err(e) = limited.read_to_end(&mut bytes) {
                return Some(Err(Error::io(&name, e)));
            }
            if bytes.len() > MAX_ARTICLE_BYTES {
                return Some(Err(too_long(&name, 1)));
            }
            let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) => (rest.to_vec(), 3),
                None => (bytes, 0),
            };
            return Some(
                self.decode(&name, bytes, 1, bom)
                    .map(|text| Article::from_text(name.clone(), name.clone(), text)),
            );
        }
    }
}

/// Whether the first non-blank byte is `{`, and a reader that still yields every byte.
fn looks_like_jsonl(mut reader: Box<dyn BufRead>) -> std::io::Result<(bool, Box<dyn BufRead>)> {
    let mut blank = Vec::new();
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((false, Box::new(std::io::Cursor::new(blank))));
        }
        if let Some(&b) = buf.iter().find(|b| !b.is_ascii_whitespace()) {
            let rest = Box::new(std::io::Cursor::new(blank).chain(reader));
            return Ok((b == b'{', rest));
        }
        let n = buf.len();
        blank.extend_from_slice(buf);
        reader.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_prefix_is_kept_in_text_and_skipped_in_body() {
        let a = Article::from_text(
            "a".into(),
            "a".into(),
            "date 2021-12-24 “Hi,” she said.".into(),
        );
        assert_eq!(a.date.as_deref(), Some("2021-12-24"));
        assert_eq!(a.body(), "“Hi,” she said.");
        assert_eq!(
            a.text.chars().skip(a.body_start).collect::<String>(),
            a.body()
        );
    }

    #[test]
    fn text_without_prefix_has_no_date() {
        let a = Article::from_text("a".into(), "a".into(), "dated material".into());
        assert_eq!(a.date, None);
        assert_eq!(a.body_start, 0);
    }
}
