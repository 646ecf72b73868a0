//! Small shared pieces: the seeded random number generator, a fast hasher for term maps,
//! atomic file writes, date formatting, and progress events ([`progress`]).

pub mod progress;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use crate::error::{Error, Result};

mod atomic;

pub use atomic::{write_atomic, write_atomic_with};

/// The one random number generator of `stance`: SplitMix64, seeded from `--seed`.
///
/// Small, fast and fully specified, so runs are reproducible bit for bit on every platform.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (`n > 0`), by Lemire's multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Fisher-Yates shuffle in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// FxHash-style hasher: term maps hash millions of short strings, where SipHash's
/// DoS resistance costs more than it protects (keys come from the user's own data).
#[derive(Default, Clone, Copy)]
pub struct FastHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    /// The multiply-rotate steps leave the low bits weakly mixed, and hashbrown picks the
    /// bucket from the low bits: without this finaliser (MurmurHash3's fmix64) similar
    /// strings pile into the same buckets and lookups degrade into long probe chains.
    #[inline]
    fn finish(&self) -> u64 {
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Known signatures of files that are not text, what each is, and what to do with it.
/// Checked before any decoding, because `--lossy` would turn them into pages of garbage.
const SIGNATURES: &[(&[u8], &str, &str)] = &[
    (
        b"%PDF-",
        "a PDF",
        "convert it to text first (e.g. `pdftotext FILE FILE.txt`)",
    ),
    (
        b"PK\x03\x04",
        "a ZIP archive (or a .docx, .xlsx or .odt document)",
        "unpack or convert it to text first",
    ),
    (
        b"\x1f\x8b",
        "a gzip file",
        "decompress it first (e.g. `gunzip FILE`)",
    ),
    (
        b"\x28\xb5\x2f\xfd",
        "a zstd file",
        "decompress it first (e.g. `zstd -d FILE`)",
    ),
    (
        b"\xfd7zXZ\x00",
        "an xz file",
        "decompress it first (e.g. `xz -d FILE`)",
    ),
    (
        b"BZh",
        "a bzip2 file",
        "decompress it first (e.g. `bunzip2 FILE`)",
    ),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it first"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Microsoft Office document (.doc, .xls)",
        "save it as plain text first",
    ),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "only text can be read"),
    (b"\xff\xd8\xff", "a JPEG image", "only text can be read"),
    (b"GIF8", "a GIF image", "only text can be read"),
    (b"\x7fELF", "an executable", "only text can be read"),
    (
        b"SQLite format 3\x00",
        "an SQLite database",
        "export the table as CSV first",
    ),
];

/// If a file starting with `head` is not text, what it looks like and what to do, from a
/// known signature (PDF, ZIP, gzip, …). NUL bytes are left to the readers, which name
/// their line and offset.
pub fn not_text(head: &[u8]) -> Option<(&'static str, &'static str)> {
    SIGNATURES.iter().find_map(|&(sig, what, advice)| {
        // `BZh` alone could start a word; bzip2 follows it with the block size digit.
        let bzip_digit = sig != b"BZh" || head.get(3).is_some_and(u8::is_ascii_digit);
        (head.starts_with(sig) && bzip_digit).then_some((what, advice))
    })
}

/// [`not_text`] as an error naming `file`.
pub fn check_text(file: &str, head: &[u8]) -> Result<()> {
    match not_text(head) {
        Some((what, advice)) => Err(Error::NotText {
            file: file.to_string(),
            what,
            advice,
        }),
        None => Ok(()),
    }
}

/// Refuse a directory where a file is expected, as bad usage (reading one fails with an
/// I/O error that would otherwise count as a runtime failure).
pub fn not_a_directory(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a directory, not a file",
            ),
        ));
    }
    Ok(())
}

/// Today's date as `YYYY-MM-DD` (UTC), without a date library. `SOURCE_DATE_EPOCH`, when
/// set, replaces the clock so that rebuilt models are identical byte for byte.
pub fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A `YYYY-MM-DD` date as days since 1970-01-01, or `None` when it is not a real date.
pub fn days_from_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    // Howard Hinnant's days_from_civil, the inverse of `civil_from_days`.
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    // 2023-02-30 would land on 2023-03-02: refuse dates that do not round-trip.
    (civil_from_days(days) == (y, m, d)).then_some(days)
}

/// Days since 1970-01-01 as `YYYY-MM-DD`.
pub fn date_from_days(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Return freed heap memory to the operating system, after work that touched `bytes`.
///
/// Feature extraction allocates and frees many buffers of a few megabytes from several
/// threads; glibc keeps such memory in its arenas after it is freed. On a million texts,
/// trimming after extraction took the resident memory while the optimiser ran from 2,178
/// to 1,313 MiB. Below [`TRIM_FROM`] bytes it is not done: the memory would be faulted
/// back in by the next allocations (on MR's training, 1 MB of text: about 700 page faults).
pub fn release_free_memory(bytes: usize) {
    if bytes < TRIM_FROM {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory no allocation refers to; it has no
    // preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Input size from which [`release_free_memory`] trims: 64 MiB.
pub const TRIM_FROM: usize = 64 << 20;

/// Ask the CPU to start loading the cache line holding `r`. Lookups into large tables
/// (vocabulary, weights, the analysis memo) are independent of each other; asking for all
/// of their lines first lets the memory system fetch them together.
#[inline(always)]
pub fn prefetch<T>(r: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint and never faults; `r` is a valid reference anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (r as *const T).cast(),
        )
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = r;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_day_numbers_round_trip() {
        assert_eq!(days_from_date("1970-01-01"), Some(0));
        assert_eq!(days_from_date("2023-12-25"), Some(19_716));
        assert_eq!(days_from_date("2000-02-29"), Some(11_016));
        assert_eq!(days_from_date("2023-02-29"), None);
        assert_eq!(days_from_date("2023-13-01"), None);
        assert_eq!(days_from_date("2023-1-01"), None);
        assert_eq!(date_from_days(19_716), "2023-12-25");
        for z in [-1, 0, 59, 10_000, 20_000, 2_000_000] {
            assert_eq!(days_from_date(&date_from_days(z)), Some(z));
        }
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_716), (2023, 12, 25));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn rng_is_reproducible_and_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            let x = a.below(10);
            assert_eq!(x, b.below(10));
            assert!(x < 10);
        }
        let u = a.unit();
        assert!((0.0..1.0).contains(&u));
    }
}
