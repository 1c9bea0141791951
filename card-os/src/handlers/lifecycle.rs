//! APPLICATION BLOCK / UNBLOCK and CARD BLOCK (profile.md §5), MAC'd under STK.
//!
//! "The application" is the current DF (the SSSE or a DF below it; a blocked SSSE blocks its
//! DFs too). The MF cannot be blocked (`6985`).

use super::pin::STK;
use crate::card::CardApp;
use crate::chip::{Reply, Res};
use crate::layout::{self, hdr};
use crate::security::Challenge;
use crate::store::Store;
use sscard_apdu::commands::Mac;
use sscard_apdu::StatusWord;
use sscard_specs::types::DfId;

impl<S: Store> CardApp<S> {
    fn app_offset(&self) -> Result<u32, StatusWord> {
        if self.vol.df == DfId::Mf {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        Ok(layout::APP_STATE_OFF + self.vol.df.index() as u32)
    }

    pub(crate) fn application_block(
        &mut self,
        permanent: bool,
        mac: Mac<'_>,
        ch: Option<Challenge>,
    ) -> Res {
        let off = self.app_offset()?;
        self.check_mac(STK, &mac, ch)?;
        let state = if permanent {
            layout::APP_DEAD
        } else {
            layout::APP_BLOCKED
        };
        self.j.atomic(&[(off, &[state])])?;
        Ok(Reply::OK)
    }

    pub(crate) fn application_unblock(&mut self, mac: Mac<'_>, ch: Option<Challenge>) -> Res {
        let off = self.app_offset()?;
        self.check_mac(STK, &mac, ch)?;
        if self.df_state(self.vol.df)? == layout::APP_DEAD {
            return Err(StatusWord::FUNC_NOT_SUPPORTED);
        }
        self.j.atomic(&[(off, &[layout::APP_ACTIVE])])?;
        Ok(Reply::OK)
    }

    pub(crate) fn card_block(&mut self, mac: Mac<'_>, ch: Option<Challenge>) -> Res {
        self.check_mac(STK, &mac, ch)?;
        if !fault!(self, card_block_reversible) {
            self.j.atomic(&[(
                layout::HEADER_OFF + hdr::LIFECYCLE as u32,
                &[layout::CARD_BLOCKED],
            )])?;
        }
        self.vol.card_blocked = true;
        Ok(Reply::OK)
    }
}
