//! SELECT (`00 A4`): MF / DF / EF by FID, EF under the current DF, DF by name or AID.
//!
//! Choices: DFs are found by FID anywhere in the tree (FIDs are unique), EFs only in the current
//! DF. Selecting an EF answers `9000` without data (as the real trace does); selecting a DF with
//! P2 = 00 answers the FCI `6F{84 name, A5{88 1E [, 9F0C{86 alg}]}}`. A *temporarily blocked*
//! application answers its FCI with `6283` (selected, but only SELECT, GET CHALLENGE, EXTERNAL
//! AUTHENTICATE and APPLICATION UNBLOCK are accepted); a permanently blocked one answers `6A81`
//! and is not selected.

use crate::card::CardApp;
use crate::chip::{Reply, Res};
use crate::layout;
use crate::store::Store;
use sscard_apdu::commands::SelectBy;
use sscard_apdu::fci::write_fci;
use sscard_apdu::StatusWord;
use sscard_specs::files::{self, DFS, SSSE_DIR_SFI};
use sscard_specs::types::DfId;

fn parent(df: DfId) -> Option<DfId> {
    match df {
        DfId::Mf => None,
        DfId::Ssse => Some(DfId::Mf),
        _ => Some(DfId::Ssse),
    }
}

impl<S: Store> CardApp<S> {
    pub(crate) fn select(&mut self, by: SelectBy<'_>, fci: bool, out: &mut [u8]) -> Res {
        let res = self.select_target(by, fci, out);
        if fault!(self, missing_file_sw) && matches!(res, Err(StatusWord::FILE_NOT_FOUND)) {
            return Err(StatusWord::RECORD_NOT_FOUND);
        }
        res
    }

    fn select_target(&mut self, by: SelectBy<'_>, fci: bool, out: &mut [u8]) -> Res {
        match by {
            SelectBy::Fid(None) | SelectBy::Fid(Some(0x3F00)) => self.select_df(DfId::Mf, fci, out),
            SelectBy::Fid(Some(fid)) => {
                if let Some(r) = self.select_ef(fid) {
                    return r;
                }
                let df = files::df_by_fid(fid).ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.select_df(df.id, fci, out)
            }
            SelectBy::ChildDf(fid) => {
                let df = files::df_by_fid(fid)
                    .filter(|d| parent(d.id) == Some(self.vol.df))
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.select_df(df.id, fci, out)
            }
            SelectBy::ChildEf(fid) => self
                .select_ef(fid)
                .unwrap_or(Err(StatusWord::FILE_NOT_FOUND)),
            SelectBy::Name(name) => {
                let df = files::df_by_name(name)
                    .or_else(|| files::df_by_aid(name))
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.select_df(df.id, fci, out)
            }
        }
    }

    fn select_ef(&mut self, fid: u16) -> Option<Res> {
        let df = DFS.get(self.vol.df.index())?;
        let idx = df.efs.iter().position(|e| e.fid == fid)?;
        self.vol.ef = Some(idx as u8);
        Some(Ok(Reply::OK))
    }

    fn select_df(&mut self, id: DfId, fci: bool, out: &mut [u8]) -> Res {
        let own = self.df_state(id)?;
        if own == layout::APP_DEAD {
            return Err(StatusWord::FUNC_NOT_SUPPORTED);
        }
        let kept = (self.vol.auth_df, self.vol.auth_ssse, self.vol.pin_ok);
        self.vol.enter_df(id);
        if fault!(self, security_state_kept_on_df_change) {
            (self.vol.auth_df, self.vol.auth_ssse) = (kept.0, kept.1);
        }
        if fault!(self, pin_state_kept_on_mf_select) {
            self.vol.pin_ok = kept.2;
        }
        let state = self.app_state()?;
        let sw = if state == layout::APP_BLOCKED {
            StatusWord::SELECTED_FILE_INVALIDATED
        } else {
            StatusWord::OK
        };
        if !fci {
            return Ok(Reply { len: 0, sw });
        }
        let spec = DFS.get(id.index()).ok_or(StatusWord::FILE_NOT_FOUND)?;
        let fid_bytes = spec.fid.unwrap_or(0x3F00).to_be_bytes();
        let mut name = spec.df_name.or(spec.aid).unwrap_or(&fid_bytes);
        if fault!(self, fci_wrong_df_name) {
            name = &fid_bytes;
        }
        let mut alg = self.cfg.profile.algorithm_id;
        if fault!(self, fci_no_algorithm_id) {
            alg = None;
        }
        let len = write_fci(name, SSSE_DIR_SFI, alg, out)
            .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
        Ok(Reply { len, sw })
    }
}
