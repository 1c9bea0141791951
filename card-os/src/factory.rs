//! Factory initialisation: format a blank store into a card image.
//!
//! Creates the whole tree of `sscard_specs` (every DF, EF and key of the spec version), derives
//! every card key from the issuer's root keys by diversification (factors from the ATR and the
//! region, `sscard_keys::factors`), writes the key slots, the PIN and the initial records (EF05 tag 01
//! = card identification code with its CIDK authentication code, tag 03 = spec version, every
//! other item zero-filled at its defined length), and finally the header, whose magic is written
//! last: an interrupted format is simply "not formatted".
//!
//! Personalisation then happens through APDUs, as a terminal would do it (UK external
//! authentication + UPDATE RECORD). [`personalise_direct`] bypasses that for tests.

use crate::fs::{binary, keyfile, pin, records};
use crate::layout::{
    self, efs_of, family_code, family_kind_of, hdr, suite_code, version_code, EfKind, Layout,
};
use crate::store::{Journal, Store, StoreError, JOURNAL_SIZE};
use sscard_apdu::record::encode_record;
use sscard_apdu::StatusWord;
use sscard_keys::card_id::card_id_auth_code;
use sscard_keys::{DiversificationFactors, IssuerKeySet, Key, Pin, Profile};
use sscard_specs::family::{national_for, Family};
use sscard_specs::files::{DFS, RID};
use sscard_specs::item::{SSSE_EF05_CARD_ID, SSSE_EF05_VERSION};
use sscard_specs::key;
use sscard_specs::keys::{keys_of, KeyRole};
use sscard_specs::types::DfId;
use sscard_specs::versions::SpecVersion;

/// Who the card is: the data the factory burns in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardIdentity {
    /// Issuing region, 3 bytes BCD (first 3 bytes of the card identification code), e.g. `43 02 99`.
    pub region_bcd: [u8; 3],
    /// Card serial number (bytes 8–11 of the card identification code).
    pub serial: [u8; 4],
    /// ATR historical bytes (13); the last 8 are the card-level diversification factor.
    pub atr_historical: [u8; 13],
}

impl CardIdentity {
    /// Bytes 0–11 of the card identification code: region ‖ RID ‖ serial.
    pub fn card_id_prefix(&self) -> [u8; 12] {
        let mut id = [0u8; 12];
        id.iter_mut()
            .zip(
                self.region_bcd
                    .iter()
                    .chain(RID.iter())
                    .chain(self.serial.iter()),
            )
            .for_each(|(d, s)| *d = *s);
        id
    }

    /// The card-level diversification factor (last 8 historical bytes).
    pub fn card_factor(&self) -> [u8; 8] {
        let mut f = [0u8; 8];
        f.iter_mut()
            .zip(self.atr_historical.iter().skip(5))
            .for_each(|(d, s)| *d = *s);
        f
    }

    /// The 3-level diversification factors (province, city, card) of this card.
    pub fn factors(&self, profile: &Profile) -> Result<DiversificationFactors, FactoryError> {
        DiversificationFactors::for_levels_with(
            &profile.factors,
            3,
            &self.card_factor(),
            &self.region_bcd,
        )
        .map_err(|_| FactoryError::BadIdentity)
    }
}

/// Everything the factory needs.
pub struct FactoryParams<'a> {
    /// Security profile (suite, limits).
    pub profile: &'static Profile,
    /// Spec version of the image (file layouts differ for 1.00).
    pub version: SpecVersion,
    /// Card identity.
    pub identity: CardIdentity,
    /// Issuer root keys, named as `sscard_specs::keys` (incl. `CIDK`).
    pub keys: &'a IssuerKeySet,
    /// Initial PIN, ASCII digits (e.g. `b"123456"`).
    pub pin: &'a [u8],
}

/// Why formatting failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FactoryError {
    /// Store failure.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The store is too small: `need` bytes.
    #[error("the store is too small ({need} bytes needed)")]
    StoreTooSmall {
        /// Bytes needed.
        need: usize,
    },
    /// The issuer key set lacks this root key.
    #[error("the issuer key set lacks root key {0}")]
    MissingKey(&'static str),
    /// Key derivation or MAC failed (wrong algorithm for the profile).
    #[error("key derivation or MAC failed (a key of another algorithm than the profile's)")]
    Crypto,
    /// Region code not BCD.
    #[error("the region code is not BCD")]
    BadIdentity,
    /// The PIN is not 4–12 digits.
    #[error("the PIN is not 4–12 digits")]
    BadPin,
    /// The card family is of another spec version than the image's.
    #[error("card family {0} is of another spec version than the image's")]
    FamilyVersion(&'static str),
    /// The spec tables do not fit the layout or a record does not fit its file.
    #[error("the spec tables do not fit the layout ({0})")]
    Layout(StatusWord),
}

impl From<StatusWord> for FactoryError {
    fn from(sw: StatusWord) -> Self {
        FactoryError::Layout(sw)
    }
}

/// Format `store` as a fresh, unpersonalised card of the national family of `p.version`.
pub fn factory_initialise<S: Store>(
    store: &mut S,
    p: &FactoryParams<'_>,
) -> Result<(), FactoryError> {
    factory_initialise_family(store, p, national_for(p.version))
}

/// Format `store` as a fresh, unpersonalised card of `family` (stored in the image header: the
/// card then answers the family's way, `sscard_specs::family`). `family` must be of
/// `p.version`.
pub fn factory_initialise_family<S: Store>(
    store: &mut S,
    p: &FactoryParams<'_>,
    family: &'static Family,
) -> Result<(), FactoryError> {
    if family.spec_version() != p.version {
        return Err(FactoryError::FamilyVersion(family.name));
    }
    let layout =
        Layout::new(family).map_err(|_| FactoryError::Layout(StatusWord::NOT_ENOUGH_MEMORY))?;
    let need = JOURNAL_SIZE + layout.end() as usize;
    if store.capacity() < need {
        return Err(FactoryError::StoreTooSmall { need });
    }
    let pin = Pin::new(p.profile, p.pin).map_err(|_| FactoryError::BadPin)?;
    let factors = p.identity.factors(p.profile)?;
    let mut j = Journal::new(store);
    j.format()?;
    // Header without magic first: a cut anywhere below leaves "not formatted".
    j.write_unjournaled(layout::HEADER_OFF, &[0u8; layout::HEADER_LEN])?;
    // PIN.
    let img = pin::image(&pin.to_bcd(), p.profile.pin_try_limit)?;
    j.write_unjournaled(layout::PIN_OFF, &img[..])?;
    // Application states.
    j.write_unjournaled(layout::APP_STATE_OFF, &[layout::APP_ACTIVE; 16])?;
    // Keys.
    for df in DfId::ALL {
        for (i, spec) in keys_of(df).iter().enumerate() {
            let slot = layout.key_slot(df, i);
            let stored = spec.kid.is_some() && spec.implemented && spec.role != KeyRole::CardIdAuth;
            if !stored {
                j.write_unjournaled(slot, &[0u8; layout::KEY_SLOT as usize])?;
                continue;
            }
            // The DF04 purse keys are optional: a key set without them makes a card without a
            // medical purse (INITIALIZE answers 9403), as older key files do.
            let purse = matches!(spec.role, KeyRole::Purchase | KeyRole::Load | KeyRole::Tac);
            let key = match p.keys.card_key(spec.name, &factors) {
                Ok(k) => k,
                Err(_) if purse => {
                    j.write_unjournaled(slot, &[0u8; layout::KEY_SLOT as usize])?;
                    continue;
                }
                Err(_) => return Err(FactoryError::MissingKey(spec.name)),
            };
            if key.algorithm() != p.profile.key_algorithm() {
                return Err(FactoryError::Crypto);
            }
            keyfile::write_slot(&mut j, slot, &key, p.profile.key_try_limit)?;
        }
    }
    // Card identification code.
    let cidk: Key = p
        .keys
        .card_key(key::CIDK, &factors)
        .map_err(|_| FactoryError::MissingKey(key::CIDK))?;
    let prefix = p.identity.card_id_prefix();
    let code = card_id_auth_code(p.profile, &cidk, &prefix).map_err(|_| FactoryError::Crypto)?;
    let mut card_id = [0u8; 16];
    card_id
        .iter_mut()
        .zip(prefix.iter().chain(code.iter()))
        .for_each(|(d, s)| *d = *s);
    // EFs.
    let zeros = [0u8; 255];
    let mut rec = [0u8; 260];
    for id in DfId::ALL.iter().copied().take(DFS.len()) {
        for (ei, ef) in efs_of(family, id).enumerate() {
            let g = layout
                .ef(id, ei)
                .ok_or(FactoryError::Layout(StatusWord::FILE_NOT_FOUND))?;
            match family_kind_of(ef, family) {
                EfKind::Transparent { .. } => binary::format(&mut j, g)?,
                EfKind::Cyclic { .. } => records::init_header(&mut j, g, 0)?,
                EfKind::Variable { .. } | EfKind::Fixed { .. } => {
                    // The family's records in its record order (national, or its layout: items
                    // missing, extra or moved; `Family::records_of`).
                    let mut n = 0u8;
                    for r in family.records_of(ef) {
                        let value: &[u8] = if SSSE_EF05_CARD_ID.is(ef, r.tag) {
                            &card_id
                        } else if SSSE_EF05_VERSION.is(ef, r.tag) {
                            family.version_bytes()
                        } else {
                            zeros.get(..usize::from(r.len)).unwrap_or(&[])
                        };
                        let len = encode_record(r.tag, value, &mut rec)
                            .map_err(|_| FactoryError::Layout(StatusWord::WRONG_LENGTH))?;
                        records::init_slot(&mut j, g, n, rec.get(..len).unwrap_or(&[]))?;
                        n += 1;
                    }
                    records::init_header(&mut j, g, n)?;
                }
            }
        }
    }
    // DF04 purse area: a fresh amount file (counters, balance, accumulators 0) and no proofs.
    j.write_unjournaled(layout.purse(), &[0u8; layout::purse::LEN as usize])?;
    // Header, magic last.
    let mut h = [0u8; layout::HEADER_LEN];
    h[hdr::LAYOUT] = layout::LAYOUT_VERSION;
    h[hdr::SUITE] = suite_code(p.profile.suite);
    h[hdr::VERSION] = version_code(p.version);
    h[hdr::LIFECYCLE] = layout::CARD_ACTIVE;
    h[hdr::FAMILY] = family_code(family, p.version);
    h.iter_mut()
        .skip(hdr::HISTORICAL)
        .zip(p.identity.atr_historical.iter())
        .for_each(|(d, s)| *d = *s);
    h.iter_mut()
        .skip(hdr::REGION)
        .zip(p.identity.region_bcd.iter())
        .for_each(|(d, s)| *d = *s);
    h.iter_mut()
        .skip(hdr::SERIAL)
        .zip(p.identity.serial.iter())
        .for_each(|(d, s)| *d = *s);
    j.write_unjournaled(layout::HEADER_OFF + 4, h.get(4..).unwrap_or(&[]))?;
    j.write_unjournaled(layout::HEADER_OFF, &layout::MAGIC)?;
    j.store_mut().flush()?;
    Ok(())
}

/// Test helper: overwrite the records of `df`/`fid` (1-based order) bypassing access rules and
/// line protection. Not a card command; for unit tests and demos only.
pub fn personalise_direct<S: Store>(
    store: &mut S,
    version: SpecVersion,
    df: DfId,
    fid: u16,
    records_in: &[&[u8]],
) -> Result<(), FactoryError> {
    personalise_direct_of(store, national_for(version), df, fid, records_in)
}

/// [`personalise_direct`] on an image of `family`.
pub fn personalise_direct_of<S: Store>(
    store: &mut S,
    family: &'static Family,
    df: DfId,
    fid: u16,
    records_in: &[&[u8]],
) -> Result<(), FactoryError> {
    let layout =
        Layout::new(family).map_err(|_| FactoryError::Layout(StatusWord::NOT_ENOUGH_MEMORY))?;
    let idx = efs_of(family, df)
        .position(|e| e.fid == fid)
        .ok_or(FactoryError::Layout(StatusWord::FILE_NOT_FOUND))?;
    let g = layout
        .ef(df, idx)
        .ok_or(FactoryError::Layout(StatusWord::FILE_NOT_FOUND))?;
    let mut j = Journal::new(store);
    let mut n = 0u8;
    for r in records_in {
        records::init_slot(&mut j, g, n, r)?;
        n += 1;
    }
    records::init_header(&mut j, g, n)?;
    Ok(())
}

/// Public *test* root keys for every key of `sscard_specs::keys` (and `CIDK`): key `n` is the byte
/// pattern `n n+1 …`. For tests, benches and demos only — never for a real card.
pub fn test_issuer_keys(profile: &Profile) -> IssuerKeySet {
    let mut ks = IssuerKeySet::new();
    let alg = profile.key_algorithm();
    for (n, spec) in sscard_specs::keys::all_keys().enumerate() {
        let mut b = [0u8; 16];
        b.iter_mut()
            .enumerate()
            .for_each(|(i, d)| *d = (n as u8).wrapping_mul(16).wrapping_add(i as u8) ^ 0xA5);
        if let Ok(k) = Key::new(alg, b.get(..alg.key_len()).unwrap_or(&b)) {
            let _ = ks.insert(spec.name, k, spec.levels);
        }
    }
    ks
}
