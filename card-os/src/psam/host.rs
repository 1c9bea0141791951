//! The host side of the PSAM protocol: [`PsamDriver`], a `no_std`, allocation-free
//! [`SecurityModule`] that drives a PSAM over any [`PsamChannel`] (a PC/SC reader, an embedded
//! terminal's SAM slot, or the in-process [`super::Psam`]). It lives next to the PSAM so the
//! command encoding (`BF DE`, `80 FA`) exists once for both ends; `sscard_terminal::psam` plugs a
//! terminal `Transport` into it.
//!
//! Per operation (after selecting DF01 by AID, `00 A4 04 00 06 D15600000590`, once):
//!
//! 1. `BF DE <usage> <PSAM key id> Lc F1…Fn ‖ R` — the slot comes from the one table
//!    [`super::keymap::slot_by_name`]; `n` = the usage byte's levels, the factors are the innermost
//!    `n` of the card's [`DiversificationFactors`];
//! 2. `80 FA 00 00 Lc data` (encrypt) or `80 FA 05 0x Lc IV ‖ data` (MAC). The channel returns the
//!    final answer (T=0 `61xx` already followed with GET RESPONSE by the channel's exchange).
//!
//! | operation | R | `80 FA` data | result |
//! |---|---|---|---|
//! | external_auth | card challenge | `S` (8-byte blocks) / `S ‖ ¬S` (SM4) | `C ‖ S` / `C` (16 bytes) |
//! | internal_auth_expected | `P` | as above | `C` (8 / 16 bytes) |
//! | line_mac, sscard (`ProcessKeyZeroIv`) | card challenge | `05 00`: zero IV ‖ MAC input | 4 bytes |
//! | line_mac, PBOC classic | challenge, zero padded | `05 01`: challenge IV ‖ MAC input | 4 bytes |
//! | encrypt_pin_block | card challenge | `Lpin ‖ BCD [‖ 80 00…]` (profile padding) | 8 / 16 bytes |
//!
//! The MAC input (IV included) must fit one short APDU (≤ 255 bytes).
//! `encrypt_pin_block` sends the plain PIN block to the PSAM (`80 FA 00 00`): traces must mask it.

use super::image::{EF15_LEN, EF16_LEN};
use super::keymap::slot_by_name;
use super::{
    CLA_BF, DF01_AID, EF15_FID, EF16_FID, INS_COMPUTE, INS_DIVERSIFY_INIT, P1_ENCRYPT, P1_MAC,
    P2_CARD_KEY, P2_PROCESS_KEY,
};
use heapless::Vec;
use sscard_apdu::ins::SELECT_P1_NAME;
use sscard_apdu::ins::{CLA_ISO, CLA_PROPRIETARY, READ_BINARY, SELECT, SELECT_P1_FID};
use sscard_apdu::StatusWord;
use sscard_keys::profile::{ExtAuthRule, LineMacStrategy};
use sscard_keys::session::encrypted_field_len;
use sscard_keys::{DiversificationFactors, KeyRef, Pin, Profile, SecurityModule};
use zeroize::Zeroizing;

/// Longest short-APDU data field.
const LC_MAX: usize = 255;
/// Response buffer: 256 data bytes + SW.
const RESP_LEN: usize = 258;

/// A link to a PSAM: one command APDU in, the **final** response (`data ‖ SW1 SW2`, T=0 `61xx` /
/// `6Cxx` already handled) out. Faults of the PSAM protocol are turned into the link's error type.
pub trait PsamChannel {
    /// The link's error; [`PsamDriver`] is a [`SecurityModule`] with this error.
    type Error: From<PsamFault>;
    /// Sends `cmd`, writes the response into `resp` and returns its length.
    fn transmit(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, Self::Error>;
}

/// What can go wrong in the PSAM protocol itself (the link's own failures are its error type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PsamFault {
    /// The PSAM refused a command.
    Refused {
        /// The command (e.g. `"BF DE"`).
        operation: &'static str,
        /// Its status word.
        sw: StatusWord,
    },
    /// The PSAM has no key record for the key (`BF DE` → `6A88`).
    KeyNotInPsam {
        /// Key name.
        name: &'static str,
    },
    /// The key name is not in `sscard_specs::keys` (no PSAM slot).
    UnknownKey,
    /// The card's factors have fewer levels than the key.
    NotEnoughFactors {
        /// Key name.
        name: &'static str,
        /// Levels of the key.
        needed: u8,
        /// Levels of the factors.
        given: u8,
    },
    /// A challenge of unusable length.
    BadChallenge(usize),
    /// The data does not fit one short command.
    InputTooLong(usize),
    /// The PIN does not fit a PIN block.
    BadPin,
    /// The PSAM answered a length the operation cannot use.
    BadResponse {
        /// The command.
        operation: &'static str,
        /// Bytes expected.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// The profile asks for something a PSAM does not do.
    Unsupported(&'static str),
}

/// A [`SecurityModule`] that drives a PSAM over a [`PsamChannel`]; no key is in host memory.
#[derive(Debug)]
pub struct PsamDriver<C: PsamChannel> {
    channel: C,
    profile: &'static Profile,
    selected: bool,
}

fn challenge8<E: From<PsamFault>>(challenge: &[u8]) -> Result<&[u8; 8], E> {
    challenge
        .try_into()
        .map_err(|_| PsamFault::BadChallenge(challenge.len()).into())
}

/// The concatenated `parts`, in front of a fresh zeroed (and wiped on drop) block of `N` bytes.
fn fill<const N: usize>(parts: &[&[u8]]) -> Zeroizing<[u8; N]> {
    let mut out = Zeroizing::new([0u8; N]);
    out.iter_mut()
        .zip(parts.iter().flat_map(|p| p.iter()))
        .for_each(|(d, s)| *d = *s);
    out
}

impl<C: PsamChannel> PsamDriver<C> {
    /// A driver for `profile` over `channel` (DF01 is selected at the first operation).
    pub fn new(channel: C, profile: &'static Profile) -> Self {
        PsamDriver {
            channel,
            profile,
            selected: false,
        }
    }

    /// The channel.
    pub fn channel(&self) -> &C {
        &self.channel
    }

    /// The channel, mutable (DF01 is selected again before the next operation).
    pub fn channel_mut(&mut self) -> &mut C {
        self.selected = false;
        &mut self.channel
    }

    /// Gives the channel back.
    pub fn into_channel(self) -> C {
        self.channel
    }

    /// Sends `header [‖ Lc ‖ parts] [‖ Le]` from a wiped buffer; writes the response data into
    /// `out` and returns its length and the status word. Data longer than `out` is
    /// [`PsamFault::BadResponse`]; a link error deselects DF01 (the PSAM may have been reset).
    fn transmit(
        &mut self,
        header: [u8; 4],
        parts: &[&[u8]],
        le: Option<u8>,
        out: &mut [u8],
        operation: &'static str,
    ) -> Result<(usize, StatusWord), C::Error> {
        let len = parts.iter().map(|p| p.len()).fold(0, usize::saturating_add);
        let lc = u8::try_from(len).map_err(|_| PsamFault::InputTooLong(len))?;
        let mut apdu = Zeroizing::new([0u8; 5 + LC_MAX + 1]);
        let lc_part: &[u8] = if len > 0 { &[lc] } else { &[] };
        let le_part = le.map(|b| [b]);
        let bytes = header
            .iter()
            .chain(lc_part.iter())
            .chain(parts.iter().flat_map(|p| p.iter()))
            .chain(le_part.iter().flatten());
        let mut total = 0usize;
        for (d, s) in apdu.iter_mut().zip(bytes) {
            *d = *s;
            total += 1;
        }
        let cmd = apdu.get(..total).unwrap_or(&[]);
        let mut resp = Zeroizing::new([0u8; RESP_LEN]);
        let n = match self.channel.transmit(cmd, &mut resp[..]) {
            Ok(n) => n,
            Err(e) => {
                self.selected = false;
                return Err(e);
            }
        };
        let r = resp.get(..n).unwrap_or(&[]);
        let (data, sw) = r.split_last_chunk::<2>().ok_or(PsamFault::BadResponse {
            operation,
            expected: 2,
            got: n,
        })?;
        let room = out.len();
        let dst = out.get_mut(..data.len()).ok_or(PsamFault::BadResponse {
            operation,
            expected: room,
            got: data.len(),
        })?;
        dst.copy_from_slice(data);
        Ok((data.len(), StatusWord::from_bytes(*sw)))
    }

    /// [`Self::transmit`] expecting `9000` and exactly `out.len()` data bytes.
    fn command(
        &mut self,
        header: [u8; 4],
        parts: &[&[u8]],
        le: Option<u8>,
        out: &mut [u8],
        operation: &'static str,
    ) -> Result<(), C::Error> {
        let (n, sw) = self.transmit(header, parts, le, out, operation)?;
        if sw != StatusWord::OK {
            return Err(PsamFault::Refused { operation, sw }.into());
        }
        if n != out.len() {
            return Err(PsamFault::BadResponse {
                operation,
                expected: out.len(),
                got: n,
            }
            .into());
        }
        Ok(())
    }

    /// Selects DF01 by AID (`00 A4 04 00 06 D15600000590`); writes the FCI into `fci` and returns
    /// its length (hosts with an FCI parser can check the algorithm id against the profile).
    pub fn select_application(&mut self, fci: &mut [u8]) -> Result<usize, C::Error> {
        self.selected = false;
        let mut buf = [0u8; 256];
        let (n, sw) = self.transmit(
            [CLA_ISO, SELECT, SELECT_P1_NAME, 0x00],
            &[DF01_AID],
            None,
            &mut buf,
            "SELECT DF01",
        )?;
        if sw != StatusWord::OK {
            return Err(PsamFault::Refused {
                operation: "SELECT DF01",
                sw,
            }
            .into());
        }
        self.selected = true;
        let m = n.min(fci.len());
        if let (Some(d), Some(s)) = (fci.get_mut(..m), buf.get(..m)) {
            d.copy_from_slice(s);
        }
        Ok(n)
    }

    fn read_ef(&mut self, fid: u16, out: &mut [u8], what: &'static str) -> Result<(), C::Error> {
        // Selecting an EF may leave DF01 on a real PSAM: select DF01 again before the next BF DE.
        self.selected = false;
        self.command(
            [CLA_ISO, SELECT, SELECT_P1_FID, 0x0C],
            &[&fid.to_be_bytes()],
            None,
            &mut [],
            what,
        )?;
        let want = out.len();
        let le = u8::try_from(want).map_err(|_| PsamFault::InputTooLong(want))?;
        self.command([CLA_ISO, READ_BINARY, 0x00, 0x00], &[], Some(le), out, what)
    }

    /// The terminal number (EF16: 6 bytes cn, region ‖ 6 digits): `00 A4 00 0C 02 0016`,
    /// `00 B0 00 00 06`.
    pub fn read_terminal_number(&mut self) -> Result<[u8; EF16_LEN], C::Error> {
        let mut n = [0u8; EF16_LEN];
        self.read_ef(EF16_FID, &mut n, "READ BINARY EF16")?;
        Ok(n)
    }

    /// The public information (EF15, layout in [`super::image`]).
    pub fn read_public_info(&mut self) -> Result<[u8; EF15_LEN], C::Error> {
        let mut d = [0u8; EF15_LEN];
        self.read_ef(EF15_FID, &mut d, "READ BINARY EF15")?;
        Ok(d)
    }

    /// `BF DE`: diversify `key`'s root by the card's factors and derive the process key from `r`.
    /// Selects DF01 first when needed; a `6985` (PSAM reset or reselected behind the driver's
    /// back) is retried once after selecting DF01 again.
    fn init(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        r: &[u8; 8],
    ) -> Result<(), C::Error> {
        let (spec, slot) = slot_by_name(key.name).ok_or(PsamFault::UnknownKey)?;
        let f = factors
            .innermost(slot.levels())
            .ok_or(PsamFault::NotEnoughFactors {
                name: spec.name,
                needed: slot.levels(),
                given: factors.levels(),
            })?;
        let mut parts: [&[u8]; 4] = [&[]; 4];
        for (d, s) in parts.iter_mut().zip(f.iter()) {
            *d = s;
        }
        let nf = f.len();
        if let Some(p) = parts.get_mut(nf) {
            *p = r;
        }
        let parts = parts.get(..nf + 1).unwrap_or(&[]);
        let header = [CLA_BF, INS_DIVERSIFY_INIT, slot.usage, slot.id];
        let mut retried = false;
        loop {
            if !self.selected {
                self.select_application(&mut [])?;
            }
            let (n, sw) = self.transmit(header, parts, None, &mut [], "BF DE")?;
            match sw {
                StatusWord::OK if n == 0 => return Ok(()),
                StatusWord::OK => {
                    return Err(PsamFault::BadResponse {
                        operation: "BF DE",
                        expected: 0,
                        got: n,
                    }
                    .into())
                }
                StatusWord::KEY_NOT_FOUND => {
                    return Err(PsamFault::KeyNotInPsam { name: spec.name }.into())
                }
                StatusWord::CONDITIONS_NOT_SATISFIED if !retried => {
                    retried = true;
                    self.selected = false;
                }
                sw => {
                    return Err(PsamFault::Refused {
                        operation: "BF DE",
                        sw,
                    }
                    .into())
                }
            }
        }
    }

    /// `80 FA p1 p2 Lc parts` → exactly `out.len()` bytes.
    fn compute(
        &mut self,
        p1: u8,
        p2: u8,
        parts: &[&[u8]],
        out: &mut [u8],
        operation: &'static str,
    ) -> Result<(), C::Error> {
        self.command(
            [CLA_PROPRIETARY, INS_COMPUTE, p1, p2],
            parts,
            None,
            out,
            operation,
        )
    }

    fn block(&self) -> usize {
        self.profile.suite.block_size()
    }

    /// `E_SK(S)` (8-byte blocks) or `E_SK(S ‖ ¬S)` (16-byte blocks), as
    /// `sscard_keys::session::auth_cryptogram`.
    fn cryptogram(&mut self, s: &[u8; 8]) -> Result<Vec<u8, 16>, C::Error> {
        let not_s = s.map(|b| !b);
        let bs = self.block().min(16);
        let input = fill::<16>(&[s, &not_s]);
        let input = input.get(..bs).unwrap_or(&[]);
        let mut c = [0u8; 16];
        let out = c.get_mut(..bs).unwrap_or(&mut []);
        self.compute(
            P1_ENCRYPT,
            P2_PROCESS_KEY,
            &[input],
            out,
            "80 FA 00 (encrypt)",
        )?;
        Vec::from_slice(out).map_err(|_| PsamFault::InputTooLong(bs).into())
    }
}

impl<C: PsamChannel> SecurityModule for PsamDriver<C> {
    type Error = C::Error;

    fn external_auth(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        source: &[u8; 8],
    ) -> Result<[u8; 16], C::Error> {
        let r = challenge8::<C::Error>(challenge)?;
        match self.profile.ext_auth {
            ExtAuthRule::SourceBlock => {}
            #[allow(unreachable_patterns)]
            _ => return Err(PsamFault::Unsupported("external-authentication rule").into()),
        }
        self.init(key, factors, r)?;
        let c = self.cryptogram(source)?;
        // 8-byte blocks: C ‖ S; 16-byte blocks: C.
        let tail: &[u8] = if c.len() == 8 { source } else { &[] };
        let mut out = [0u8; 16];
        out.iter_mut()
            .zip(c.iter().chain(tail.iter()))
            .for_each(|(d, s)| *d = *s);
        Ok(out)
    }

    fn line_mac(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        mac_input: &[&[u8]],
    ) -> Result<[u8; 4], C::Error> {
        let bs = self.block().min(16);
        let mut iv = [0u8; 16];
        let (r, p2) = match self.profile.line_mac {
            LineMacStrategy::ProcessKeyZeroIv => {
                (*challenge8::<C::Error>(challenge)?, P2_PROCESS_KEY)
            }
            LineMacStrategy::PbocClassic => {
                // IV = challenge left-justified in a zero block; the MAC key is the card key
                // itself (BF DE's R is then unused: the challenge, zero padded, is sent).
                if challenge.len() > bs || challenge.len() > 8 {
                    return Err(PsamFault::BadChallenge(challenge.len()).into());
                }
                iv.iter_mut().zip(challenge).for_each(|(d, s)| *d = *s);
                let mut r = [0u8; 8];
                r.iter_mut().zip(challenge).for_each(|(d, s)| *d = *s);
                (r, P2_CARD_KEY)
            }
        };
        let iv = iv.get(..bs).unwrap_or(&[]);
        let total = mac_input
            .iter()
            .map(|p| p.len())
            .fold(bs, usize::saturating_add);
        if total > LC_MAX {
            return Err(PsamFault::InputTooLong(total).into());
        }
        // The MAC input is sent as one field: join the parts (they fit 255 bytes).
        let joined = fill::<LC_MAX>(mac_input);
        let msg = joined.get(..total - bs).unwrap_or(&[]);
        self.init(key, factors, &r)?;
        let mut m = [0u8; 4];
        self.compute(P1_MAC, p2, &[iv, msg], &mut m, "80 FA 05 (MAC)")?;
        Ok(m)
    }

    fn internal_auth_expected(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        p: &[u8; 8],
        s: &[u8; 8],
    ) -> Result<Vec<u8, 16>, C::Error> {
        self.init(key, factors, p)?;
        self.cryptogram(s)
    }

    fn encrypt_pin_block(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        pin: &Pin,
    ) -> Result<Vec<u8, 32>, C::Error> {
        let r = challenge8::<C::Error>(challenge)?;
        let bs = self.block();
        // Lpin ‖ BCD, padded 80 00… exactly as sscard_keys::session::encrypt_field does.
        let bcd = pin.to_bcd();
        let ld = u8::try_from(bcd.len()).map_err(|_| PsamFault::BadPin)?;
        let total = encrypted_field_len(self.profile, bcd.len(), bs);
        // When `Ld ‖ BCD` is aligned and not padded, `total` cuts the 80 off.
        let plain = fill::<32>(&[&[ld], &bcd, &[0x80]]);
        let field = plain.get(..total).ok_or(PsamFault::BadPin)?;
        self.init(key, factors, r)?;
        let mut c = [0u8; 32];
        let out = c.get_mut(..total).ok_or(PsamFault::BadPin)?;
        self.compute(
            P1_ENCRYPT,
            P2_PROCESS_KEY,
            &[field],
            out,
            "80 FA 00 (PIN block)",
        )?;
        Vec::from_slice(out).map_err(|_| PsamFault::BadPin.into())
    }

    fn profile(&self) -> &'static Profile {
        self.profile
    }
}
