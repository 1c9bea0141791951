//! Selection of the SSSE and its DFs/EFs; spec version and algorithm suite detection.

use sscard_apdu::commands;
use sscard_apdu::fci::{Fci, ALGORITHM_ID_SM4, DEFAULT_ALGORITHM_ID};
use sscard_apdu::record::Record;
use sscard_apdu::StatusWord;
use sscard_keys::profile::{SSCARD_2, SSCARD_3};
use sscard_keys::Profile;
use sscard_specs::files::{MF_FID, SSSE_NAME};
use sscard_specs::item::SSSE_EF05_VERSION;
use sscard_specs::{DfId, EfSpec, SpecVersion};

use super::{is_form_refusal, Session};
use crate::error::{DataError, Error, Result};
use crate::transport::Transport;

impl<T: Transport> Session<T> {
    /// SELECT the SSSE by name (`00 A4 04 00 0F 7378…D5CF 00`). Accepts FCI + `9000`, a bare
    /// `61xx` (raw transports) and FCI + `6283` (application temporarily blocked). Picks the
    /// profile from the FCI's algorithm id.
    pub fn select_ssse(&mut self) -> Result<()> {
        let cmd = commands::select_by_name(SSSE_NAME)
            .map_err(Error::command("SELECT SSSE"))?
            .with_ne(256);
        let (data, sw) = self.send(&cmd)?;
        let blocked = sw == StatusWord::SELECTED_FILE_INVALIDATED;
        if !sw.is_success() && !blocked {
            return Err(Error::card("SELECT SSSE", sw));
        }
        self.app_blocked = blocked;
        self.algorithm_id = None;
        if !data.is_empty() {
            match Fci::parse(&data) {
                Ok(fci) => self.algorithm_id = fci.algorithm_id,
                Err(e) => {
                    return Err(Error::Data(DataError::Malformed {
                        what: "SSSE FCI",
                        hex: format!("{} ({e})", hex::encode_upper(&data)),
                    }))
                }
            }
        }
        self.profile = profile_for_algorithm(self.algorithm_id);
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
