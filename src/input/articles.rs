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

    /// An article from the fields of a record (a JSONL line, a table row): `date`, when
    /// given, is the article's date, whatever date prefix the text has (the prefix is still
    /// skipped by extraction).
    pub fn from_record(id: String, source: String, text: String, date: Option<String>) -> Article {
        let mut a = Article::from_text(id, source, text);
        if date.is_some() {
            a.date = date;
        }
        a
    }
}

/// Extensions of the files read from a directory unless more are asked for.
pub const DEFAULT_EXTENSIONS: [&str; 2] = ["txt", "jsonl"];

/// Paths expanded into the sources to read.
#[derive(Debug, Default)]
pub struct Expanded {
    /// Files to read, in order (`-` for stdin).
    pub sources: Vec<String>,
    /// Directories or entries that could not be listed.
    pub errors: Vec<Error>,
    /// Files found in the directories walked but not read, for their extension: when
    /// nothing is read, the user needs to know what was passed over.
    pub skipped: Vec<String>,
}

/// Expand paths: `-` is stdin, a directory is walked recursively for `*.txt` and `*.jsonl`
/// (sorted, so the order is stable), a file is taken as it is. No paths means stdin.
/// Directory entries that cannot be listed are returned as errors beside the paths.
pub fn expand(paths: &[String]) -> (Vec<String>, Vec<Error>) {
    let e = expand_with(paths, &[]);
    (e.sources, e.errors)
}

/// [`expand`], reading also the files of directories whose extension is one of `extra`
/// (`md` or `.md`; case is ignored), and listing the files passed over.
pub fn expand_with(paths: &[String], extra: &[String]) -> Expanded {
    let mut out = Expanded::default();
    if paths.is_empty() {
        out.sources.push("-".to_string());
    }
    let wanted: Vec<String> = DEFAULT_EXTENSIONS
        .iter()
        .map(|e| e.to_string())
        .chain(
            extra
                .iter()
                .map(|e| e.trim_start_matches('.').to_ascii_lowercase()),
        )
        .collect();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        let path = Path::new(p);
        if p != "-" && path.is_dir() {
            walk(path, &wanted, &mut out, &mut seen);
        } else {
            out.sources.push(p.clone());
        }
    }
    out
}

/// Walk `dir` depth first, entries sorted by name, symbolic links followed. `seen` holds
/// the directories walked, resolved: a link to a directory already walked is skipped, and
/// so is a link back up the tree (walkdir reports that as a loop), where following it would
/// repeat articles, and two such links would double the walk at every level.
fn walk(dir: &Path, wanted: &[String], out: &mut Expanded, seen: &mut HashSet<PathBuf>) {
    let mut it = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    // The directory being listed at each depth, to name one whose listing fails midway.
    let mut listing: Vec<PathBuf> = Vec::new();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if e.loop_ancestor().is_some() => continue,
            Err(e) => {
                let path = e.path().map(Path::to_path_buf);
                match path {
                    // A link that leads nowhere (broken, or to itself) is taken as a file,
                    // so reading it names the link and why it cannot be read.
                    Some(p) if is_symlink(&p) => add_file(&p, wanted, out),
                    _ => {
                        let at = path
                            .or_else(|| listing.get(e.depth().saturating_sub(1)).cloned())
                            .unwrap_or_else(|| dir.to_path_buf());
                        out.errors.push(walk_error(at, e));
                    }
                }
                continue;
            }
        };
        if !entry.file_type().is_dir() {
            add_file(entry.path(), wanted, out);
            continue;
        }
        let first_visit = match std::fs::canonicalize(entry.path()) {
            Ok(real) => seen.insert(real),
            Err(e) => {
                out.errors.push(Error::io(entry.path(), e));
                false
            }
        };
        if first_visit {
            listing.truncate(entry.depth());
            listing.push(entry.path().to_path_buf());
        } else {
            it.skip_current_dir();
        }
    }
}

/// Whether `p` itself is a symbolic link (whatever it points to, if anything).
fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

/// A walk error as the I/O error it holds, on the path it names.
fn walk_error(path: PathBuf, e: walkdir::Error) -> Error {
    let io = e
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("cannot be listed"));
    Error::io(path, io)
}

/// A file found in a directory: a source when its extension is wanted, else passed over.
/// A path that is not UTF-8 is an error naming it: read lossily it would name another file.
fn add_file(p: &Path, wanted: &[String], out: &mut Expanded) {
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let read = ext.is_some_and(|e| wanted.contains(&e));
    match p.to_str() {
        Some(name) if read => out.sources.push(name.to_string()),
        Some(name) => out.skipped.push(name.to_string()),
        None if read => out.errors.push(Error::io(
            escaped(p),
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path is not valid UTF-8 (bytes shown as \\xNN); rename the file to read it",
            ),
        )),
        None => out.skipped.push(escaped(p)),
    }
}

/// A path for a message: valid UTF-8 as it is, every other byte as `\xNN`.
fn escaped(p: &Path) -> String {
    let mut s = String::new();
    for chunk in p.as_os_str().as_encoded_bytes().utf8_chunks() {
        s.push_str(chunk.valid());
        for b in chunk.invalid() {
            s.push_str(&format!("\\x{b:02X}"));
        }
    }
    s
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
        if offset_base <= 3 {
            crate::util::check_text(name, &bytes)?;
        }
        // A NUL byte is named before any invalid UTF-8: text never holds one, so it says
        // "binary" where an invalid byte elsewhere would only say "bad encoding".
        if let (false, Some(at)) = (self.lossy, memchr::memchr(0, &bytes)) {
            return Err(nul_error(
                name,
                line_of(&bytes, at),
                offset_base + at as u64,
            ));
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
        // Only `lossy` gets here with a NUL byte.
        Ok(if text.contains('\0') {
            text.replace('\0', "\u{FFFD}")
        } else {
            text
        })
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
        let v: serde_json::Value = serde_json::from_str(s.trim_end())
            .map_err(|e| bad(crate::input::labelled::json_reason(&e)))?;
        let get = |k: &str| {
            v.get(k).and_then(|x| match x {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Null => None,
                other => Some(other.to_string()),
            })
        };
        let text = get("text").ok_or_else(|| bad("no \"text\" key".into()))?;
        let mut a = Article::from_record(
            get("id").unwrap_or_else(|| format!("{name}:{line}")),
            name.to_string(),
            text,
            get("date"),
        );
        a.title = get("title");
        a.url = get("url");
        Ok(a)
    }
}

/// A NUL byte: text never holds one, so the file is most likely binary.
fn nul_error(name: &str, line: u64, offset: u64) -> Error {
    Error::BadRow {
        file: name.to_string(),
        line,
        column: None,
        reason: format!(
            "NUL byte at byte offset {offset}: this looks like a binary file, not text (if it is text with a stray NUL byte, --lossy replaces it)"
        ),
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
    fn a_record_date_wins_over_the_prefix_which_is_still_skipped() {
        let text = "date 2021-12-24 \"Hi,\" she said.";
        let a = Article::from_record(
            "a".into(),
            "-".into(),
            text.into(),
            Some("2022-01-02".into()),
        );
        assert_eq!(a.date.as_deref(), Some("2022-01-02"));
        assert_eq!(a.body(), "\"Hi,\" she said.");
        let b = Article::from_record("b".into(), "-".into(), text.into(), None);
        assert_eq!(b.date.as_deref(), Some("2021-12-24"));
    }

    #[test]
    fn text_without_prefix_has_no_date() {
        let a = Article::from_text("a".into(), "a".into(), "dated material".into());
        assert_eq!(a.date, None);
        assert_eq!(a.body_start, 0);
    }

    /// A fresh directory for one test.
    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("stance-walk-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_path_that_is_not_utf8_is_an_error_naming_it_escaped_not_a_lossy_source() {
        use std::os::unix::ffi::OsStrExt;
        let d = scratch("utf8");
        std::fs::write(d.join("a.txt"), "text").unwrap();
        std::fs::write(d.join(std::ffi::OsStr::from_bytes(b"b\xFFad.txt")), "text").unwrap();
        std::fs::write(d.join(std::ffi::OsStr::from_bytes(b"c\xFE.md")), "text").unwrap();
        let root = d.to_str().unwrap().to_string();
        let e = expand_with(std::slice::from_ref(&root), &[]);
        assert_eq!(e.sources, [format!("{root}/a.txt")]);
        assert_eq!(e.skipped, [format!("{root}/c\\xFE.md")]);
        assert_eq!(e.errors.len(), 1);
        let msg = e.errors[0].to_string();
        assert!(
            msg.starts_with(&format!("{root}/b\\xFFad.txt: ")) && msg.contains("not valid UTF-8"),
            "{msg}"
        );
        assert!(e.errors[0].is_bad_input());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_reached_twice_through_a_link_is_walked_once_in_name_order() {
        let d = scratch("twice");
        std::fs::create_dir_all(d.join("zz/deeper")).unwrap();
        std::fs::write(d.join("zz/z.txt"), "text").unwrap();
        std::fs::write(d.join("zz/deeper/y.txt"), "text").unwrap();
        std::fs::write(d.join("b.txt"), "text").unwrap();
        // Sorted before its target, so the walk goes through the link.
        std::os::unix::fs::symlink("zz", d.join("alias")).unwrap();
        // Back up the tree: a loop.
        std::os::unix::fs::symlink("..", d.join("zz/up")).unwrap();
        let root = d.to_str().unwrap().to_string();
        let e = expand_with(std::slice::from_ref(&root), &[]);
        assert_eq!(
            e.sources,
            ["alias/deeper/y.txt", "alias/z.txt", "b.txt"].map(|f| format!("{root}/{f}"))
        );
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        // Named twice on the command line, still once.
        let again = expand_with(&[root.clone(), format!("{root}/zz")], &[]);
        assert_eq!(again.sources, e.sources);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
