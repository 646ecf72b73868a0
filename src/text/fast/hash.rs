//! The hash of one word of a feature term ([`word_hash`]), and the multiply-fold it is
//! built from, which term hashes share ([`fold_mul`]).

/// Hash of one word of a feature term. Terms are hashed word by word (see
/// [`crate::features::term_hash`]), so this is computed once per distinct word.
///
/// Terms are identified by this hash alone, so every input bit must reach every output
/// bit: each 8-byte chunk goes through a 64×64→128-bit multiply whose halves are folded
/// together. (A multiply-rotate hash like FxHash is not enough: `NEG_stifl` and
/// `NEG_sting` collide under it, since a change in a chunk's top byte only reaches the
/// top bits, which the next chunk's low byte can cancel.)
#[inline]
pub fn word_hash(word: &[u8]) -> u64 {
    let mut h = fold_mul(WORD_SEED ^ word.len() as u64, K1);
    let mut chunks = word.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = fold_mul(h ^ u64::from_le_bytes(b), K2);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        h = fold_mul(h ^ tail_le(rest), K3);
    }
    h
}

/// The 1 to 7 bytes of `rest` as a little-endian integer, zero-padded: what copying them
/// into a zeroed `[u8; 8]` gives, with two overlapping loads instead of a `memcpy` call
/// (most words end in such a tail, so this is on every lookup's path).
#[inline(always)]
fn tail_le(rest: &[u8]) -> u64 {
    let n = rest.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as u64;
        let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]) as u64;
        // The bytes both loads cover are equal, so or-ing the shifted high load is exact.
        lo | hi << (8 * (n - 4))
    } else {
        let (a, b, c) = (rest[0] as u64, rest[n / 2] as u64, rest[n - 1] as u64);
        a | b << (8 * (n / 2)) | c << (8 * (n - 1))
    }
}

const WORD_SEED: u64 = 0x243f_6a88_85a3_08d3;
const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xbf58_476d_1ce4_e5b9;
const K3: u64 = 0x94d0_49bb_1331_11eb;

/// The 128-bit product of `a` and `b`, its two halves xor-ed: every bit of `a` reaches
/// every bit of the result.
#[inline(always)]
pub(crate) fn fold_mul(a: u64, b: u64) -> u64 {
    let p = a as u128 * b as u128;
    (p as u64) ^ ((p >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_hash_tails_equal_zero_padded_chunks() {
        let bytes = b"abcdefghijklmno";
        for n in 1..8 {
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(&bytes[..n]);
            assert_eq!(
                tail_le(&bytes[..n]),
                u64::from_le_bytes(b),
                "tail of {n} bytes"
            );
        }
    }
}
