//! Selection of the SSSE and its DFs/EFs; spec version and algorithm suite detection.

use sscard_apdu::commands;
use sscard_apdu::fci::{Fci, ALGORITHM_ID_SM4, DEFAULT_ALGORITHM_ID};
use sscard_apdu::record::Record;
use sscard_apdu::StatusWord;
use sscard_keys::profile::{SSCARD_2, SSCARD_3};
use sscard_keys::Profile;
use sscard_specs::family::SsseAnswer;
use sscard_specs::files::{MF_FID, SSSE_NAME};
use sscard_specs::item::SSSE_EF05_VERSION;
use sscard_specs::{ef, DfId, EfSpec, SpecVersion};

use super::family::{announced_fci, ssse_answer};
use super::{is_form_refusal, Session};
use crate::error::{DataError, Error, Result};
use crate::transport::Transport;

impl<T: Transport> Session<T> {
    /// SELECT the SSSE by name (`00 A4 04 00 0F 7378…D5CF`). Accepts FCI + `9000`, `61xx`
    /// (T=0: the FCI is fetched with GET RESPONSE only when its announced length does not already
    /// tell the security suite, see `session::family`) and FCI + `6283` (application
    /// temporarily blocked). `6A82` on a card whose family keeps the SSSE's EFs in the MF
    /// (Shanghai: `00 A4 02 00 02 EF05` answers) makes the MF the SSSE. Picks the profile from the
    /// FCI's algorithm id (or the card families the answer leaves).
    pub fn select_ssse(&mut self) -> Result<()> {
        if self.ssse_in_mf {
            return self.select_mf_as_ssse();
        }
        // Case 3, as genuine hosts send it (real-cards.md T1): a T=0 card answers 61xx, a T=1
        // card the FCI.
        let cmd = commands::select_by_name(SSSE_NAME).map_err(Error::command("SELECT SSSE"))?;
        let (mut data, mut sw) = if self.fetch_fci {
            self.send(&cmd)?
        } else {
            self.send_leaving_61xx(&cmd)?
        };
        if sw == StatusWord::FILE_NOT_FOUND {
            return self.ssse_not_by_name(sw);
        }
        if let Some(n) = announced_fci(sw) {
            self.fci_len = Some(n);
            match self.candidates_profile() {
                Some(profile) => {
                    tracing::debug!(fci_len = n, "T=0 SELECT SSSE: FCI left unfetched");
                    self.profile = profile;
                    self.algorithm_id = self.candidates_algorithm_id();
                    self.app_blocked = false;
                    self.enter_ssse();
                    return Ok(());
                }
                None => {
                    // No family, or families of different suites, announce this FCI: fetch it.
                    self.fci_len = None;
                    let le = u8::try_from(n).unwrap_or(0);
                    (data, sw) = self.send(&commands::get_response(0x00, le))?;
                }
            }
        }
        let blocked = sw == StatusWord::SELECTED_FILE_INVALIDATED;
        if blocked && data.is_empty() {
            // A T=0 card answers the warning at once and keeps the FCI for GET RESPONSE
            // (ISO/IEC 7816-3 §12.2.4): fetch it (Le 00; a 6Cxx is re-issued by the exchange).
            let (fci, again) = self.send(&commands::get_response(0x00, 0))?;
            if again.is_success() || again == StatusWord::SELECTED_FILE_INVALIDATED {
                data = fci;
            }
        }
        if !sw.is_success() && !blocked {
            return Err(Error::card("SELECT SSSE", sw));
        }
        self.app_blocked = blocked;
        self.algorithm_id = None;
        if !data.is_empty() {
            match Fci::parse(&data) {
                Ok(fci) => {
                    self.algorithm_id = fci.algorithm_id;
                    if let Some(a) = ssse_answer(Some(&fci)) {
                        self.obs.ssse_by_name = Some(a);
                        self.fci_len = None;
                    }
                }
                Err(e) => {
                    return Err(Error::Data(DataError::Malformed {
                        what: "SSSE FCI",
                        hex: format!("{} ({e})", hex::encode_upper(&data)),
                    }))
                }
            }
        }
        self.profile = profile_for_algorithm(self.algorithm_id);
        self.enter_ssse();
        Ok(())
    }

    /// The session's view after the SSSE was selected.
    fn enter_ssse(&mut self) {
        if let Some(sm) = &self.sm {
            if sm.profile().suite != self.profile.suite {
                tracing::warn!(
                    card = self.profile.name,
                    keys = sm.profile().name,
                    "the key set's suite differs from the card's"
                );
            }
        }
        if self.current_df != Some(DfId::Ssse) {
            self.keys_passed.clear();
        }
        self.current_df = Some(DfId::Ssse);
        self.current_ef = None;
    }

    /// SELECT SSSE by name answered `6A82`: when a card family keeps the SSSE's EFs in the MF,
    /// look for EF05 there (`00 A4 02 00 02 EF05`, from the MF if the first try fails); found,
    /// the MF is the SSSE from now on. Otherwise the card refused SELECT SSSE.
    fn ssse_not_by_name(&mut self, sw: StatusWord) -> Result<()> {
        self.obs.ssse_by_name = Some(SsseAnswer::NotFound);
        let Some(profile) = self.candidates_profile() else {
            return Err(Error::card("SELECT SSSE", sw));
        };
        let ef05 = ef::SSSE_EF05.fid();
        let mut found = self.send(&commands::select_ef(ef05))?.1.is_success();
        if !found {
            let (_, mf) = self.send(&commands::select_by_fid(MF_FID))?;
            found = mf.is_success() && self.send(&commands::select_ef(ef05))?.1.is_success();
        }
        if !found {
            return Err(Error::card("SELECT SSSE", sw));
        }
        tracing::debug!("the SSSE cannot be selected by name; its EFs are in the MF");
        self.ssse_in_mf = true;
        // The family reaches these EFs by SELECT (P1 = 02) from the MF, not by SFI.
        self.sfi_reads = false;
        self.profile = profile;
        self.algorithm_id = None;
        self.app_blocked = false;
        self.enter_ssse();
        self.current_ef = Some(ef05);
        Ok(())
    }

    /// On a card whose SSSE is the MF: SELECT MF (`00 A4 00 00 02 3F00`).
    fn select_mf_as_ssse(&mut self) -> Result<()> {
        self.send_ok(&commands::select_by_fid(MF_FID), || "SELECT MF".into())?;
        self.enter_ssse();
        Ok(())
    }

    /// Make `df` the current DF (nothing is sent when it already is). DF01–DF07 are selected by
    /// FID from the SSSE (`00 A4 00 00 02 DFxx`); from a sibling DF the SSSE is selected first.
    /// Key-authentication states of the DF left behind are lost (profile.md §4).
    pub fn select_df(&mut self, df: DfId) -> Result<()> {
        if self.current_df == Some(df) {
            return Ok(());
        }
        match df {
            DfId::Ssse => return self.select_ssse(),
            DfId::Mf => {
                self.send_ok(&commands::select_by_fid(MF_FID), || "SELECT MF".into())?;
                // Leaving the SSSE tree ends the PIN verification (profile.md §4).
                self.pin_verified = false;
            }
            _ => {
                let fid = df
                    .fid()
                    .ok_or_else(|| Error::Internal(format!("{} has no FID", df.name())))?;
                let from_sibling =
                    matches!(self.current_df, Some(d) if d != DfId::Ssse && d != DfId::Mf);
                if !from_sibling && self.current_df != Some(DfId::Ssse) {
                    self.select_ssse()?;
                }
                let cmd = commands::select_by_fid(fid);
                let (_, sw) = self.send(&cmd)?;
                if from_sibling && sw == StatusWord::FILE_NOT_FOUND {
                    // The card looks FIDs up below the current DF only: go up first.
                    self.select_ssse()?;
                    self.send_ok(&cmd, || format!("SELECT {}", df.name()))?;
                } else if !sw.is_success() {
                    return Err(Error::card(format!("SELECT {}", df.name()), sw));
                }
            }
        }
        self.keys_passed.clear();
        self.current_df = Some(df);
        self.current_ef = None;
        Ok(())
    }

    /// Make EF `fid` of the current DF the current EF (`00 A4 02 00 02 EFxx`), unless it is.
    pub(crate) fn select_ef(&mut self, df: DfId, fid: u16) -> Result<()> {
        self.select_df(df)?;
        if self.current_ef == Some(fid) {
            return Ok(());
        }
        self.send_ok(&commands::select_ef(fid), || {
            format!("SELECT {}/{fid:04X}", df.name())
        })?;
        self.current_ef = Some(fid);
        Ok(())
    }

    /// How a record command reaches `ef` (its DF selected first): `None` when `ef` is current,
    /// its SFI while the card takes SFIs in record commands, else after selecting it (`None`).
    pub(crate) fn record_sfi(&mut self, ef: &EfSpec) -> Result<Option<u8>> {
        self.select_df(ef.df)?;
        if self.current_ef == Some(ef.fid) {
            Ok(None)
        } else if self.sfi_reads {
            Ok(Some(ef.sfi))
        } else {
            self.select_ef(ef.df, ef.fid)?;
            Ok(None)
        }
    }

    /// The spec version from SSSE EF05 tag 03 (read by tag once; cached).
    pub fn detect_version(&mut self) -> Result<SpecVersion> {
        if let Some(v) = self.version {
            return Ok(v);
        }
        let rec = self
            .read_item_record(SSSE_EF05_VERSION)?
            .ok_or_else(|| DataError::Missing(SSSE_EF05_VERSION.path().into()))?;
        let v = parse_version_record(&rec)?;
        if let Some(value) = rec.get(2..) {
            self.observe_version(value);
        }
        self.version = Some(v);
        Ok(v)
    }

    /// The spec version, detected when not yet known; `None` when the card does not say (blank
    /// EF05, refusal): callers then use the 2.0 layout.
    pub(crate) fn version_lenient(&mut self) -> Result<Option<SpecVersion>> {
        if self.version.is_some() {
            return Ok(self.version);
        }
        match self.detect_version() {
            Ok(v) => Ok(Some(v)),
            Err(Error::Data(e)) => {
                tracing::debug!(error = %e, "no spec version on the card; assuming the 2.0 layout");
                Ok(None)
            }
            Err(Error::Card { sw, .. }) => {
                tracing::debug!(%sw, "no spec version on the card; assuming the 2.0 layout");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Learned from a refusal: the card does not take an SFI in READ RECORD / UPDATE RECORD.
    pub(crate) fn note_refusal(&mut self, sw: StatusWord, all_records: bool) {
        if is_form_refusal(sw) {
            if all_records {
                self.read_all = false;
            } else {
                self.sfi_reads = false;
            }
        }
    }
}

/// The profile of an FCI algorithm id: `03` ⇒ `sscard-3` (SM4), anything else ⇒ `sscard-2`.
pub(crate) fn profile_for_algorithm(algorithm_id: Option<u8>) -> &'static Profile {
    if algorithm_id == Some(ALGORITHM_ID_SM4) {
        &SSCARD_3
    } else {
        if let Some(id) = algorithm_id.filter(|&id| id != DEFAULT_ALGORITHM_ID) {
            tracing::warn!(
                algorithm_id = id,
                "unknown algorithm id in the SSSE FCI; assuming 3DES (sscard-2)"
            );
        }
        &SSCARD_2
    }
}

/// The spec version from EF05 record 03 (`03 04 "2.00"`).
pub(crate) fn parse_version_record(rec: &[u8]) -> Result<SpecVersion> {
    let malformed = || {
        Error::Data(DataError::Malformed {
            what: "spec version (EF05/03)",
            hex: hex::encode_upper(rec),
        })
    };
    let r = Record::parse(rec)
        .map_err(|_| malformed())?
        .ok_or_else(|| DataError::Missing(SSSE_EF05_VERSION.path().into()))?;
    parse_version_value(r.value).ok_or_else(malformed)
}

/// The spec version from the 4-byte value of EF05 tag 03.
pub(crate) fn parse_version_value(v: &[u8]) -> Option<SpecVersion> {
    let arr = <[u8; 4]>::try_from(v).ok()?;
    SpecVersion::parse(&arr)
}
