//! The challenge generator: xoshiro128** seeded from [`crate::CardConfig::rng_seed`] and the
//! number of power-ups. Not a cryptographic generator: on silicon, replace the seed source with the
//! chip's TRNG; on a host, seed it from the OS (the terminal's `--emulator` does).

use sscard_apdu::StatusWord;

/// xoshiro128** state.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u32; 4],
}

impl Rng {
    pub(crate) fn new(seed: &[u8; 16]) -> Self {
        let mut s = [0u32; 4];
        for (w, c) in s.iter_mut().zip(seed.chunks_exact(4)) {
            let mut b = [0u8; 4];
            b.copy_from_slice(c);
            *w = u32::from_le_bytes(b);
        }
        if s == [0; 4] {
            s = [0x9E37_79B9, 0x7F4A_7C15, 0xF39C_C060, 0x5CED_C834];
        }
        let mut r = Self { s };
        for _ in 0..8 {
            r.next();
        }
        r
    }

    /// Mix extra entropy in (e.g. at every power-up).
    pub(crate) fn stir(&mut self, x: u32) {
        self.s[0] ^= x.wrapping_mul(0x9E37_79B9);
        if self.s == [0; 4] {
            self.s[1] = 1;
        }
        self.next();
    }

    pub(crate) fn next(&mut self) -> u32 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 9;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(11);
        result
    }

    /// A challenge of `len` bytes at the start of `out` (GET CHALLENGE; `6700` when `out` is
    /// shorter).
    pub(crate) fn challenge<'o>(
        &mut self,
        len: u8,
        out: &'o mut [u8],
    ) -> Result<&'o [u8], StatusWord> {
        let buf = out
            .get_mut(..usize::from(len))
            .ok_or(StatusWord::WRONG_LENGTH)?;
        self.fill(buf);
        Ok(buf)
    }

    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        for c in out.chunks_mut(4) {
            let w = self.next().to_le_bytes();
            c.iter_mut().zip(w.iter()).for_each(|(d, s)| *d = *s);
        }
    }
}
