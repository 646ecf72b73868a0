//! The one-file model format: the whole fitted pipeline (analysis settings, vocabulary,
//! IDF, weights, ordered labels, hyperparameters, training metadata).
//!
//! # File format, version 5
//!
//! | bytes | content |
//! |---|---|
//! | 13 | magic `STANCE-MODEL\n` |
//! | 4 | format version, u32 little-endian |
//! | 8 + h | header length, then the header as JSON ([`ModelHeader`]) |
//! | 8 | vocabulary size `V` |
//! | 4·V | where each term's text ends in the text below, u32, ascending |
//! | T | the terms' UTF-8 text back to back, in column order (`T` is the last end) |
//! | 8 | the lookup table's slot count `S`: the power of two at or above `2·V` |
//! | 8·V | each term's hash ([`crate::features::term_hash`]), u64 |
//! | 2·V | each term's distance from its home slot (its hash modulo `S`) to its slot, u16, at most 4,096; `0xFFFF` for a term whose hash an earlier term has (it has no slot) |
//! | 4·V | IDF per term, f32 |
//! | 4·V·K | weights, feature-major, f32 |
//! | 4·K | intercepts, f32 |
//! | 4 | CRC-32 (IEEE, as gzip and PNG use it) of every byte before it, u32 |
//!
//! The hashes and distances are the vocabulary's lookup table: loading puts each term
//! straight into its slot instead of hashing its text and probing for a free slot. It
//! checks instead what keeps every lookup in the table and finding each term: `S` is the
//! slot count `V` terms get; no term is more than 4,096 slots from its home slot, shares a
//! slot, or sits past an empty slot from its home slot; a term marked as a repeat has the
//! hash of an earlier term; and about 65 terms spread over the vocabulary are hashed again,
//! so that a file written under another term hash is refused. Every model is written in
//! this version.
//!
//! | version | differs from version 5 by | loads |
//! |---|---|---|
//! | 4 | the checksum is the SHA-256 of every byte before it (32 bytes) | yes |
//! | 3 | as 4, and terms as `V` pairs of a u32 byte length and the UTF-8 bytes; no hashes, no table (the loader makes them from the terms) | yes |
//! | 2 | as 3, and the header uses none of actor marks, polarity terms, a stored prior | yes |
//! | 1 | as 2, with the lookup table of its time after the terms (a u64 slot count, then u32 slots), skipped | yes |
//!
//! Readers of an older version refuse a newer file by its version number, with the message
//! that the model is newer than the program.
//!
//! The checksum catches a truncated or corrupted file; it cannot tell a forged one (no
//! checksum without a key can), which is why the parser checks everything it reads.
//! CRC-32 finds every error burst up to 32 bits and misses a random corruption once in
//! 4·10⁹; SHA-256, which version 4 used, took 4.2 ms of the 5.1 ms that loading a model of
//! 190k terms cost.
//!
//! Integers and floats are little-endian. The loader checks the checksum (beside parsing,
//! on another thread) and checks every length against the bytes left before allocating, so
//! a truncated, corrupted or hostile file is refused with a message and never panics or
//! allocates without bound.

use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::{ModelHeader, Pipeline};
use crate::error::{Error, Result};
use crate::features::{FeatureParams, StoredTable, Vectorizer, Vocabulary};
use crate::models::prior::Prior;
use crate::models::LinearModel;

/// The file's first bytes.
pub const MAGIC: &[u8; 13] = b"STANCE-MODEL\n";
/// The format version this build writes, and the newest it reads: 5, whose files store the
/// vocabulary's hashes and lookup table and end in a CRC-32 (see the module docs for the
/// older ones).
pub const FORMAT_VERSION: u32 = 5;
/// Largest model file the loader accepts.
pub const MAX_MODEL_BYTES: u64 = 4 << 30;

/// The checksum a file of format `version` ends in, over `body` (every byte before it): a
/// CRC-32, little-endian, from version 5; a SHA-256 before.
pub fn checksum(version: u32, body: &[u8]) -> Vec<u8> {
    if version >= 5 {
        crc32fast::hash(body).to_le_bytes().to_vec()
    } else {
        Sha256::digest(body).to_vec()
    }
}

/// The length of [`checksum`] for format `version`.
fn checksum_len(version: u32) -> usize {
    if version >= 5 {
        4
    } else {
        32
    }
}

/// Largest header [`Pipeline::peek_header`] reads: 16 MiB (written headers are kilobytes).
const MAX_PEEKED_HEADER: u64 = 16 << 20;

impl Pipeline {
    /// The header of the model file at `path`, read from the file's first bytes without
    /// checking the rest (use [`Pipeline::load`] for that): enough to start analysing texts
    /// while the model loads.
    pub fn peek_header(path: &Path) -> Result<ModelHeader> {
        use std::io::Read;
        let io = |e| Error::io(path, e);
        let mut f = std::fs::File::open(path).map_err(io)?;
        let mut buf = vec![0u8; MAGIC.len() + 4 + 8];
        f.read_exact(&mut buf).map_err(io)?;
        Pipeline::open(&buf, path)?;
        let mut len = [0u8; 8];
        len.copy_from_slice(&buf[MAGIC.len() + 4..]);
        let hlen = u64::from_le_bytes(len);
        if hlen > MAX_PEEKED_HEADER {
            return Err(bad(path, format!("header of {hlen} bytes")));
        }
        let at = buf.len();
        buf.resize(at + hlen as usize, 0);
        f.read_exact(&mut buf[at..]).map_err(io)?;
        Pipeline::header_from_prefix(&buf, path)
    }

    /// The header from the first bytes of a model (at least through the header), unchecked
    /// against the rest; see [`Pipeline::peek_header`].
    pub fn header_from_prefix(bytes: &[u8], path: &Path) -> Result<ModelHeader> {
        let (mut cur, _) = Pipeline::open(bytes, path)?;
        Pipeline::parse_header(&mut cur)
    }

    /// The format version this model is written in: [`FORMAT_VERSION`] for every model,
    /// whatever version it was read from (older readers refuse it by its version number).
    pub fn format_version(&self) -> u32 {
        FORMAT_VERSION
    }

    /// Serialise to bytes (see the module docs for the layout).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let memory = |reason: String| Error::BadModel {
            path: "<memory>".into(),
            reason,
        };
        let header = serde_json::to_vec(&self.header).map_err(|e| memory(e.to_string()))?;
        let vocab = self.vectorizer.vocabulary();
        let (idf, weights, bias) = (
            self.vectorizer.idf(),
            self.model.weights(),
            self.model.bias(),
        );
        let (slots, hashes, distances) = vocab.stored();
        let v = vocab.len();
        let term_bytes: usize = vocab.iter().map(str::len).sum();
        if u32::try_from(term_bytes).is_err() {
            return Err(memory(format!(
                "the terms' text takes {term_bytes} bytes; a model file holds at most 4 GiB"
            )));
        }
        let floats = idf.len() + weights.len() + bias.len();
        // The exact size: a model of 100k terms is a few megabytes, and growing the buffer
        // past a guess copied all of it once more.
        let size = MAGIC.len() + 4 + 8 + header.len() + 8 + 4 * v + term_bytes + 8 + 10 * v;
        let mut out = Vec::with_capacity(size + 4 * floats + 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.format_version().to_le_bytes());
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&(v as u64).to_le_bytes());
        let mut end = 0u32;
        for t in vocab.iter() {
            // Fits: the sum of the lengths was checked above.
            end += t.len() as u32;
            out.extend_from_slice(&end.to_le_bytes());
        }
        for t in vocab.iter() {
            out.extend_from_slice(t.as_bytes());
        }
        out.extend_from_slice(&(slots as u64).to_le_bytes());
        for h in hashes {
            out.extend_from_slice(&h.to_le_bytes());
        }
        for d in distances {
            out.extend_from_slice(&d.to_le_bytes());
        }
        // Floats are written into place, a slice at a time: a loop the compiler turns into
        // block copies on little-endian machines.
        let mut at = out.len();
        out.resize(at + 4 * floats, 0);
        for part in [idf, weights, bias] {
            let dst = &mut out[at..at + 4 * part.len()];
            for (d, v) in dst.chunks_exact_mut(4).zip(part) {
                d.copy_from_slice(&v.to_le_bytes());
            }
            at += 4 * part.len();
        }
        let sum = checksum(self.format_version(), &out);
        out.extend_from_slice(&sum);
        Ok(out)
    }

    /// Write atomically; refuses to replace an existing file unless `force`.
    pub fn save(&self, path: &Path, force: bool) -> Result<()> {
        let bytes = self.to_bytes()?;
        crate::util::write_atomic(path, &bytes, force)
    }

    /// Read a model file.
    pub fn load(path: &Path) -> Result<Pipeline> {
        crate::util::not_a_directory(path)?;
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.len() > MAX_MODEL_BYTES {
            return Err(bad(
                path,
                format!(
                    "{} bytes is larger than the {} byte limit",
                    meta.len(),
                    MAX_MODEL_BYTES
                ),
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Pipeline::from_bytes(&bytes, path)
    }

    /// A cursor after the signature and format version, which are checked, and the version.
    fn open<'a>(bytes: &'a [u8], path: &'a Path) -> Result<(Cursor<'a>, u32)> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(bad(
                path,
                "it does not start with the stance model signature".into(),
            ));
        }
        let mut cur = Cursor {
            bytes,
            pos: MAGIC.len(),
            path,
        };
        let version = cur.u32()?;
        if version > FORMAT_VERSION {
            return Err(Error::ModelVersion {
                path: path.to_path_buf(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if version == 0 {
            return Err(bad(path, "format version 0 does not exist".into()));
        }
        Ok((cur, version))
    }

    /// Parse model bytes; `path` only names the source in errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Pipeline> {
        let (cur, version) = Pipeline::open(bytes, path)?;
        let sum_len = checksum_len(version);
        if bytes.len() < cur.pos + sum_len {
            return Err(bad(path, format!("truncated: only {} bytes", bytes.len())));
        }
        let (body, sum) = bytes.split_at(bytes.len() - sum_len);
        let intact = || checksum(version, body) == sum;
        // The checksum and the parse run side by side. The parser never trusts the bytes
        // (it is fuzzed on files with valid checksums), and a checksum mismatch is what
        // gets reported whatever the parse found.
        let (intact, parsed) = rayon::join(intact, || {
            Pipeline::parse_body(body, cur.pos, version, path)
        });
        if !intact {
            return Err(bad(
                path,
                format!(
                    "checksum mismatch: the file is truncated or corrupted ({} bytes)",
                    bytes.len()
                ),
            ));
        }
        parsed
    }

    /// The header's length and JSON, checked.
    fn parse_header(cur: &mut Cursor<'_>) -> Result<ModelHeader> {
        let path = cur.path;
        let hlen = cur.len_u64(1)?;
        let header: ModelHeader = serde_json::from_slice(cur.take(hlen)?)
            .map_err(|e| bad(path, format!("header: {e}")))?;
        let k = header.labels.len();
        if k < 2 {
            return Err(bad(path, format!("{k} labels; a model needs at least 2")));
        }
        if header
            .labels
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            != k
        {
            return Err(bad(path, "header: a label is listed twice".into()));
        }
        // Settings no `train` could write (an n-gram size of 0, say) would break analysis.
        linfa::ParamGuard::check(FeatureParams::from_settings(header.features.clone()))
            .map_err(|e| bad(path, format!("header: {e}")))?;
        Ok(header)
    }

    /// The model after its format version: header, vocabulary, IDF and weights.
    fn parse_body(body: &[u8], pos: usize, version: u32, path: &Path) -> Result<Pipeline> {
        let mut cur = Cursor {
            bytes: body,
            pos,
            path,
        };
        let header = Pipeline::parse_header(&mut cur)?;
        let k = header.labels.len();
        let v = cur.len_u64(4)?;
        let (vectorizer, weights, bias) = if version >= 4 {
            Pipeline::parse_stored(cur, &header, v, k)?
        } else {
            Pipeline::parse_rebuilt(cur, &header, v, k, version)?
        };
        if !(header.temperature.is_finite() && header.temperature > 0.0) {
            return Err(bad(path, "temperature must be a positive number".into()));
        }
        let model = LinearModel::new(v, k, weights, bias, header.temperature);
        let mut p = Pipeline {
            vectorizer,
            model,
            header,
        };
        p.set_prior(&Prior::Model)
            .map_err(|e| bad(path, format!("header: {e}")))?;
        Ok(p)
    }

    /// Versions 4 and 5 after the vocabulary size `v`: the sections are found first (their
    /// lengths follow from `v`, the terms' text length and `k`), then read side by side:
    /// the terms, the table, and the floats.
    fn parse_stored(
        mut cur: Cursor<'_>,
        header: &ModelHeader,
        v: usize,
        k: usize,
    ) -> Result<(Vectorizer, Vec<f32>, Vec<f32>)> {
        let path = cur.path;
        // len_u64 checked 4 * v against the bytes left, so the sizes below do not overflow.
        let ends = cur.take(4 * v)?;
        let text_len = match v {
            0 => 0,
            _ => u32::from_le_bytes(array(&ends[4 * (v - 1)..])) as usize,
        };
        let text = cur.take(text_len)?;
        let slots = usize::try_from(cur.u64()?).unwrap_or(usize::MAX);
        let hashes = cur.take(8 * v)?;
        let distances = cur.take(2 * v)?;
        let idf = cur.take(4 * v)?;
        let wlen = v
            .checked_mul(k)
            .and_then(|n| n.checked_mul(4))
            .ok_or_else(|| bad(path, "weight matrix size overflows".into()))?;
        let weights = cur.take(wlen)?;
        let bias = cur.take(4 * k)?;
        cur.at_end()?;
        let at = |section: &[u8]| section.as_ptr() as usize - cur.bytes.as_ptr() as usize;
        let hash = |i: usize| u64::from_le_bytes(array(&hashes[8 * i..]));
        // On two threads the checksum takes one and the other this: the terms' ends, then
        // the table while the terms' check and copy and the floats wait for whichever
        // thread is free first.
        let (terms, floats) = rayon::join(
            || {
                let (text, offsets) = read_terms(ends, text, at(text), path)?;
                let (table, blob) = rayon::join(
                    || {
                        StoredTable::read(
                            v,
                            slots,
                            hash,
                            |i| u16::from_le_bytes(array(&distances[2 * i..])),
                            |i| f32::from_le_bytes(array(&idf[4 * i..])),
                        )
                    },
                    || check_terms(text, &offsets, path).map(|()| text.to_owned()),
                );
                Ok::<_, Error>((blob?, offsets, table))
            },
            || {
                let f = |b| floats(b, at(b), path);
                Ok::<_, Error>((f(idf)?, f(weights)?, f(bias)?))
            },
        );
        let (blob, offsets, table) = terms?;
        let (idf, weights, bias) = floats?;
        let vocabulary = |e| bad(path, format!("vocabulary: {e}"));
        let vocab = Vocabulary::with_table(blob, offsets, table.map_err(vocabulary)?, hash)
            .map_err(vocabulary)?;
        let vectorizer = Vectorizer::with_valued_vocabulary(header.features.clone(), vocab, idf);
        Ok((vectorizer, weights, bias))
    }

    /// Versions 1 to 3 after the vocabulary size `v`: the terms one by one, the floats, and
    /// the lookup table made from the terms.
    fn parse_rebuilt(
        mut cur: Cursor<'_>,
        header: &ModelHeader,
        v: usize,
        k: usize,
        version: u32,
    ) -> Result<(Vectorizer, Vec<f32>, Vec<f32>)> {
        let path = cur.path;
        let (blob, offsets) = cur.terms_one_by_one(v)?;
        check_terms(&blob, &offsets, path)?;
        if version == 1 {
            // len_u64 checked 4 * slots against the bytes left.
            let slots = cur.len_u64(4)?;
            cur.take(4 * slots)?;
        }
        let idf = cur.f32s(v)?;
        let wlen = v
            .checked_mul(k)
            .ok_or_else(|| bad(path, "weight matrix size overflows".into()))?;
        let weights = cur.f32s(wlen)?;
        let bias = cur.f32s(k)?;
        cur.at_end()?;
        let vocab = Vocabulary::from_blob(blob, offsets)
            .map_err(|e| bad(path, format!("vocabulary: {e}")))?;
        let vectorizer = Vectorizer::from_parts(header.features.clone(), vocab, idf);
        Ok((vectorizer, weights, bias))
    }
}

/// Version 4 and 5 terms: `ends` (u32 each) into `text`, which starts at byte `at` of the file.
/// Returns the text and `v + 1` ascending offsets into it (see [`check_terms`] for the rest).
fn read_terms<'a>(
    ends: &[u8],
    text: &'a [u8],
    at: usize,
    path: &Path,
) -> Result<(&'a str, Vec<usize>)> {
    let mut offsets = Vec::with_capacity(ends.len() / 4 + 1);
    offsets.push(0);
    for (i, e) in ends.chunks_exact(4).enumerate() {
        let end = u32::from_le_bytes(array(e)) as usize;
        if end < offsets[i] {
            return Err(bad(path, format!("term {i} ends before it starts")));
        }
        offsets.push(end);
    }
    let text = std::str::from_utf8(text).map_err(|e| {
        bad(
            path,
            format!("vocabulary is not UTF-8 (byte {})", at + e.valid_up_to()),
        )
    })?;
    Ok((text, offsets))
}

/// Little-endian f32s from `bytes`, which start at byte `at` of the file; every one finite.
fn floats(bytes: &[u8], at: usize, path: &Path) -> Result<Vec<f32>> {
    let out: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(array(c)))
        .collect();
    if let Some(i) = out.iter().position(|v| !v.is_finite()) {
        return Err(bad(
            path,
            format!("non-finite number at byte {}", at + 4 * i),
        ));
    }
    Ok(out)
}

/// The first `N` bytes of `b`, which has at least that many.
#[inline]
fn array<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    a
}

/// Terms start on character boundaries and are sorted and unique (as `train` writes them;
/// anything else is corruption).
fn check_terms(blob: &str, offsets: &[usize], path: &Path) -> Result<()> {
    if let Some(i) = offsets.iter().position(|&o| !blob.is_char_boundary(o)) {
        return Err(bad(
            path,
            format!("term {i} does not start on a character boundary"),
        ));
    }
    let bytes = blob.as_bytes();
    let out_of_order =
        |i: usize| bytes[offsets[i - 1]..offsets[i]] >= bytes[offsets[i]..offsets[i + 1]];
    // In parallel by blocks: rayon's search item by item costs more than a comparison.
    const BLOCK: usize = 1 << 14;
    let v = offsets.len() - 1;
    let in_block =
        |b: usize| ((b * BLOCK).max(1)..v.min((b + 1) * BLOCK)).find(|&i| out_of_order(i));
    if let Some(i) = (0..v.div_ceil(BLOCK))
        .into_par_iter()
        .find_map_first(in_block)
    {
        return Err(bad(
            path,
            format!("terms out of order or repeated at term {i}"),
        ));
    }
    Ok(())
}

fn bad(path: &Path, reason: String) -> Error {
    // Reasons can quote the file's own bytes (a JSON parser quoting a bad value): escape
    // control characters so that the message stays one line.
    let reason = if reason.contains(char::is_control) {
        reason
            .chars()
            .flat_map(|c| {
                let esc: Vec<char> = if c.is_control() {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                esc
            })
            .collect()
    } else {
        reason
    };
    Error::BadModel {
        path: path.to_path_buf(),
        reason,
    }
}

/// Bounds-checked reader over the model bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                bad(
                    self.path,
                    format!("truncated at byte {}: {} more bytes expected", self.pos, n),
                )
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// `v` terms as versions 1 to 3 store them: each a u32 length and its text.
    fn terms_one_by_one(&mut self, v: usize) -> Result<(String, Vec<usize>)> {
        // Terms go into one blob: no allocation per term, one UTF-8 check for all.
        let mut raw = Vec::new();
        let mut offsets = Vec::with_capacity(v + 1);
        offsets.push(0);
        for _ in 0..v {
            let n = self.u32()? as usize;
            raw.extend_from_slice(self.take(n)?);
            offsets.push(raw.len());
        }
        let blob = String::from_utf8(raw).map_err(|e| {
            bad(
                self.path,
                format!(
                    "vocabulary is not UTF-8 (blob byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        Ok((blob, offsets))
    }

    /// Refuses bytes after the last section.
    fn at_end(&self) -> Result<()> {
        match self.bytes.len() - self.pos {
            0 => Ok(()),
            n => Err(bad(
                self.path,
                format!("{n} unexpected bytes after the weights"),
            )),
        }
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(array(self.take(4)?)))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(array(self.take(8)?)))
    }

    /// A u64 count of items of at least `min_item` bytes each, checked against what is left.
    fn len_u64(&mut self, min_item: usize) -> Result<usize> {
        let n = self.u64()?;
        let left = (self.bytes.len() - self.pos) as u64;
        if n.saturating_mul(min_item as u64) > left {
            return Err(bad(
                self.path,
                format!(
                    "length {n} at byte {} exceeds the {left} bytes left",
                    self.pos - 8
                ),
            ));
        }
        Ok(n as usize)
    }

    fn f32s(&mut self, n: usize) -> Result<Vec<f32>> {
        let bytes = n
            .checked_mul(4)
            .ok_or_else(|| bad(self.path, "array size overflows".into()))?;
        let raw = self.take(bytes)?;
        let out: Vec<f32> = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if let Some(i) = out.iter().position(|v| !v.is_finite()) {
            return Err(bad(
                self.path,
                format!("non-finite number at byte {}", self.pos - bytes + 4 * i),
            ));
        }
        Ok(out)
    }
}
