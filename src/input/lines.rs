//! One text per line, streamed from a file or stdin, with the line and byte offset of every
//! problem.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::labelled::MAX_TEXT_BYTES;
use crate::error::{Error, Result};

/// Reads one text per line from a file or stdin, streaming, with CRLF and a leading BOM
/// removed. Invalid UTF-8 or a NUL byte is an error naming the line and byte offset, or
/// replaced with U+FFFD when `lossy` (then counted in `replaced`). A line longer than the
/// limit ([`MAX_TEXT_BYTES`] unless set) is an error, found without reading it all.
pub struct LineReader {
    name: String,
    inner: Box<dyn BufRead + Send>,
    line: u64,
    offset: u64,
    lossy: bool,
    max_line: usize,
    /// Lines in which invalid bytes were replaced.
    pub replaced: u64,
    buf: Vec<u8>,
}

impl LineReader {
    /// The input's name as given (`-` for stdin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// 1-based number of the line last read (0 before the first).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Open a path, or stdin for `-`.
    pub fn open(path: &str, lossy: bool) -> Result<LineReader> {
        if path == "-" {
            let stdin = BufReader::with_capacity(1 << 16, std::io::stdin());
            return Ok(LineReader::from_reader("<stdin>", Box::new(stdin), lossy));
        }
        crate::util::not_a_directory(Path::new(path))?;
        let f = std::fs::File::open(Path::new(path)).map_err(|e| Error::io(path, e))?;
        let f = BufReader::with_capacity(1 << 16, f);
        Ok(LineReader::from_reader(path, Box::new(f), lossy))
    }

    /// Read from any buffered reader; `name` names it in errors.
    pub fn from_reader(name: &str, inner: Box<dyn BufRead + Send>, lossy: bool) -> LineReader {
        LineReader {
            name: name.to_string(),
            inner,
            line: 0,
            offset: 0,
            lossy,
            max_line: MAX_TEXT_BYTES,
            replaced: 0,
            buf: Vec::new(),
        }
    }

    /// Set the longest line accepted, in bytes (without its line end).
    pub fn max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }

    /// The next line, or `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<String>> {
        Ok(self.next_text()?.map(Cow::into_owned))
    }

    /// Append the next line to `out`; false at the end. Many lines then share one
    /// allocation (what `predict` does with a batch).
    pub fn next_line_into(&mut self, out: &mut String) -> Result<bool> {
        match self.next_text()? {
            Some(t) => {
                out.push_str(&t);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The next line, borrowed from the read buffer when it needs no repair.
    fn next_text(&mut self) -> Result<Option<Cow<'_, str>>> {
        self.buf.clear();
        // Read at most the limit plus a CRLF (and a BOM on the first line), so an endless
        // line costs no more memory than a long one.
        let cap = self.max_line as u64 + 2 + if self.line == 0 { 3 } else { 0 };
        let n = (&mut self.inner)
            .take(cap)
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| Error::io(&self.name, e))?;
        if n == 0 {
            return Ok(None);
        }
        let start = self.offset;
        self.offset += n as u64;
        self.line += 1;
        let bad = |line, reason| Error::BadRow {
            file: self.name.clone(),
            line,
            column: None,
            reason,
        };
        let mut b: &[u8] = &self.buf;
        let mut bom = 0;
        if self.line == 1 {
            if b.starts_with(b"\xFF\xFE") || b.starts_with(b"\xFE\xFF") {
                return Err(bad(1, "the input is UTF-16 (it starts with a UTF-16 byte-order mark); convert it to UTF-8, e.g. with `iconv -f UTF-16 -t UTF-8`".into()));
            }
            if let Some(rest) = b.strip_prefix(b"\xEF\xBB\xBF") {
                b = rest;
                bom = 3;
            }
            crate::util::check_text(&self.name, b)?;
        }
        let ended = b.ends_with(b"\n");
        let b = b.strip_suffix(b"\n").unwrap_or(b);
        let b = b.strip_suffix(b"\r").unwrap_or(b);
        if b.len() > self.max_line || (!ended && n as u64 == cap) {
            return Err(bad(
                self.line,
                format!(
                    "the line starting at byte offset {start} is longer than the {}-byte limit for one text",
                    self.max_line
                ),
            ));
        }
        let text = match std::str::from_utf8(b) {
            Ok(s) => s,
            Err(_) if self.lossy => {
                self.replaced += 1;
                return Ok(Some(Cow::Owned(
                    String::from_utf8_lossy(b).replace('\0', "\u{FFFD}"),
                )));
            }
            Err(e) => {
                return Err(Error::InvalidUtf8 {
                    file: self.name.clone(),
                    line: self.line,
                    offset: start + bom + e.valid_up_to() as u64,
                })
            }
        };
        match text.find('\0') {
            None => Ok(Some(Cow::Borrowed(text))),
            Some(_) if self.lossy => {
                self.replaced += 1;
                Ok(Some(Cow::Owned(text.replace('\0', "\u{FFFD}"))))
            }
            Some(at) => Err(bad(
                self.line,
                format!(
                    "NUL byte at byte offset {}: this looks like a binary file, not text (if it is text with a stray NUL byte, --lossy replaces it)",
                    start + bom + at as u64
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_line_is_refused_at_the_limit_without_reading_it_all() {
        let endless = std::io::BufReader::new(std::io::repeat(b'a'));
        let mut r = LineReader::from_reader("in", Box::new(endless), false).max_line(1000);
        let e = r.next_line().unwrap_err().to_string();
        assert_eq!(
            e,
            "in:1: the line starting at byte offset 0 is longer than the 1000-byte limit for one text"
        );
    }

    #[test]
    fn a_line_exactly_at_the_limit_is_read_with_crlf_and_bom() {
        let data = b"\xEF\xBB\xBFabcd\r\nefgh\r\nijklm\n".to_vec();
        let mut r =
            LineReader::from_reader("in", Box::new(std::io::Cursor::new(data)), false).max_line(4);
        assert_eq!(r.next_line().unwrap().as_deref(), Some("abcd"));
        assert_eq!(r.next_line().unwrap().as_deref(), Some("efgh"));
        let e = r.next_line().unwrap_err().to_string();
        assert!(
            e.starts_with("in:3: the line starting at byte offset 15"),
            "{e}"
        );
    }
}
