//! The PSAM card OS: volatile state, `process`, and the command handlers.

use super::image::{self, EF15_LEN, EF16_LEN, LAYOUT_VERSION, MAGIC, PROFILE_NAME_LEN};
use super::{DF01_AID, DF01_FID, EF15_FID, EF15_SFI, EF16_FID, EF16_SFI, MF_FID, MF_NAME};
use crate::chip::rng::Rng;
use crate::chip::{self, Application, Chip, Reply, Res, Transport};
use crate::store::{Store, StoreError};
use sscard_apdu::commands::psam::FACTOR_LEN;
use sscard_apdu::commands::{PsamCommand, PsamMacKey, SelectBy};
use sscard_apdu::fci::write_fci;
use sscard_apdu::{CommandView, StatusWord};
use sscard_keys::diversify::diversify_multi;
use sscard_keys::mac::MacKey;
use sscard_keys::profile::ALL as ALL_PROFILES;
use sscard_keys::session::process_key;
use sscard_keys::{BlockCipher, Key, Profile};
use sscard_specs::files::SSSE_DIR_SFI;
use zeroize::Zeroizing;

/// Most factors a usage byte can announce (3 bits).
const MAX_FACTORS: usize = 7;

/// PSAM ATR length: `3B 6A 00 00` + 10 historical bytes (the PSAM serial).
pub const PSAM_ATR_LEN: usize = 14;
/// PSAM ATR prefix: TS, T0 = `6A` (TB1, TC1 present, 10 historical bytes), TB1 = TC1 = 00.
pub const PSAM_ATR_PREFIX: [u8; 4] = [0x3B, 0x6A, 0x00, 0x00];

/// Why [`Psam::new`] refused a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PsamInitError {
    /// The store could not be read.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// No PSAM image (run [`super::provision`] first).
    #[error("not provisioned")]
    NotProvisioned,
    /// The image has another layout version.
    #[error("provisioned with layout version {0}, not this PSAM's")]
    LayoutVersion(u8),
    /// The image was provisioned for a profile that is not built in / not the one asked for.
    #[error("provisioned for a profile that is not built in or not the one asked for")]
    ProfileMismatch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Df {
    Mf,
    Df01,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ef {
    Ef15,
    Ef16,
}

impl Ef {
    fn by_fid(fid: u16) -> Option<Ef> {
        match fid {
            EF15_FID => Some(Ef::Ef15),
            EF16_FID => Some(Ef::Ef16),
            _ => None,
        }
    }
    fn by_sfi(sfi: u8) -> Option<Ef> {
        match sfi {
            EF15_SFI => Some(Ef::Ef15),
            EF16_SFI => Some(Ef::Ef16),
            _ => None,
        }
    }
    fn geometry(self) -> (u32, usize) {
        match self {
            Ef::Ef15 => (image::OFF_EF15, EF15_LEN),
            Ef::Ef16 => (image::OFF_EF16, EF16_LEN),
        }
    }
}

/// Keys of the last successful `BF DE` (wiped on drop: `Key` is `ZeroizeOnDrop`).
struct Session {
    card_key: Key,
    process_key: Key,
}

struct Volatile {
    df: Df,
    ef: Option<Ef>,
    session: Option<Session>,
}

impl Default for Volatile {
    fn default() -> Self {
        Volatile {
            df: Df::Mf,
            ef: None,
            session: None,
        }
    }
}

/// The PSAM application: what [`Psam`] runs in the chip frame.
pub(crate) struct PsamApp<S: Store> {
    store: S,
    profile: &'static Profile,
    key_count: u8,
    atr: [u8; PSAM_ATR_LEN],
    vol: Volatile,
}

/// An emulated social-security PSAM over a provisioned [`Store`] (see the module docs for the
/// command set). T=0 behaviour like real PSAMs: a command with a data field that produces data
/// answers `61xx` and the data is fetched with GET RESPONSE; a case-2 command whose Le differs
/// from the data length answers `6Cxx`.
pub struct Psam<S: Store> {
    chip: Chip<PsamApp<S>>,
}

impl<S: Store> core::fmt::Debug for Psam<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let app = &self.chip.app;
        f.debug_struct("Psam")
            .field("profile", &app.profile.name)
            .field("atr", &app.atr)
            .field("keys", &app.key_count)
            .field("df01_selected", &(app.vol.df == Df::Df01))
            .field("session", &app.vol.session.is_some())
            .finish()
    }
}

impl<S: Store> Psam<S> {
    /// Opens a provisioned image; the profile is the one named in the image (a built-in profile).
    pub fn open(store: S) -> Result<Self, PsamInitError> {
        Self::open_with(store, None)
    }

    /// Opens a provisioned image that must have been provisioned for `profile`.
    pub fn new(store: S, profile: &'static Profile) -> Result<Self, PsamInitError> {
        Self::open_with(store, Some(profile))
    }

    fn open_with(store: S, want: Option<&'static Profile>) -> Result<Self, PsamInitError> {
        let mut h = [0u8; image::OFF_KEYS as usize];
        store.read(0, &mut h)?;
        if h.get(..4) != Some(&MAGIC[..]) {
            return Err(PsamInitError::NotProvisioned);
        }
        let lv = h.get(image::OFF_LAYOUT as usize).copied().unwrap_or(0);
        if lv != LAYOUT_VERSION {
            return Err(PsamInitError::LayoutVersion(lv));
        }
        let key_count = h.get(image::OFF_KEY_COUNT as usize).copied().unwrap_or(0);
        let start = image::OFF_PROFILE as usize;
        let raw = h
            .get(start..start + PROFILE_NAME_LEN)
            .ok_or(PsamInitError::NotProvisioned)?;
        let name_len = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        let name = raw.get(..name_len).unwrap_or(&[]);
        let profile = match want {
            Some(p) if p.name.as_bytes() == name => p,
            Some(_) => return Err(PsamInitError::ProfileMismatch),
            None => ALL_PROFILES
                .iter()
                .copied()
                .find(|p| p.name.as_bytes() == name)
                .ok_or(PsamInitError::ProfileMismatch)?,
        };
        let serial_at = image::OFF_EF15 as usize;
        let atr: [u8; PSAM_ATR_LEN] = chip::atr(
            &PSAM_ATR_PREFIX,
            h.get(serial_at..serial_at + 10).unwrap_or(&[]),
        );
        let mut seed = [0x3Cu8; 16];
        seed.iter_mut()
            .zip(atr.iter().skip(4))
            .for_each(|(d, s)| *d ^= *s);
        let app = PsamApp {
            store,
            profile,
            key_count,
            atr,
            vol: Volatile::default(),
        };
        Ok(Psam {
            chip: Chip::new(app, Rng::new(&seed)),
        })
    }

    /// Reseeds the challenge generator (feed it from a TRNG / the OS on a host).
    pub fn with_rng_seed(mut self, seed: [u8; 16]) -> Self {
        self.chip.rng = Rng::new(&seed);
        self
    }

    /// The ATR (available at any time).
    pub fn atr(&self) -> &[u8] {
        &self.chip.app.atr
    }

    /// The profile the PSAM was provisioned for.
    pub fn profile(&self) -> &'static Profile {
        self.chip.app.profile
    }

    /// Number of key records.
    pub fn key_count(&self) -> u8 {
        self.chip.app.key_count
    }

    /// Cold power-up: clears the volatile state (selection, process key, pending response).
    pub fn power_on(&mut self) {
        self.chip.power_on();
    }

    /// Warm reset: same as a power cycle.
    pub fn reset(&mut self) {
        self.chip.power_on();
    }

    /// Power off: the volatile state (and the process key) is lost.
    pub fn power_off(&mut self) {
        self.chip.power_off();
    }

    /// Whether the PSAM is powered.
    pub fn is_powered(&self) -> bool {
        self.chip.is_powered()
    }

    /// The store (read-only).
    pub fn store(&self) -> &S {
        &self.chip.app.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.chip.app.store
    }

    /// Processes one command APDU; writes `data ‖ SW1 SW2` into `resp` (should hold
    /// [`RESP_MAX`](crate::RESP_MAX) bytes; a shorter buffer caps the data) and returns its
    /// length. Never panics; 0 only when `resp` is shorter than 2 bytes. An unpowered PSAM is
    /// powered on first.
    pub fn process(&mut self, cmd: &[u8], resp: &mut [u8]) -> usize {
        self.chip.process(cmd, resp)
    }
}

impl<S: Store> Application for PsamApp<S> {
    type Command<'a> = PsamCommand<'a>;
    type Admit = ();

    fn decode<'a>(view: &CommandView<'a>) -> Result<PsamCommand<'a>, StatusWord> {
        PsamCommand::try_from(view)
    }

    fn get_response(cmd: &PsamCommand<'_>) -> Option<u16> {
        match cmd {
            PsamCommand::GetResponse { le } => Some(*le),
            _ => None,
        }
    }

    fn admit(&mut self) -> Result<(), StatusWord> {
        Ok(())
    }

    fn execute(
        &mut self,
        cmd: PsamCommand<'_>,
        (): (),
        ne: Option<u32>,
        rng: &mut Rng,
        out: &mut [u8],
    ) -> Res {
        match cmd {
            PsamCommand::Select { by, fci } => self.select(by, fci, out),
            PsamCommand::ReadBinary { sfi, offset } => self.read_binary(sfi, offset, ne, out),
            PsamCommand::GetChallenge { len } => get_challenge(len, rng, out),
            PsamCommand::DiversifyInit { usage, id, data } => self.diversify_init(usage, id, data),
            PsamCommand::Encrypt { data } => self.encrypt(data, out),
            PsamCommand::Mac { key, data } => self.mac(key, data, out),
            PsamCommand::GetResponse { .. } => Err(StatusWord::NO_PRECISE_DIAGNOSIS),
        }
    }

    /// PSAMs answer with T=0 behaviour.
    fn transport(&self) -> Transport {
        Transport::T0 { announce_extra: 0 }
    }

    fn power_on(&mut self) {
        self.vol = Volatile::default();
    }

    fn power_off(&mut self) {
        self.vol = Volatile::default();
    }
}

fn get_challenge(len: u8, rng: &mut Rng, out: &mut [u8]) -> Res {
    let buf = out
        .get_mut(..usize::from(len))
        .ok_or(StatusWord::WRONG_LENGTH)?;
    rng.fill(buf);
    Ok(Reply::data(usize::from(len)))
}

impl<S: Store> PsamApp<S> {
    fn select(&mut self, by: SelectBy<'_>, fci: bool, out: &mut [u8]) -> Res {
        // Any SELECT ends the crypto session.
        self.vol.session = None;
        let target = match by {
            SelectBy::Fid(None) | SelectBy::Fid(Some(MF_FID)) => Ok(Df::Mf),
            SelectBy::Fid(Some(DF01_FID)) => Ok(Df::Df01),
            SelectBy::Fid(Some(fid)) | SelectBy::ChildEf(fid) => {
                Err(Ef::by_fid(fid).ok_or(StatusWord::FILE_NOT_FOUND)?)
            }
            SelectBy::Name(name) if name == MF_NAME => Ok(Df::Mf),
            SelectBy::Name(name) if name == DF01_AID => Ok(Df::Df01),
            SelectBy::Name(_) => return Err(StatusWord::FILE_NOT_FOUND),
            // Never decoded for the PSAM (P1 01 answers 6A86).
            SelectBy::ChildDf(_) => return Err(StatusWord::WRONG_P1P2),
        };
        match target {
            Err(ef) => {
                self.vol.ef = Some(ef);
                Ok(Reply {
                    len: 0,
                    sw: StatusWord::OK,
                })
            }
            Ok(df) => {
                self.vol.df = df;
                self.vol.ef = None;
                if !fci {
                    return Ok(Reply {
                        len: 0,
                        sw: StatusWord::OK,
                    });
                }
                let name = match df {
                    Df::Mf => MF_NAME,
                    Df::Df01 => DF01_AID,
                };
                let len = write_fci(name, SSSE_DIR_SFI, self.profile.algorithm_id, out)
                    .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
                Ok(Reply {
                    len,
                    sw: StatusWord::OK,
                })
            }
        }
    }

    fn read_binary(
        &mut self,
        sfi: Option<u8>,
        offset: u16,
        ne: Option<u32>,
        out: &mut [u8],
    ) -> Res {
        let ef = match sfi {
            Some(s) => {
                let ef = Ef::by_sfi(s).ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.vol.ef = Some(ef);
                ef
            }
            None => self.vol.ef.ok_or(StatusWord::COMMAND_NOT_ALLOWED)?,
        };
        let (base, size) = ef.geometry();
        let off = usize::from(offset);
        if off >= size {
            return Err(StatusWord::WRONG_P1P2_6B00);
        }
        let want = ne.map_or(256, |n| usize::try_from(n).unwrap_or(256));
        let n = size.saturating_sub(off).min(want).min(out.len());
        let buf = out.get_mut(..n).ok_or(StatusWord::WRONG_LENGTH)?;
        let at = base
            .checked_add(u32::from(offset))
            .ok_or(StatusWord::WRONG_P1P2_6B00)?;
        self.store
            .read(at, buf)
            .map_err(|_| StatusWord::MEMORY_FAILURE)?;
        Ok(Reply {
            len: n,
            sw: StatusWord::OK,
        })
    }

    /// `BF DE usage id Lc F1 … Fn ‖ R`: diversify the root `(usage, id)` by the factors
    /// (outermost first; n = usage >> 5) and derive the process key from R.
    fn diversify_init(&mut self, usage: u8, id: u8, data: &[u8]) -> Res {
        self.vol.session = None;
        if self.vol.df != Df::Df01 {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let root = image::find_key(&self.store, self.key_count, usage, id)
            .ok_or(StatusWord::KEY_NOT_FOUND)?;
        let levels = usize::from(usage >> 5);
        let (factors, r) = data
            .split_last_chunk::<FACTOR_LEN>()
            .ok_or(StatusWord::WRONG_LENGTH)?;
        if factors.len() % FACTOR_LEN != 0 {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if factors.len() / FACTOR_LEN != levels {
            return Err(StatusWord::WRONG_DATA);
        }
        let mut fs = Zeroizing::new([[0u8; FACTOR_LEN]; MAX_FACTORS]);
        for (d, s) in fs.iter_mut().zip(factors.chunks_exact(FACTOR_LEN)) {
            d.copy_from_slice(s);
        }
        let fs = fs.get(..levels).ok_or(StatusWord::WRONG_DATA)?;
        let card_key = diversify_multi(&root, fs).map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
        let sk = process_key(self.profile, &card_key, r)
            .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        self.vol.session = Some(Session {
            card_key,
            process_key: sk,
        });
        Ok(Reply {
            len: 0,
            sw: StatusWord::OK,
        })
    }

    /// `80 FA 00 00 Lc data`: ECB under the process key (DES / 3DES / SM4 by its length).
    fn encrypt(&mut self, data: &[u8], out: &mut [u8]) -> Res {
        let s = self
            .vol
            .session
            .as_ref()
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let c = BlockCipher::new(&s.process_key);
        if data.len() % c.block_size() != 0 {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let buf = out.get_mut(..data.len()).ok_or(StatusWord::WRONG_LENGTH)?;
        buf.copy_from_slice(data);
        if c.ecb_encrypt(buf).is_err() {
            buf.iter_mut().for_each(|b| *b = 0);
            return Err(StatusWord::WRONG_LENGTH);
        }
        Ok(Reply {
            len: data.len(),
            sw: StatusWord::OK,
        })
    }

    /// `80 FA 05 P2 Lc IV ‖ data`: the 4 leftmost bytes of the card MAC (pad method 2; DES CBC-MAC
    /// for an 8-byte key, retail MAC for 16-byte 3DES, SM4 CBC-MAC for SM4) with the given IV.
    fn mac(&mut self, sel: PsamMacKey, data: &[u8], out: &mut [u8]) -> Res {
        let s = self
            .vol
            .session
            .as_ref()
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let key = match sel {
            PsamMacKey::Process => &s.process_key,
            PsamMacKey::Card => &s.card_key,
        };
        let mk = MacKey::new(key);
        let (iv, msg) = data
            .split_at_checked(mk.block_size())
            .ok_or(StatusWord::WRONG_LENGTH)?;
        let mac = mk.mac4(iv, &[msg]).map_err(|_| StatusWord::WRONG_LENGTH)?;
        let dst = out.get_mut(..mac.len()).ok_or(StatusWord::WRONG_LENGTH)?;
        dst.copy_from_slice(&mac);
        Ok(Reply {
            len: mac.len(),
            sw: StatusWord::OK,
        })
    }
}
