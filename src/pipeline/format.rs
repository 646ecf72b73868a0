//! The one-file model format: the whole fitted pipeline (analysis settings, vocabulary,
//! IDF, weights, ordered labels, hyperparameters, training metadata).
//!
//! # File format, version 2
//!
//! | bytes | content |
//! |---|---|
//! | 13 | magic `STANCE-MODEL\n` |
//! | 4 | format version, u32 little-endian |
//! | 8 + h | header length, then the header as JSON ([`ModelHeader`]) |
//! | 8 + … | vocabulary size `V`, then `V` terms, each a u32 byte length and UTF-8 bytes |
//! | 4·V | IDF per term, f32 |
//! | 4·V·K | weights, feature-major, f32 |
//! | 4·K | intercepts, f32 |
//! | 32 | SHA-256 of every byte before it |
//!
//! Version 1 files still load: they differ only by a hash table after the terms (a u64
//! slot count `S`, then `S` u32 slots), which is skipped; the lookup table is always built
//! from the terms when a model is loaded.
//!
//! Integers and floats are little-endian. The loader checks the checksum before parsing and
//! checks every length against the bytes left before allocating, so a truncated, corrupted
//! or hostile file is refused with a message and never panics or allocates without bound.

use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::{ModelHeader, Pipeline};
use crate::error::{Error, Result};
use crate::features::{FeatureParams, Vectorizer, Vocabulary};
use crate::models::prior::Prior;
use crate::models::LinearModel;

/// The file's first bytes.
pub const MAGIC: &[u8; 13] = b"STANCE-MODEL\n";
/// The newest format version this build reads and writes. A model that uses what version 2
/// readers do not know (actor marks, polarity terms, a stored class prior) is written as
/// version 3, so they
/// refuse it instead of predicting without it; any other model is still written as version 2.
pub const FORMAT_VERSION: u32 = 3;
/// Largest model file the loader accepts.
pub const MAX_MODEL_BYTES: u64 = 4 << 30;

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

    /// The oldest format version that holds everything this model uses.
    pub fn format_version(&self) -> u32 {
        let f = &self.header.features;
        if f.marks || f.polarity.is_some() || self.header.prior.is_some() {
            3
        } else {
            2
        }
    }

    /// Serialise to bytes (see the module docs for the layout).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let header = serde_json::to_vec(&self.header).map_err(|e| Error::BadModel {
            path: "<memory>".into(),
            reason: e.to_string(),
        })?;
        let vocab = self.vectorizer.vocabulary();
        let (idf, weights, bias) = (
            self.vectorizer.idf(),
            self.model.weights(),
            self.model.bias(),
        );
        let floats = idf.len() + weights.len() + bias.len();
        let term_bytes: usize = vocab.iter().map(str::len).sum();
        // The exact size: a model of 100k terms is a few megabytes, and growing the buffer
        // past a guess copied all of it once more.
        let size = MAGIC.len() + 4 + 8 + header.len() + 8 + 4 * vocab.len() + term_bytes;
        let mut out = Vec::with_capacity(size + 4 * floats + 32);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.format_version().to_le_bytes());
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&(vocab.len() as u64).to_le_bytes());
        for t in vocab.iter() {
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
            out.extend_from_slice(t.as_bytes());
        }
        // Floats are written into place, a slice at a time: a loop the compiler turns into
        // block copies on little-endian machines.
        out.resize(size + 4 * floats, 0);
        let mut at = size;
        for part in [idf, weights, bias] {
            let dst = &mut out[at..at + 4 * part.len()];
            for (d, v) in dst.chunks_exact_mut(4).zip(part) {
                d.copy_from_slice(&v.to_le_bytes());
            }
            at += 4 * part.len();
        }
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
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
        if bytes.len() < cur.pos + 32 {
            return Err(bad(path, format!("truncated: only {} bytes", bytes.len())));
        }
        let (body, digest) = bytes.split_at(bytes.len() - 32);
        // The checksum and the parse run side by side. The parser never trusts the bytes
        // (it is fuzzed on files with valid checksums), and a checksum mismatch is what
        // gets reported whatever the parse found.
        let (intact, parsed) = rayon::join(
            || Sha256::digest(body).as_slice() == digest,
            || Pipeline::parse_body(body, cur.pos, version, path),
        );
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
        // Terms go into one blob: no allocation per term, one UTF-8 check for all.
        let mut raw = Vec::new();
        let mut offsets = Vec::with_capacity(v + 1);
        offsets.push(0);
        for _ in 0..v {
            let n = cur.u32()? as usize;
            raw.extend_from_slice(cur.take(n)?);
            offsets.push(raw.len());
        }
        let blob = String::from_utf8(raw).map_err(|e| {
            bad(
                path,
                format!(
                    "vocabulary is not UTF-8 (blob byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        if let Some(i) = offsets.iter().position(|&o| !blob.is_char_boundary(o)) {
            return Err(bad(
                path,
                format!("term {i} does not start on a character boundary"),
            ));
        }
        // `train` writes terms sorted and unique; anything else is corruption.
        if let Some(i) = (1..v)
            .into_par_iter()
            .with_min_len(4096)
            .find_first(|&i| blob[offsets[i - 1]..offsets[i]] >= blob[offsets[i]..offsets[i + 1]])
        {
            return Err(bad(
                path,
                format!("terms out of order or repeated at term {i}"),
            ));
        }
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
        if cur.pos != body.len() {
            return Err(bad(
                path,
                format!(
                    "{} unexpected bytes after the weights",
                    body.len() - cur.pos
                ),
            ));
        }
        if !(header.temperature.is_finite() && header.temperature > 0.0) {
            return Err(bad(path, "temperature must be a positive number".into()));
        }
        let vocab = Vocabulary::from_blob(blob, offsets)
            .map_err(|e| bad(path, format!("vocabulary: {e}")))?;
        let model = LinearModel::new(v, k, weights, bias, header.temperature);
        let vectorizer = Vectorizer::from_parts(header.features.clone(), vocab, idf);
        let mut p = Pipeline {
            vectorizer,
            model,
            header,
        };
        p.set_prior(&Prior::Model)
            .map_err(|e| bad(path, format!("header: {e}")))?;
        Ok(p)
    }
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

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A u64 count of items of at least `min_item` bytes each, checked against what is left.
    fn len_u64(&mut self, min_item: usize) -> Result<usize> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        let n = u64::from_le_bytes(a);
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
