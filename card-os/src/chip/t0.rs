//! T=0 behaviour shared by the card and the PSAM, as real contact cards answer: a command with a
//! data field whose reply carries data answers `61xx` (or its warning `62xx` / `63xx`) and keeps
//! the data for GET RESPONSE (`00 C0 00 00 Le`); a case-2 command whose Le is not the reply's
//! length answers `6Cxx` with the exact length.

use sscard_apdu::StatusWord;

/// `xx` of `61xx` / `6Cxx`: the length, `00` meaning 256.
fn len_byte(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(0)
}

/// Response data kept for GET RESPONSE (T=0 behaviour).
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    buf: [u8; 256],
    len: u16,
    off: u16,
    sw: StatusWord,
}

impl Default for Pending {
    fn default() -> Self {
        Self {
            buf: [0; 256],
            len: 0,
            off: 0,
            sw: StatusWord::OK,
        }
    }
}

impl Pending {
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.off = 0;
    }
    pub(crate) fn set(&mut self, data: &[u8], sw: StatusWord) {
        let n = data.len().min(self.buf.len());
        if let (Some(d), Some(s)) = (self.buf.get_mut(..n), data.get(..n)) {
            d.copy_from_slice(s);
        }
        self.len = n as u16;
        self.off = 0;
        self.sw = sw;
    }
    pub(crate) fn remaining(&self) -> usize {
        usize::from(self.len.saturating_sub(self.off))
    }
    /// Take up to `n` bytes into `out`; returns the count and the SW to answer with.
    pub(crate) fn take(&mut self, n: usize, out: &mut [u8]) -> (usize, StatusWord) {
        let n = n.min(self.remaining()).min(out.len());
        let start = usize::from(self.off);
        if let (Some(d), Some(s)) = (out.get_mut(..n), self.buf.get(start..start + n)) {
            d.copy_from_slice(s);
        }
        self.off += n as u16;
        let rest = self.remaining();
        let sw = if rest == 0 {
            let sw = self.sw;
            self.clear();
            sw
        } else {
            StatusWord::more_data(rest.min(255) as u8)
        };
        (n, sw)
    }

    /// GET RESPONSE: the next `le` bytes of the kept reply (`6985` when none is kept, `6Cxx`
    /// when `le` asks for more than is left).
    pub(crate) fn get_response(&mut self, le: u16, out: &mut [u8]) -> (usize, StatusWord) {
        let rest = self.remaining();
        if rest == 0 {
            return (0, StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let le = usize::from(le);
        if le > rest {
            return (0, StatusWord::wrong_le(len_byte(rest)));
        }
        self.take(le, out)
    }

    /// T=0 shaping of a handler's reply of `len` bytes in `out` with `sw`. With a data field the
    /// reply is kept (and wiped from `out`) and `61xx` answered (a warning `sw` is answered
    /// as it is, the data kept all the same); otherwise an Le other than `len`
    /// answers `6Cxx` announcing `len + announce_extra` (0 on a correct card).
    pub(crate) fn shape(
        &mut self,
        has_data_field: bool,
        ne: Option<u32>,
        len: usize,
        sw: StatusWord,
        out: &mut [u8],
        announce_extra: usize,
    ) -> (usize, StatusWord) {
        if len == 0 {
            return (0, sw);
        }
        if has_data_field {
            self.set(out.get(..len).unwrap_or(&[]), sw);
            out.iter_mut().take(len).for_each(|b| *b = 0);
            // ISO/IEC 7816-3 §12.2.4 (case 4, T=0): a warning `62xx` / `63xx` is answered as it
            // is (the data still kept for GET RESPONSE); otherwise `61xx` announces the data.
            if sw.is_warning() {
                return (0, sw);
            }
            return (0, StatusWord::more_data(len_byte(len)));
        }
        let le = ne.map_or(256, |n| usize::try_from(n).unwrap_or(256));
        if le != len {
            return (0, StatusWord::wrong_le(len_byte(len + announce_extra)));
        }
        (len, sw)
    }
}
