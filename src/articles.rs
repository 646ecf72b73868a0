//! Article input: files, directories (recursive, `*.txt` and `*.jsonl`) and stdin, read one
//! article at a time so memory stays flat over any number of articles.
//!
//! Plain text may start with a `date YYYY-MM-DD` line or prefix. JSONL has one article per
//! line with `id`, `text` and optional `date`, `title`, `url`.

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
    for p in paths {
        let path = Path::new(p);
        if p != "-" && path.is_dir() {
            walk(path, &mut out, &mut errors);
        } else {
            out.push(p.clone());
        }
    }
    (out, errors)
}

fn walk(dir: &Path, out: &mut Vec<String>, errors: &mut Vec<Error>) {
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
            walk(&p, out, errors);
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
    jsonl: Option<(String, Box<dyn BufRead>, u64)>,
    lossy: bool,
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

    fn decode(&self, name: &str, bytes: Vec<u8>, line_base: u64) -> Result<String> {
        match String::from_utf8(bytes) {
            Ok(s) => Ok(s),
            Err(e) if self.lossy => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let line = line_base
                    + e.as_bytes()[..offset]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count() as u64;
                Err(Error::InvalidUtf8 {
                    file: name.to_string(),
                    line,
                    offset: offset as u64,
                })
            }
        }
    }

    fn next_jsonl(&mut self) -> Option<Result<Article>> {
        loop {
            let (name, reader, line) = self.jsonl.as_mut()?;
            let mut buf = Vec::new();
            // Read at most the limit (+1 to detect excess) for one line.
            let got = reader
                .by_ref()
                .take(MAX_ARTICLE_BYTES as u64 + 1)
                .read_until(b'\n', &mut buf);
            *line += 1;
            let (name, lineno) = (name.clone(), *line);
            match got {
                Err(e) => {
                    self.jsonl = None;
                    return Some(Err(Error::io(&name, e)));
                }
                Ok(0) => {
                    self.jsonl = None;
                    return None;
                }
                Ok(_) => {}
            }
            if buf.len() > MAX_ARTICLE_BYTES {
                // Skip the rest of the over-long line.
                if let Some((_, r, _)) = self.jsonl.as_mut() {
                    let mut sink = Vec::new();
                    loop {
                        sink.clear();
                        match r.by_ref().take(1 << 20).read_until(b'\n', &mut sink) {
                            Ok(0) | Err(_) => break,
                            Ok(_) if sink.ends_with(b"\n") => break,
                            Ok(_) => {}
                        }
                    }
                }
                return Some(Err(too_long(&name, lineno)));
            }
            if buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(self.parse_jsonl_line(&name, lineno, buf));
        }
    }

    fn parse_jsonl_line(&self, name: &str, line: u64, buf: Vec<u8>) -> Result<Article> {
        let s = self.decode(name, buf, line)?;
        let bad = |reason: String| Error::BadRow {
            file: name.to_string(),
            line,
            column: None,
            reason,
        };
        let v: serde_json::Value =
            serde_json::from_str(&s).map_err(|e| bad(format!("invalid JSON: {e}")))?;
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
            let is_jsonl = name.ends_with(".jsonl") || name.ends_with(".ndjson");
            let reader: Box<dyn BufRead> = if name == "-" {
                Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
            } else {
                match std::fs::File::open(&name) {
                    Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
                    Err(e) => return Some(Err(Error::io(&name, e))),
                }
            };
            if is_jsonl {
                self.jsonl = Some((name, reader, 0));
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
            // Stdin that looks like JSONL is read as JSONL.
            if name == "-" && bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
                self.jsonl = Some((name, Box::new(std::io::Cursor::new(bytes)), 0));
                continue;
            }
            let bytes = bytes
                .strip_prefix(b"\xEF\xBB\xBF")
                .map(<[u8]>::to_vec)
                .unwrap_or(bytes);
            return Some(
                self.decode(&name, bytes, 1)
                    .map(|text| Article::from_text(name.clone(), name.clone(), text)),
            );
        }
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
