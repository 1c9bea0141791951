//! The host side of the PSAM protocol: [`PsamSecurityModule`], a [`SecurityModule`] that drives a
//! social-security PSAM over any [`Transport`] (a PC/SC reader, or the emulated PSAM in-process).
//! The command bytes come from the one vocabulary in `sscard_apdu` (`ins`, `commands::psam`); the
//! PSAM's files and the key → `(usage, PSAM key id)` table from `sscard_specs::psam`.
//!
//! Per operation (after selecting DF01 by AID, `00 A4 04 00 06 D15600000590`, once):
//!
//! 1. `BF DE <usage> <PSAM key id> Lc F1…Fn ‖ R` — the slot comes from the one table
//!    [`sscard_specs::psam::key_slot_by_name`]; `n` = the usage byte's levels, the factors are the
//!    innermost `n` of the card's [`DiversificationFactors`];
//! 2. `80 FA 00 00 Lc data` (encrypt) or `80 FA 05 0x Lc IV ‖ data` (MAC). The transport returns
//!    the final answer (its T=0 policy follows `61xx` with GET RESPONSE).
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

use heapless::Vec as HVec;
use sscard_apdu::commands::psam::{P1_ENCRYPT, P1_MAC, P2_CARD_KEY, P2_PROCESS_KEY};
use sscard_apdu::fci::{Fci, DEFAULT_ALGORITHM_ID};
use sscard_apdu::ins::{
    CLA_ISO, CLA_PROPRIETARY, CLA_PSAM, COMPUTE, DIVERSIFY_INIT, READ_BINARY, SELECT,
    SELECT_P1_FID, SELECT_P1_NAME,
};
use sscard_apdu::StatusWord;
use sscard_keys::profile::{ExtAuthRule, LineMacStrategy};
use sscard_keys::session::encrypted_field_len;
use sscard_keys::{DiversificationFactors, KeyRef, Pin, Profile, SecurityModule};
use sscard_specs::psam::{self as spsam, key_slot_by_name, PsamEf};
use zeroize::Zeroizing;

use super::psam::PsamError;
use crate::transport::Transport;

/// Longest short-APDU data field.
const LC_MAX: usize = 255;
/// Size of PSAM EF15 (public information).
pub const EF15_LEN: usize = spsam::EF15.size();
/// Size of PSAM EF16 (terminal number).
pub const EF16_LEN: usize = spsam::EF16.size();

/// A [`SecurityModule`] that drives a PSAM over a [`Transport`]; no key is in host memory.
#[derive(Debug)]
pub struct PsamSecurityModule<T: Transport> {
    transport: T,
    profile: &'static Profile,
    selected: bool,
}

fn challenge8(challenge: &[u8]) -> Result<&[u8; 8], PsamError> {
    challenge
        .try_into()
        .map_err(|_| PsamError::BadChallenge(challenge.len()))
}

/// The concatenated `parts`, in front of a fresh zeroed (and wiped on drop) block of `N` bytes.
fn fill<const N: usize>(parts: &[&[u8]]) -> Zeroizing<[u8; N]> {
    let mut out = Zeroizing::new([0u8; N]);
    out.iter_mut()
        .zip(parts.iter().flat_map(|p| p.iter()))
        .for_each(|(d, s)| *d = *s);
    out
}

impl<T: Transport> PsamSecurityModule<T> {
    /// A module for `profile` over `transport` (DF01 is selected at the first operation).
    pub fn new(transport: T, profile: &'static Profile) -> Self {
        PsamSecurityModule {
            transport,
            profile,
            selected: false,
        }
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutable (DF01 is selected again before the next operation).
    pub fn transport_mut(&mut self) -> &mut T {
        self.selected = false;
        &mut self.transport
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// Sends `header [‖ Lc ‖ parts] [‖ Le]` from a wiped buffer; returns the response data and the
    /// status word. A link error deselects DF01 (the PSAM may have been reset).
    fn transmit(
        &mut self,
        header: [u8; 4],
        parts: &[&[u8]],
        le: Option<u8>,
        operation: &'static str,
    ) -> Result<(Zeroizing<Vec<u8>>, StatusWord), PsamError> {
        let len = parts.iter().map(|p| p.len()).fold(0, usize::saturating_add);
        let lc = u8::try_from(len).map_err(|_| PsamError::InputTooLong(len))?;
        let mut apdu = Zeroizing::new(Vec::with_capacity(5 + len + 1));
        apdu.extend_from_slice(&header);
        if len > 0 {
            apdu.push(lc);
            parts.iter().for_each(|p| apdu.extend_from_slice(p));
        }
        apdu.extend(le);
        let resp = match self.transport.transmit(&apdu) {
            Ok(r) => Zeroizing::new(r),
            Err(e) => {
                self.selected = false;
                return Err(e.into());
            }
        };
        let (data, sw) = resp.split_last_chunk::<2>().ok_or(PsamError::BadResponse {
            operation,
            expected: 2,
            got: resp.len(),
        })?;
        Ok((Zeroizing::new(data.to_vec()), StatusWord::from_bytes(*sw)))
    }

    /// [`Self::transmit`] expecting `9000` and exactly `out.len()` data bytes, written into `out`.
    fn command(
        &mut self,
        header: [u8; 4],
        parts: &[&[u8]],
        le: Option<u8>,
        out: &mut [u8],
        operation: &'static str,
    ) -> Result<(), PsamError> {
        let (data, sw) = self.transmit(header, parts, le, operation)?;
        if sw != StatusWord::OK {
            return Err(PsamError::Refused { operation, sw });
        }
        if data.len() != out.len() {
            return Err(PsamError::BadResponse {
                operation,
                expected: out.len(),
                got: data.len(),
            });
        }
        out.copy_from_slice(&data);
        Ok(())
    }

    /// Selects DF01 by AID (`00 A4 04 00 06 D15600000590`) and returns its FCI (hosts with an
    /// FCI parser can check the algorithm id against the profile).
    pub fn select_application(&mut self) -> Result<Vec<u8>, PsamError> {
        self.selected = false;
        let operation = "SELECT DF01";
        let (fci, sw) = self.transmit(
            [CLA_ISO, SELECT, SELECT_P1_NAME, 0x00],
            &[spsam::DF01.name()],
            None,
            operation,
        )?;
        if sw != StatusWord::OK {
            return Err(PsamError::Refused { operation, sw });
        }
        self.selected = true;
        Ok(fci.to_vec())
    }

    fn read_ef(&mut self, ef: PsamEf, out: &mut [u8], what: &'static str) -> Result<(), PsamError> {
        // Selecting an EF may leave DF01 on a real PSAM: select DF01 again before the next BF DE.
        self.selected = false;
        self.command(
            [CLA_ISO, SELECT, SELECT_P1_FID, 0x0C],
            &[&ef.fid().to_be_bytes()],
            None,
            &mut [],
            what,
        )?;
        let want = out.len();
        let le = u8::try_from(want).map_err(|_| PsamError::InputTooLong(want))?;
        self.command([CLA_ISO, READ_BINARY, 0x00, 0x00], &[], Some(le), out, what)
    }

    /// The terminal number (EF16: 6 bytes cn, region ‖ 6 digits): `00 A4 00 0C 02 0016`,
    /// `00 B0 00 00 06`.
    pub fn read_terminal_number(&mut self) -> Result<[u8; EF16_LEN], PsamError> {
        let mut n = [0u8; EF16_LEN];
        self.read_ef(spsam::EF16, &mut n, "READ BINARY EF16")?;
        Ok(n)
    }

    /// The public information (EF15, fields in [`sscard_specs::psam::EF15_FIELDS`]).
    pub fn read_public_info(&mut self) -> Result<[u8; EF15_LEN], PsamError> {
        let mut d = [0u8; EF15_LEN];
        self.read_ef(spsam::EF15, &mut d, "READ BINARY EF15")?;
        Ok(d)
    }

    /// Sends an encoded purse command to the PSAM, DF01 selected first when needed (never
    /// between `80 70` and `80 72`: a SELECT ends the PSAM's purchase).
    fn purse_command(
        &mut self,
        cmd: Result<sscard_apdu::Command, sscard_apdu::ApduError>,
        operation: &'static str,
    ) -> Result<(Zeroizing<Vec<u8>>, StatusWord), PsamError> {
        let bytes = cmd
            .and_then(|c| c.to_vec())
            .map_err(|_| PsamError::InputTooLong(LC_MAX + 1))?;
        let (header, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or(PsamError::BadResponse {
                operation,
                expected: 4,
                got: bytes.len(),
            })?;
        let body = rest.get(1..).unwrap_or(&[]);
        if !self.selected {
            self.select_application()?;
        }
        self.transmit(*header, &[body], None, operation)
    }

    /// `80 70` INIT SAM FOR PURCHASE (`docs/purse.md` §4): the PSAM's next terminal serial and
    /// the MAC1 for the card. The serial is used up even if the card never sees it.
    pub fn init_for_purchase(
        &mut self,
        c: &sscard_apdu::commands::purse::PsamInitPurchase<'_>,
    ) -> Result<sscard_apdu::commands::purse::PsamMac1Response, PsamError> {
        let operation = "80 70 (INIT SAM FOR PURCHASE)";
        let (data, sw) = self.purse_command(
            sscard_apdu::commands::purse::psam_init_for_purchase(c),
            operation,
        )?;
        if sw != StatusWord::OK {
            return Err(match sw {
                StatusWord::KEY_NOT_FOUND => PsamError::KeyNotInPsam {
                    name: sscard_specs::key::DPK,
                },
                sw => PsamError::Refused { operation, sw },
            });
        }
        sscard_apdu::commands::purse::PsamMac1Response::parse(&data).map_err(|_| {
            PsamError::BadResponse {
                operation,
                expected: sscard_apdu::commands::purse::PSAM_MAC1_RESP,
                got: data.len(),
            }
        })
    }

    /// `80 72` VERIFY MAC2: `true` on `9000`, `false` on `9302` (the card's MAC2 is not the
    /// one the PSAM computes); ends the PSAM's purchase either way.
    pub fn verify_mac2(&mut self, mac2: &[u8; 4]) -> Result<bool, PsamError> {
        let operation = "80 72 (VERIFY MAC2)";
        let (_, sw) = self.purse_command(
            sscard_apdu::commands::purse::psam_verify_mac2(mac2),
            operation,
        )?;
        match sw {
            StatusWord::OK => Ok(true),
            StatusWord::MAC_INVALID => Ok(false),
            sw => Err(PsamError::Refused { operation, sw }),
        }
    }

    /// `BF DE`: diversify `key`'s root by the card's factors and derive the process key from `r`.
    /// Selects DF01 first when needed; a `6985` (PSAM reset or reselected behind the module's
    /// back) is retried once after selecting DF01 again.
    fn init(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        r: &[u8; 8],
    ) -> Result<(), PsamError> {
        let (spec, slot) = key_slot_by_name(key.name).ok_or(PsamError::UnknownKey)?;
        let f = factors
            .innermost(slot.levels())
            .ok_or(PsamError::NotEnoughFactors {
                name: spec.name,
                needed: slot.levels(),
                given: factors.levels(),
            })?;
        let mut parts: std::vec::Vec<&[u8]> = f.iter().map(|x| &x[..]).collect();
        parts.push(r);
        let header = [CLA_PSAM, DIVERSIFY_INIT, slot.usage, slot.id];
        let operation = "BF DE";
        let mut retried = false;
        loop {
            if !self.selected {
                self.select_application()?;
            }
            let (data, sw) = self.transmit(header, &parts, None, operation)?;
            match sw {
                StatusWord::OK if data.is_empty() => return Ok(()),
                StatusWord::OK => {
                    return Err(PsamError::BadResponse {
                        operation,
                        expected: 0,
                        got: data.len(),
                    })
                }
                StatusWord::KEY_NOT_FOUND => {
                    return Err(PsamError::KeyNotInPsam { name: spec.name })
                }
                StatusWord::CONDITIONS_NOT_SATISFIED if !retried => {
                    retried = true;
                    self.selected = false;
                }
                sw => return Err(PsamError::Refused { operation, sw }),
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
    ) -> Result<(), PsamError> {
        self.command(
            [CLA_PROPRIETARY, COMPUTE, p1, p2],
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
    fn cryptogram(&mut self, s: &[u8; 8]) -> Result<HVec<u8, 16>, PsamError> {
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
        HVec::from_slice(out).map_err(|_| PsamError::InputTooLong(bs))
    }
}

impl<T: Transport> SecurityModule for PsamSecurityModule<T> {
    type Error = PsamError;

    fn external_auth(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        source: &[u8; 8],
    ) -> Result<[u8; 16], PsamError> {
        let r = challenge8(challenge)?;
        match self.profile.ext_auth {
            ExtAuthRule::SourceBlock => {}
            #[allow(unreachable_patterns)]
            _ => return Err(PsamError::Unsupported("external-authentication rule")),
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
    ) -> Result<[u8; 4], PsamError> {
        let bs = self.block().min(16);
        let mut iv = [0u8; 16];
        let (r, p2) = match self.profile.line_mac {
            LineMacStrategy::ProcessKeyZeroIv => (*challenge8(challenge)?, P2_PROCESS_KEY),
            LineMacStrategy::PbocClassic => {
                // IV = challenge left-justified in a zero block; the MAC key is the card key
                // itself (BF DE's R is then unused: the challenge, zero padded, is sent).
                if challenge.len() > bs || challenge.len() > 8 {
                    return Err(PsamError::BadChallenge(challenge.len()));
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
            return Err(PsamError::InputTooLong(total));
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
    ) -> Result<HVec<u8, 16>, PsamError> {
        self.init(key, factors, p)?;
        self.cryptogram(s)
    }

    fn encrypt_pin_block(
        &mut self,
        key: KeyRef<'_>,
        factors: &DiversificationFactors,
        challenge: &[u8],
        pin: &Pin,
    ) -> Result<HVec<u8, 32>, PsamError> {
        let r = challenge8(challenge)?;
        let bs = self.block();
        // Lpin ‖ BCD, padded 80 00… exactly as sscard_keys::session::encrypt_field does.
        let bcd = pin.to_bcd();
        let ld = u8::try_from(bcd.len()).map_err(|_| PsamError::BadPin)?;
        let total = encrypted_field_len(self.profile, bcd.len(), bs);
        // When `Ld ‖ BCD` is aligned and not padded, `total` cuts the 80 off.
        let plain = fill::<32>(&[&[ld], &bcd, &[0x80]]);
        let field = plain.get(..total).ok_or(PsamError::BadPin)?;
        self.init(key, factors, r)?;
        let mut c = [0u8; 32];
        let out = c.get_mut(..total).ok_or(PsamError::BadPin)?;
        self.compute(
            P1_ENCRYPT,
            P2_PROCESS_KEY,
            &[field],
            out,
            "80 FA 00 (PIN block)",
        )?;
        HVec::from_slice(out).map_err(|_| PsamError::BadPin)
    }

    fn profile(&self) -> &'static Profile {
        self.profile
    }
}

/// A PSAM security module for `profile` over `transport`; DF01 is selected at the first use.
pub fn new<T: Transport>(transport: T, profile: &'static Profile) -> PsamSecurityModule<T> {
    PsamSecurityModule::new(transport, profile)
}

/// [`new`], then select DF01 now: checks that a PSAM answers and, when its FCI names an algorithm
/// (`9F0C{86}`), that it is the profile's ([`PsamError::AlgorithmMismatch`], national −2202).
pub fn open<T: Transport>(
    transport: T,
    profile: &'static Profile,
) -> Result<PsamSecurityModule<T>, PsamError> {
    let mut sm = new(transport, profile);
    let fci = sm.select_application()?;
    let alg = Fci::parse(&fci).ok().and_then(|f| f.algorithm_id);
    if let Some(psam) = alg {
        let expected = profile.algorithm_id.unwrap_or(DEFAULT_ALGORITHM_ID);
        if psam != expected {
            return Err(PsamError::AlgorithmMismatch { psam, expected });
        }
    }
    Ok(sm)
}
