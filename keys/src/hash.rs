//! SM3 (GB/T 32905) digest, for the 3.0 PKI application and data integrity checks.

use sm3::{Digest, Sm3};

/// SM3 digest of the concatenation of `parts`.
pub fn sm3(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sm3::new();
    for p in parts {
        h.update(p);
    }
    let d = h.finalize();
    let mut out = [0u8; 32];
    out.iter_mut().zip(d.iter()).for_each(|(o, b)| *o = *b);
    out
}
