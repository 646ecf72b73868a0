//! Fitting: texts are turned into terms in parallel chunks, each with its own dictionary
//! ([`Part`]); the dictionaries are merged ([`merge_parts`]), the vocabulary is pruned and
//! sorted, and the training rows are written straight into one CSR matrix.

use rayon::prelude::*;

use super::extract::{Extractor, Scratch};
use super::settings::{FeatureSettings, FeatureValidParams};
use super::transform::tfidf_sorted;
use super::{Vectorizer, Vocabulary};
use crate::error::{Error, Result};
use crate::features::SparseRecords;
use crate::util::FastMap;

impl FeatureValidParams {
    /// Learn the vocabulary and IDF from training texts.
    pub fn fit<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vectorizer> {
        self.fit_transform(texts).map(|(v, _)| v)
    }

    /// Learn the vocabulary and IDF and return the training rows too, tokenizing each text
    /// once: chunks of texts are turned into local term ids in parallel, the local
    /// dictionaries are merged, the vocabulary is pruned, and the kept ids become columns.
    pub fn fit_transform<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
    ) -> Result<(Vectorizer, SparseRecords)> {
        let (pending, x) = self.fit_transform_pending(texts)?;
        Ok((pending.build()?, x))
    }

    /// [`FeatureValidParams::fit_transform`], leaving the vocabulary's lookup table to be
    /// built later ([`PendingVectorizer::build`]): training needs the rows at once and the
    /// table only to predict, so the two can be made side by side.
    pub fn fit_transform_pending<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
    ) -> Result<(PendingVectorizer, SparseRecords)> {
        let s = &self.0;
        let n = texts.len();
        let parts = count_terms(&Extractor::new(s), texts);
        let Merged {
            origin,
            df,
            ids: remaps,
        } = merge_parts(&parts);
        let kept = kept_terms(s, n, &parts, &origin, &df);
        let fitted = FittedTerms::new(kept, n, &parts, &origin, &df);
        let x = write_rows(
            parts,
            remaps,
            &fitted.column,
            &fitted.idf,
            s.sublinear_tf,
            n,
        );
        let pending = PendingVectorizer {
            settings: s.clone(),
            blob: fitted.blob,
            offsets: fitted.offsets,
            hashes: fitted.hashes,
            idf: fitted.idf,
        };
        Ok((pending, x))
    }
}

/// Each chunk of texts counted into its own dictionary, in parallel.
fn count_terms<S: AsRef<str> + Sync>(extractor: &Extractor, texts: &[S]) -> Vec<Part> {
    // Several chunks per thread, so that no thread idles while another finishes a
    // last large one; the result does not depend on the chunk size.
    let chunk = (texts.len() / (4 * rayon::current_num_threads())).clamp(MIN_CHUNK, MAX_CHUNK);
    texts
        .par_chunks(chunk)
        .map(|chunk| Part::build(extractor, chunk))
        .collect()
}

/// The merged terms that the document-frequency bounds and the size cap keep, as (text,
/// merged id), in the terms' byte order: the order of the columns.
fn kept_terms<'p>(
    s: &FeatureSettings,
    n: usize,
    parts: &'p [Part],
    origin: &[(u32, u32)],
    df: &[u32],
) -> Vec<(&'p str, u32)> {
    let max_df = ((s.max_df as f64 * n as f64).floor() as u32).max(1);
    let mut kept: Vec<(&str, u32)> = origin
        .iter()
        .enumerate()
        .filter(|&(g, _)| {
            let d = df[g];
            d >= s.min_df && d <= max_df
        })
        .map(|(g, &(pi, local))| (parts[pi as usize].term(local as usize), g as u32))
        .collect();
    if let Some(m) = s.max_features {
        if kept.len() > m {
            // Most frequent first; ties broken by the term so the choice is deterministic.
            kept.par_sort_unstable_by(|a, b| {
                df[b.1 as usize]
                    .cmp(&df[a.1 as usize])
                    .then_with(|| a.0.cmp(b.0))
            });
            kept.truncate(m);
        }
    }
    // Columns follow the terms' byte order.
    kept.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    kept
}

/// The kept terms as a vocabulary's parts, and each merged id's column.
struct FittedTerms {
    /// Column of each merged id, `u32::MAX` for a dropped term.
    column: Vec<u32>,
    idf: Vec<f32>,
    hashes: Vec<u64>,
    blob: String,
    offsets: Vec<usize>,
}

impl FittedTerms {
    /// From the kept terms in column order (taken, so that their borrow of the parts ends
    /// here), the document count and the merged terms.
    fn new(
        kept: Vec<(&str, u32)>,
        n: usize,
        parts: &[Part],
        origin: &[(u32, u32)],
        df: &[u32],
    ) -> FittedTerms {
        let mut column = vec![u32::MAX; df.len()];
        for (c, (_, g)) in kept.iter().enumerate() {
            column[*g as usize] = c as u32;
        }
        let idf: Vec<f32> = kept
            .par_iter()
            .map(|&(_, g)| {
                let d = df[g as usize];
                (((1 + n) as f64 / (1 + d) as f64).ln() + 1.0) as f32
            })
            .collect();
        // The vocabulary's table reuses the hashes computed while counting.
        let hashes: Vec<u64> = kept
            .par_iter()
            .map(|&(_, g)| {
                let (pi, local) = origin[g as usize];
                parts[pi as usize].hashes[local as usize]
            })
            .collect();
        // The terms' text in one blob, written in parallel pieces that are then joined.
        let mut offsets = Vec::with_capacity(kept.len() + 1);
        offsets.push(0);
        for (k, _) in &kept {
            offsets.push(offsets[offsets.len() - 1] + k.len());
        }
        let pieces: Vec<String> = kept
            .par_chunks(4096)
            .map(|c| c.iter().map(|(k, _)| *k).collect())
            .collect();
        let blob = pieces.concat();
        FittedTerms {
            column,
            idf,
            hashes,
            blob,
            offsets,
        }
    }
}

/// The training rows, from each part's documents (term ids in order) mapped to columns.
///
/// The rows are written straight into the matrix's arrays: each chunk gets a region as
/// long as its term occurrences (an upper bound of its non-zeros), fills the front of it,
/// and the regions are then moved together. The arrays start as untouched zeroed memory, so
/// the unused ends of the regions never become resident, and no second copy of the rows
/// exists at any time (with it, training on a million texts peaked 125 MiB higher). The
/// parts are dropped as soon as the regions are filled.
fn write_rows(
    parts: Vec<Part>,
    remaps: Vec<Vec<u32>>,
    column: &[u32],
    idf: &[f32],
    sublinear: bool,
    n: usize,
) -> SparseRecords {
    let ncols = idf.len();
    let bound: Vec<usize> = parts.iter().map(|p| p.ids.len()).collect();
    let total: usize = bound.iter().sum();
    let mut indices = vec![0u32; total];
    let mut data = vec![0f32; total];
    let mut regions = Vec::with_capacity(parts.len());
    let (mut rest_i, mut rest_d) = (&mut indices[..], &mut data[..]);
    for &len in &bound {
        let (ri, ti) = std::mem::take(&mut rest_i).split_at_mut(len);
        let (rd, td) = std::mem::take(&mut rest_d).split_at_mut(len);
        regions.push((ri, rd));
        rest_i = ti;
        rest_d = td;
    }
    let lens: Vec<Vec<usize>> = parts
        .par_iter()
        .zip(remaps.par_iter())
        .zip(regions.into_par_iter())
        .map(|((Part { ptr, ids, .. }, remap), (ri, rd))| {
            let mut lens = Vec::with_capacity(ptr.len());
            let mut idx = Vec::new();
            let mut val = Vec::new();
            let mut cols = Vec::new();
            let mut at = 0;
            for w in ptr.windows(2) {
                cols.clear();
                cols.extend(
                    ids[w[0]..w[1]]
                        .iter()
                        .map(|&l| column[remap[l as usize] as usize])
                        .filter(|&c| c != u32::MAX),
                );
                idx.clear();
                val.clear();
                tfidf_row(&mut cols, idf, sublinear, &mut idx, &mut val);
                // A document's non-zeros never outnumber its term occurrences.
                ri[at..at + idx.len()].copy_from_slice(&idx);
                rd[at..at + val.len()].copy_from_slice(&val);
                at += idx.len();
                lens.push(idx.len());
            }
            lens
        })
        .collect();
    drop(parts);
    drop(remaps);
    let mut indptr = Vec::with_capacity(n + 1);
    indptr.push(0);
    let (mut from, mut to) = (0, 0);
    for (lens, len) in lens.iter().zip(&bound) {
        let nnz: usize = lens.iter().sum();
        indices.copy_within(from..from + nnz, to);
        data.copy_within(from..from + nnz, to);
        for l in lens {
            indptr.push(to + l);
            to += l;
        }
        from += len;
    }
    indices.truncate(to);
    indices.shrink_to_fit();
    data.truncate(to);
    data.shrink_to_fit();
    SparseRecords::from_csr(ncols, indptr, indices, data)
}

/// [`merge_parts`] has `2^MERGE_SHARD_BITS` shards, chosen by a term hash's top bits.
const MERGE_SHARD_BITS: u32 = 4;
const MERGE_SHARDS: usize = 1 << MERGE_SHARD_BITS;
/// Part entries up to which [`merge_parts`] works in parallel: at most 32 MiB of lists,
/// and shard maps reserved for as many entries.
const PARALLEL_MERGE_UP_TO: usize = 1 << 22;

/// Merge the chunk dictionaries into global term ids. Terms are told apart by their 64-bit
/// hash, as lookups do (see [`Vocabulary`]).
///
/// A term's shard is fixed by its hash, so the shards are merged in parallel, each over
/// the parts in order; a shard's ids then follow the ones of the shards before it. The ids
/// differ from a serial merge's, but nothing downstream depends on them: columns are
/// ordered by the terms' text.
fn merge_parts(parts: &[Part]) -> Merged {
    // The shards' lists take 8 bytes per part entry on top of the result, and each shard's
    // map is reserved for all of its entries (repeats included): fine for small inputs,
    // but on a million texts this lifted training's peak memory by about 110 MB, so large
    // inputs are merged serially.
    if parts.iter().map(|p| p.hashes.len()).sum::<usize>() > PARALLEL_MERGE_UP_TO {
        return merge_serially(parts);
    }
    let shard_of = |h: u64| (h >> (64 - MERGE_SHARD_BITS)) as usize;
    // Each part's local ids, by shard.
    let by_shard: Vec<Vec<Vec<u32>>> = parts
        .par_iter()
        .map(|p| {
            let mut lists = vec![Vec::new(); MERGE_SHARDS];
            for (local, &h) in p.hashes.iter().enumerate() {
                lists[shard_of(h)].push(local as u32);
            }
            lists
        })
        .collect();
    // Per shard: its terms, with each part's shard-local ids in the order of `by_shard`.
    let shards: Vec<Merged> = (0..MERGE_SHARDS)
        .into_par_iter()
        .map(|sh| {
            let size: usize = by_shard.iter().map(|l| l[sh].len()).sum();
            let mut map: FastMap<u64, u32> =
                FastMap::with_capacity_and_hasher(size, Default::default());
            let mut origin = Vec::with_capacity(size);
            let mut df: Vec<u32> = Vec::with_capacity(size);
            let mut ids = Vec::with_capacity(parts.len());
            for (pi, (part, lists)) in parts.iter().zip(&by_shard).enumerate() {
                let mut part_ids = Vec::with_capacity(lists[sh].len());
                for &local in &lists[sh] {
                    let next = origin.len() as u32;
                    let g = *map.entry(part.hashes[local as usize]).or_insert(next);
                    if g == next {
                        origin.push((pi as u32, local));
                        df.push(0);
                    }
                    df[g as usize] += part.df[local as usize];
                    part_ids.push(g);
                }
                ids.push(part_ids);
            }
            Merged { origin, df, ids }
        })
        .collect();
    let mut first = Vec::with_capacity(MERGE_SHARDS);
    let mut total = 0u32;
    for shard in &shards {
        first.push(total);
        total += shard.origin.len() as u32;
    }
    let remaps: Vec<Vec<u32>> = parts
        .par_iter()
        .zip(&by_shard)
        .enumerate()
        .map(|(pi, (part, lists))| {
            let mut remap = vec![0u32; part.hashes.len()];
            for (sh, list) in lists.iter().enumerate() {
                for (&local, &g) in list.iter().zip(&shards[sh].ids[pi]) {
                    remap[local as usize] = first[sh] + g;
                }
            }
            remap
        })
        .collect();
    let mut origin = Vec::with_capacity(total as usize);
    let mut df = Vec::with_capacity(total as usize);
    for shard in shards {
        origin.extend(shard.origin);
        df.extend(shard.df);
    }
    Merged {
        origin,
        df,
        ids: remaps,
    }
}

/// Terms merged from chunk dictionaries.
struct Merged {
    /// Where each term's text is: (part, local id).
    origin: Vec<(u32, u32)>,
    /// Document frequency of each term.
    df: Vec<u32>,
    /// For each part, its local ids' merged ids.
    ids: Vec<Vec<u32>>,
}

/// [`merge_parts`] one part after another: no memory beyond the result's.
fn merge_serially(parts: &[Part]) -> Merged {
    let first = parts.first().map_or(0, |p| p.hashes.len());
    let mut global: FastMap<u64, u32> =
        FastMap::with_capacity_and_hasher(2 * first, Default::default());
    let mut origin: Vec<(u32, u32)> = Vec::with_capacity(2 * first);
    let mut df: Vec<u32> = Vec::with_capacity(2 * first);
    let mut remaps: Vec<Vec<u32>> = Vec::with_capacity(parts.len());
    for (pi, part) in parts.iter().enumerate() {
        let mut remap = vec![0u32; part.hashes.len()];
        for (local, (&h, &d)) in part.hashes.iter().zip(&part.df).enumerate() {
            let next = origin.len() as u32;
            let g = *global.entry(h).or_insert(next);
            if g == next {
                origin.push((pi as u32, local as u32));
                df.push(0);
            }
            df[g as usize] += d;
            remap[local] = g;
        }
        remaps.push(remap);
    }
    Merged {
        origin,
        df,
        ids: remaps,
    }
}

/// Texts per parallel work unit in `fit_transform`, at least and at most. Each chunk has
/// its own dictionary, merged afterwards ([`merge_parts`]): chunks too small repeat that
/// work.
const MIN_CHUNK: usize = 256;
const MAX_CHUNK: usize = 2048;

/// One chunk's local dictionary (term texts and hashes by local id, in first-seen order),
/// document frequencies by local id, and every document's term ids in order (CSR-like:
/// `ptr` delimits documents in `ids`).
struct Part {
    blob: String,
    /// End of each term in `blob`.
    ends: Vec<usize>,
    hashes: Vec<u64>,
    df: Vec<u32>,
    ptr: Vec<usize>,
    ids: Vec<u32>,
}

impl Part {
    fn build<S: AsRef<str>>(extractor: &Extractor, chunk: &[S]) -> Part {
        let mut map: FastMap<u64, u32> = FastMap::default();
        let mut part = Part {
            blob: String::new(),
            ends: Vec::new(),
            hashes: Vec::new(),
            df: Vec::new(),
            ptr: Vec::with_capacity(chunk.len() + 1),
            ids: Vec::new(),
        };
        let mut last: Vec<u32> = Vec::new();
        let mut scratch = Scratch::default();
        part.ptr.push(0);
        for (d, t) in chunk.iter().enumerate() {
            let d = d as u32;
            extractor.each(t.as_ref(), &mut scratch, true, &mut |term, h, _| {
                let next = part.hashes.len() as u32;
                let id = *map.entry(h).or_insert(next);
                if id == next {
                    // A new term: only now is its text written.
                    term.push_to(&mut part.blob);
                    part.ends.push(part.blob.len());
                    part.hashes.push(h);
                    part.df.push(0);
                    last.push(u32::MAX);
                }
                // Count each term once per document.
                if last[id as usize] != d {
                    last[id as usize] = d;
                    part.df[id as usize] += 1;
                }
                part.ids.push(id);
            });
            part.ptr.push(part.ids.len());
        }
        part
    }

    fn term(&self, local: usize) -> &str {
        let start = if local == 0 { 0 } else { self.ends[local - 1] };
        &self.blob[start..self.ends[local]]
    }
}

/// Append the L2-normalised TF-IDF row of the column ids in `cols` (any order, repeats
/// meaning term frequency) to `idx`/`val`.
fn tfidf_row(
    cols: &mut [u32],
    idf: &[f32],
    sublinear: bool,
    idx: &mut Vec<u32>,
    val: &mut Vec<f32>,
) {
    cols.sort_unstable();
    tfidf_sorted(cols, |&c| c, |&c| idf[c as usize], sublinear, idx, val);
}

/// A fitted vectorizer whose vocabulary lookup table is not built yet.
pub struct PendingVectorizer {
    settings: FeatureSettings,
    blob: String,
    offsets: Vec<usize>,
    hashes: Vec<u64>,
    idf: Vec<f32>,
}

impl PendingVectorizer {
    /// Build the lookup table. Fails only for terms crafted to collide (see
    /// [`Vocabulary::from_blob`]).
    pub fn build(self) -> Result<Vectorizer> {
        let vocab = Vocabulary::with_hashes(self.blob, self.offsets, self.hashes)
            .map_err(Error::Training)?;
        Ok(Vectorizer::from_parts(self.settings, vocab, self.idf))
    }
}

#[cfg(test)]
mod tests {
    use linfa::ParamGuard;

    use super::*;
    use crate::features::vectorizer::settings::plain;
    use crate::features::FeatureParams;

    /// Hand-computed: docs "a b", "a c", "a a d" (unigrams, raw tf, smooth idf, L2).
    /// n = 3; df(a)=3, df(b)=df(c)=df(d)=1.
    /// idf(a) = ln(4/4)+1 = 1; idf(b) = ln(4/2)+1 = 1.693147.
    /// Doc 3: tf(a)=2, tf(d)=1 → (2, 1.693147) / sqrt(4 + 2.866747) = (0.763228, 0.646129).
    #[test]
    fn tfidf_matches_hand_computed_example() {
        let docs = ["a b", "a c", "a a d"];
        let v = plain()
            .ngrams(1, 1)
            .sublinear_tf(false)
            .check()
            .unwrap()
            .fit(&docs)
            .unwrap();
        assert_eq!(v.vocabulary().terms(), ["a", "b", "c", "d"]);
        assert!((v.idf()[0] - 1.0).abs() < 1e-6);
        assert!((v.idf()[1] - 1.693_147).abs() < 1e-5);
        let (idx, val) = v.transform_one("a a d");
        assert_eq!(idx, [0, 3]);
        assert!((val[0] - 0.763_228).abs() < 1e-5, "{val:?}");
        assert!((val[1] - 0.646_129).abs() < 1e-5, "{val:?}");
        // Sublinear: tf(a) = 1 + ln 2 = 1.693147, so both weights are equal.
        let v = plain().ngrams(1, 1).check().unwrap().fit(&docs).unwrap();
        let (_, val) = v.transform_one("a a d");
        assert!((val[0] - val[1]).abs() < 1e-6);
    }

    #[test]
    fn fit_transform_rows_equal_transform_rows() {
        let docs: Vec<String> = (0..5000)
            .map(|i| {
                format!(
                    "doc {} says word{} and word{} not word{}",
                    i % 7,
                    i % 13,
                    i % 29,
                    i % 3
                )
            })
            .collect();
        for min_df in [1, 3] {
            let p = plain().min_df(min_df).check().unwrap();
            let (v, x) = p.fit_transform(&docs).unwrap();
            assert_eq!(x, v.transform(&docs));
            assert_eq!(
                v.vocabulary().terms(),
                p.fit(&docs).unwrap().vocabulary().terms()
            );
        }
    }

    #[test]
    fn min_df_max_df_and_max_features_prune() {
        let docs = ["a b", "a c", "a b d"];
        let terms = |p: FeatureParams| {
            p.ngrams(1, 1)
                .check()
                .unwrap()
                .fit(&docs)
                .unwrap()
                .vocabulary()
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(terms(plain().min_df(2)), ["a", "b"]);
        assert_eq!(terms(plain().max_df(0.9)), ["b", "c", "d"]);
        assert_eq!(terms(plain().max_features(Some(2))), ["a", "b"]);
    }

    #[test]
    fn sharded_and_serial_merges_agree() {
        // The serial merge is what inputs past PARALLEL_MERGE_UP_TO get; both must count
        // every term's documents alike and give each term one id.
        let ex = Extractor::new(plain().check().unwrap().settings());
        let texts: Vec<String> = (0..3000)
            .map(|i| format!("w{} w{} and w{} again w{}", i % 7, i % 113, i % 1009, i))
            .collect();
        let parts: Vec<Part> = texts.chunks(256).map(|c| Part::build(&ex, c)).collect();
        let (a, b) = (merge_parts(&parts), merge_serially(&parts));
        assert_eq!(a.origin.len(), b.origin.len());
        let mut df_a = std::collections::HashMap::new();
        for (pi, part) in parts.iter().enumerate() {
            for (local, &h) in part.hashes.iter().enumerate() {
                let (ga, gb) = (a.ids[pi][local] as usize, b.ids[pi][local] as usize);
                assert_eq!(a.df[ga], b.df[gb], "term hash {h:x}");
                assert_eq!(*df_a.entry(h).or_insert(ga), ga, "one id per term");
            }
        }
    }

    #[test]
    fn fitted_columns_follow_the_terms_byte_order() {
        let texts = ["zebra ab abc", "abcdefghij abcdefghia ab", "é a"];
        let v = plain().ngrams(1, 1).check().unwrap();
        let (vec, _) = v.fit_transform(&texts).unwrap();
        let terms = vec.vocabulary().terms();
        let mut sorted = terms.clone();
        sorted.sort();
        assert_eq!(terms, sorted);
        assert!(terms.contains(&"abcdefghia") && terms.contains(&"abcdefghij"));
    }
}
