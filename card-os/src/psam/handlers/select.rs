//! SELECT (`00 A4 P1 P2 Lc data`): the MF or DF01 by FID or name (FCI `6F{84 name, A5{88 1E
//! [, 9F0C{86 alg}]}}` with P2 `00`), EF15/EF16 by FID from either DF. Selecting an EF leaves the
//! current DF unchanged; any SELECT ends the crypto session.

use super::Ctx;
use crate::chip::{Reply, Res};
use crate::psam::state::{Df, Ef};
use crate::psam::{DF01_AID, DF01_FID, MF_FID, MF_NAME};
use sscard_apdu::commands::SelectBy;
use sscard_apdu::fci::write_fci;
use sscard_apdu::StatusWord;
use sscard_specs::psam::FCI_DIR_SFI;

pub(crate) fn select<S>(ctx: Ctx<'_, S>, by: SelectBy<'_>, fci: bool, out: &mut [u8]) -> Res {
    ctx.ram.session = None;
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
    let df = match target {
        Err(ef) => {
            ctx.ram.ef = Some(ef);
            return Ok(Reply::OK);
        }
        Ok(df) => df,
    };
    ctx.ram.df = df;
    ctx.ram.ef = None;
    if !fci {
        return Ok(Reply::OK);
    }
    let name = match df {
        Df::Mf => MF_NAME,
        Df::Df01 => DF01_AID,
    };
    let len = write_fci(name, FCI_DIR_SFI, ctx.config.profile.algorithm_id, out)
        .map_err(|_| StatusWord::NO_PRECISE_DIAGNOSIS)?;
    Ok(Reply::data(len))
}
